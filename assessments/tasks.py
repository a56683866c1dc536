from django_tasks import task


@task()
def submit_overdue_attempts():
    """Submit and grade every attempt whose time ran out (run every minute)."""
    from . import services

    return services.attempts_submit_overdue()
