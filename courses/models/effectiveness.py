"""How a training run is evaluated: practical-operation checks and the post-training
questionnaire (the course exam is assessments')."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.fields import RichTextField
from wagtail.models import Page

from lms.roles import ScopedQuerySet, get_employee
from lms.validators import limited

from .base import TRAINING_STAFF
from .courses import CoursePage
from .sessions import TrainingSession


class PracticalCheckQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class PracticalCheck(models.Model):
    """A practical-operation check recorded by the trainer after a session."""

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="practical_checks",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="practical_checks",
    )
    passed = models.BooleanField(pgettext_lazy("courses", "passed"))
    score = models.DecimalField(
        pgettext_lazy("courses", "score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.CharField(pgettext_lazy("courses", "comment"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    objects = PracticalCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("practical-operation check")
        verbose_name_plural = _("practical-operation checks")
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="courses_check_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.session}"


# Questionnaire ---------------------------------------------------------------------------------


class QuestionnaireField(AbstractFormField):
    page = ParentalKey(
        "courses.QuestionnairePage", on_delete=models.CASCADE, related_name="form_fields"
    )
    # Wagtail's own fields, with our length limits (its words and help text kept).
    choices = models.TextField(
        AbstractFormField._meta.get_field("choices").verbose_name,
        blank=True,
        help_text=AbstractFormField._meta.get_field("choices").help_text,
        **limited(4000),
    )
    default_value = models.TextField(
        AbstractFormField._meta.get_field("default_value").verbose_name,
        blank=True,
        help_text=AbstractFormField._meta.get_field("default_value").help_text,
        **limited(1000),
    )


class QuestionnairePage(AbstractForm):
    """The post-training questionnaire of a course: one answer per employee per session."""

    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="questionnaires",
    )
    intro = RichTextField(_("introduction"), blank=True, **limited(20000, rich=True))
    thank_you_text = RichTextField(_("thank-you text"), blank=True, **limited(5000, rich=True))

    content_panels = AbstractForm.content_panels + [
        FieldPanel("course"),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=pgettext_lazy("courses", "questions")),
        FieldPanel("thank_you_text"),
    ]
    search_fields = Page.search_fields
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []
    template = "courses/questionnaire_page.html"
    landing_page_template = "courses/questionnaire_page_landing.html"

    class Meta:
        verbose_name = _("training questionnaire")
        verbose_name_plural = _("training questionnaires")

    def get_submission_class(self):
        return QuestionnaireSubmission

    def _session_for(self, request, employee):
        session_id = request.POST.get("session") or request.GET.get("session")
        if not session_id or not str(session_id).isdigit():
            return None
        return (
            TrainingSession.objects.filter(
                pk=session_id,
                course_id=self.course_id,
                attendances__employee=employee,
                attendances__present=True,
            )
            .select_related("course")
            .first()
        )

    def serve(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.http import Http404
        from django.template.response import TemplateResponse

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        employee = get_employee(request.user)
        if employee is None:
            raise Http404
        session = self._session_for(request, employee)
        context = self.get_context(request)
        context["session"] = session
        if session is None:
            context["problem"] = _("Open this questionnaire from a session you attended.")
            return TemplateResponse(request, self.get_template(request), context)
        if QuestionnaireSubmission.objects.filter(
            page=self, session=session, employee=employee
        ).exists():
            context["problem"] = _("You have already answered this questionnaire for this session.")
            return TemplateResponse(request, self.get_template(request), context)
        if request.method == "POST":
            form = self.get_form(request.POST, page=self, user=request.user)
            if form.is_valid():
                from .. import services

                submission = services.questionnaire_submit(
                    page=self, session=session, employee=employee, data=form.cleaned_data
                )
                return self.render_landing_page(request, submission)
        else:
            form = self.get_form(page=self, user=request.user)
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context)


class QuestionnaireSubmission(AbstractFormSubmission):
    # Answers are records: a questionnaire with answers is unpublished, never deleted with them.
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT)
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="questionnaire_submissions",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="questionnaire_submissions",
    )

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "session", "employee"], name="courses_questionnaire_once"
            )
        ]
