from django_tasks import task


@task()
def submit_overdue_attempts():
    """Submit and grade every attempt whose time ran out (run every minute)."""
    from . import services

    return services.attempts_submit_overdue()


@task()
def build_certificate_bundle(bundle_id: int):
    """Build the zip of an exam's certificates (progress is stored on the bundle)."""
    from . import services

    services.certificate_bundle_build(bundle_id=bundle_id)


@task()
def remind_expiring_certificates():
    """E-mail the holders of certificates about to expire (run daily)."""
    from . import services

    return services.certificates_remind_expiring()
