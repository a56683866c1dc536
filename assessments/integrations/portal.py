"""The portal's "Exams open to you" panel and the assessments items of the workbench."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.hooks import WorkItem
from lms.portal import PanelSummary, PortalPanel
from lms.roles import Role, has_role, user_roles

from ..models import Attempt, Certificate, Exam


class MyExamsPanel(PortalPanel):
    section = "exams"
    title = gettext_lazy("Exams open to you")
    order = 10
    template_name = "assessments/portal_panel.html"

    def is_shown(self, request, employee):
        return employee is not None

    def _open_exams(self, employee):
        now = timezone.now()
        return [
            e for e in Exam.objects.for_employee(employee).order_by("closes_at") if e.is_open(now)
        ]

    def get_context_data(self, request, employee):
        open_attempts = {a.exam_id: a for a in Attempt.objects.open().filter(employee=employee)}
        return {
            "open_exams": [
                {"exam": exam, "attempt": open_attempts.get(exam.pk)}
                for exam in self._open_exams(employee)
            ],
        }

    def summary(self, request, employee):
        count = len(self._open_exams(employee))
        in_progress = Attempt.objects.open().filter(employee=employee).exists()
        return PanelSummary(count, _("exams open to you"), attention=in_progress)


def workbench_items(request):
    """Trainers: answers waiting for their grade; managers: certificates in their scope that
    expire within the reminder window."""
    from django.conf import settings

    from ..grading import grading_queue

    user = request.user
    items = []
    if has_role(user, Role.TRAINER):
        items.append(
            WorkItem(
                Role.TRAINER,
                gettext_lazy("answers to grade"),
                reverse("assessments:grading_queue"),
                grading_queue(user).count(),
                attention=True,
            )
        )
    if Role.MANAGER in user_roles(user):
        today = timezone.localdate()
        window = today + timedelta(days=settings.ASSESSMENTS_CERTIFICATE_REMINDER_DAYS)
        expiring = (
            Certificate.objects.visible_to(user)
            .filter(revoked=False, expires_on__gte=today, expires_on__lte=window)
            .count()
        )
        items.append(
            WorkItem(
                Role.MANAGER,
                gettext_lazy("certificates in my team expiring soon"),
                reverse("careers:dashboard"),
                expiring,
                attention=True,
            )
        )
    # Trainers, HR and managers: where practice shows each department's weak knowledge points
    # (a place to go, no count: it costs the workbench no query).
    held = user_roles(user)
    for role in (Role.TRAINER, Role.HR, Role.MANAGER):
        if role in held:
            items.append(
                WorkItem(
                    role,
                    gettext_lazy("practice mastery by department"),
                    reverse("assessments:team_mastery"),
                )
            )
            break
    return items
