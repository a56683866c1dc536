"""What every training model shares: the training staff roles, the error a refused move
raises, the course categories and training methods, and sign-in for training pages."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.exceptions import DomainError
from lms.roles import Role

#: The group whose members approve courses and plans in the moderation workflow.
TRAINING_MANAGER_GROUP = "Training manager"
#: Its name as people read it (the group's name itself stays the English key).
TRAINING_MANAGER_LABEL = _("Training manager")

#: Roles that see every training record (others see their own, managers their subtree).
TRAINING_STAFF = frozenset({Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP})


class TrainingError(DomainError, ValidationError):
    """An illegal move in training (enrolment, attendance, progress); message is translated."""


class CourseCategory(models.TextChoices):
    LAW = "law", _("Electricity law and regulations")
    STANDARDS = "standards", _("Service standards")
    CONDUCT = "conduct", _("Service conduct")
    COMMUNICATION = "communication", _("Communication skills")
    BUSINESS = "business", _("Business knowledge")
    SAFETY = "safety", _("Safety rules")
    EMERGENCY = "emergency", _("Emergency response")


class TrainingMethod(models.TextChoices):
    INTERNAL = "internal", _("Internal training")
    EXTERNAL = "external", _("External training")
    ONLINE = "online", _("Online learning")
    CASE_STUDY = "case_study", _("Case study")
    SIMULATION = "simulation", _("Simulation drill")


class SignInRequiredMixin:
    """Training content is for the company's staff: anonymous visitors are sent to sign in."""

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)
