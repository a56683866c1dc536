"""Portal pages for careers: an employee's appraisal result with its explained breakdown."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from lms.roles import has_role

from .models import AppraisalResult, Indicator, IndicatorValue


def results_for(user):
    """Results the user may open: HR sees every state, others only published ones."""
    results = AppraisalResult.objects.visible_to(user)
    if not has_role(user, "HR"):
        results = results.published()
    return results


def explain(result):
    """The breakdown rows of a result: indicator, value, rule, score, points and records."""
    indicators = {i.pk: i for i in Indicator.objects.filter(system_id=result.period.system_id)}
    value_ids = [row[4] for row in result.breakdown]
    records = dict(IndicatorValue.objects.filter(pk__in=value_ids).values_list("pk", "records"))
    rows = []
    for indicator_id, value, score, weighted, value_id in result.breakdown:
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        rows.append(
            {
                "indicator": indicator,
                "value": value,
                "score": Decimal(score),
                "weighted": Decimal(weighted),
                "weight": indicator.weight,
                "rule": indicator.rule_text(),
                "records": [
                    {"label": label, "url": url} for label, url in records.get(value_id) or []
                ],
            }
        )
    return rows


@login_required
def result_detail(request, pk):
    result = get_object_or_404(
        results_for(request.user).select_related("period", "employee", "department"), pk=pk
    )
    return render(
        request, "careers/portal/result.html", {"result": result, "rows": explain(result)}
    )
