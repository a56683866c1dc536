"""How a training run is evaluated: practical checks and questionnaire answers."""

import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from lms import audit
from lms.models import Employee

from ..models import (
    Attendance,
    PracticalCheck,
    QuestionnaireSubmission,
    TrainingError,
    TrainingSession,
)


@transaction.atomic
def practical_check_record(
    *,
    session: TrainingSession,
    employee: Employee,
    passed: bool,
    score: Decimal | None = None,
    comment: str = "",
    acting_user=None,
) -> PracticalCheck:
    if not Attendance.objects.filter(session=session, employee=employee, present=True).exists():
        raise TrainingError(
            _("%(employee)s did not attend this session; a practical check needs attendance.")
            % {"employee": employee}
        )
    previous = (
        PracticalCheck.objects.select_for_update()
        .filter(session=session, employee=employee)
        .values("passed", "score")
        .first()
    )
    check, _created = PracticalCheck.objects.update_or_create(
        session=session,
        employee=employee,
        defaults={
            "passed": passed,
            "score": score,
            "comment": comment,
            "recorded_by": acting_user,
        },
    )
    check.full_clean()
    audit.record(
        check,
        "courses.practical_check_recorded",
        user=acting_user,
        before=previous,
        after={"passed": passed, "score": score},
        reason=comment or _("Practical check recorded"),
        employee=employee,
    )
    return check


@transaction.atomic
def questionnaire_submit(*, page, session: TrainingSession, employee: Employee, data: dict):
    """Save an employee's questionnaire answers for a session they attended (once)."""

    if not Attendance.objects.filter(session=session, employee=employee, present=True).exists():
        raise TrainingError(_("Only people who attended the session answer its questionnaire."))
    if QuestionnaireSubmission.objects.filter(
        page=page, session=session, employee=employee
    ).exists():
        raise TrainingError(_("You have already answered this questionnaire for this session."))

    submission = QuestionnaireSubmission.objects.create(
        page=page,
        session=session,
        employee=employee,
        form_data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
    return submission
