from lms.scheduling import scheduled_jobs


def test_overdue_attempts_and_certificate_reminders_are_scheduled():
    from assessments.tasks import remind_expiring_certificates, submit_overdue_attempts

    jobs = scheduled_jobs()
    assert jobs["assessments.submit_overdue_attempts"].task is submit_overdue_attempts
    assert jobs["assessments.remind_expiring_certificates"].task is remind_expiring_certificates
