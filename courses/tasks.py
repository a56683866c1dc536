"""Daily background work for training (schedule both once a day, e.g. from cron)."""

from django_tasks import task

from . import services


@task()
def send_training_reminders():
    """E-mail reminders before sessions and before required training falls due."""
    return services.reminders_send()


@task()
def refresh_required_training():
    """Apply every active rule: new people in scope and expiring completions get assignments."""
    return services.rules_apply_all()
