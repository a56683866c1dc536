"""What the careers services share: the period lock and its audited state, save after clean."""

from ..models import AppraisalPeriod


def _locked_period(period):
    # Re-read under a row lock so two HR officers cannot move the same period at once.
    return AppraisalPeriod.objects.select_for_update().select_related("system").get(pk=period.pk)


def _period_state(period) -> dict:
    return {"status": period.status}


def _save(instance, **clean_kwargs):
    instance.full_clean(**clean_kwargs)
    instance.save()
    return instance
