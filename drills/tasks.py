from django_tasks import task

from . import services


@task()
def remind_overdue_actions():
    """E-mail the owners of overdue corrective actions (run daily)."""
    return services.actions_remind_overdue()
