"""Issue #14, finding 8: an open untimed practice attempt exempted its taker's session from the
idle timeout for good. Only a timed attempt within its limit (and the grace) keeps a session."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import QuestionType
from assessments.wagtail_hooks import exam_in_progress_keeps_the_session
from tests.factories import assessments as af

pytestmark = pytest.mark.django_db


def test_only_a_timed_attempt_within_its_limit_keeps_the_session(people, settings):
    employee = people["employee"]
    question = af.question(type=QuestionType.SINGLE)
    practice = af.exam(kind="practice", questions=[question], audience=[employee])
    services.attempt_start(exam=practice, employee=employee)
    assert not exam_in_progress_keeps_the_session(employee.user)
    colleague = people["colleague"]
    timed = af.exam(questions=[question], audience=[employee, colleague], time_limit_minutes=30)
    services.attempt_start(exam=timed, employee=employee)
    assert exam_in_progress_keeps_the_session(employee.user)
    settings.ASSESSMENTS_SAVE_GRACE_SECONDS = 60
    # Started 35 minutes ago: the limit and the grace have passed (not yet auto-submitted).
    services.attempt_start(
        exam=timed, employee=colleague, now=timezone.now() - timedelta(minutes=35)
    )
    assert not exam_in_progress_keeps_the_session(colleague.user)
