"""Exams: practice quizzes and formal exams, their questions, assembly rules and audience."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from lms.choosers import employee_chooser_viewset
from lms.validators import limited

from ..admin_forms import ExamAdminForm
from ..draw_generation import DrawSourceQuerySet
from .questions import Question, QuestionCategory, QuestionType


def audience_from_assignments(employee) -> set[int]:
    """Exams of the courses the employee is assigned (``courses`` assignments)."""
    from ..integrations.courses import exams_for_course_assignments

    return set(exams_for_course_assignments(employee) or ())


class ExamQuerySet(DrawSourceQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_employee(self, employee):
        """Published exams whose audience includes the employee."""
        condition = Q(audience_employees=employee)
        if employee.department_id:
            from lms.models import Department

            # A department in the audience includes every department below it.
            condition |= Exists(
                Department.objects.filter(
                    pk=employee.department_id,
                    path__startswith=OuterRef("audience_departments__path"),
                )
            )
        if employee.position_id:
            condition |= Q(audience_positions=employee.position_id)
        extra = audience_from_assignments(employee)
        if extra:
            condition |= Q(pk__in=extra)
        ids = self.published().filter(condition).values("pk")
        return self.filter(pk__in=ids)

    def get_for_employee(self, employee, **lookup):
        """``for_employee(employee).get(**lookup)``; the exam remembers that its audience
        includes the employee, so ``Exam.is_for`` answers without a query later in the
        request (starting an exam checks it again in the service)."""
        exam = self.for_employee(employee).get(**lookup)
        exam._audience_includes = employee.pk
        return exam


class Exam(ClusterableModel):
    """A practice quiz or a formal exam."""

    _audience_includes = None  # an employee id, set by ExamQuerySet.get_for_employee

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practice quiz")
        FORMAL = "formal", _("Formal exam")
        # A rehearsal of a formal exam (docs/practice.md): its draw plan and time limit, but
        # unlimited, with feedback at once, and never a result.
        MOCK = "mock", _("Mock exam")

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")
        AVERAGE = "average", _("Average of attempts")

    class ReviewPolicy(models.TextChoices):
        IMMEDIATELY = "after_submit", _("Score and answers right after submitting")
        SCORE_AFTER_SUBMIT = (
            "score_after_submit",
            _("Score after submitting, answers after the exam closes"),
        )
        AFTER_CLOSE = "after_close", _("Score and answers after the exam closes")
        SCORE_ONLY = "score_only", _("Score after submitting, answers never")
        NEVER = "never", _("Nothing")

    title = models.CharField(pgettext_lazy("assessments", "title"), max_length=200)
    kind = models.CharField(
        pgettext_lazy("assessments", "kind"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.FORMAL,
    )
    description = models.TextField(_("instructions"), blank=True, **limited(5000))
    is_published = models.BooleanField(
        pgettext_lazy("assessments", "published"),
        default=False,
        help_text=_("Only published exams can be taken."),
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Empty: no time limit.")
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    max_attempts = models.PositiveIntegerField(
        _("attempts allowed"), default=1, help_text=_("0 means unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    review_policy = models.CharField(
        _("review policy"),
        max_length=24,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_CLOSE,
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    partial_credit = models.BooleanField(
        _("partial credit for multiple choice"),
        default=False,
        help_text=_(
            "An answer that picks only right options (but not all) earns that share of the points."
        ),
    )
    certificate_title = models.CharField(
        _("certificate title"),
        max_length=200,
        blank=True,
        help_text=_("When set, passing this formal exam issues a certificate."),
    )
    certificate_valid_months = models.PositiveIntegerField(
        _("certificate validity (months)"), null=True, blank=True
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="exams",
        help_text=_(
            "The course this exam tests: its results appear in the course report, and "
            "everyone with an open assignment for the course may take it."
        ),
    )
    certificate_on_course_completion = models.BooleanField(
        _("certificate on completing the course"),
        default=False,
        help_text=_(
            "Issue this exam's certificate when a completion of its course is recorded "
            "(needs a course and a certificate title)."
        ),
    )
    mock_of = models.ForeignKey(
        "self",
        verbose_name=_("mock of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mocks",
        help_text=_("For a mock exam: the formal exam it rehearses (its rules and time limit)."),
    )
    audience_departments = ParentalManyToManyField(
        "lms.Department",
        verbose_name=_("departments"),
        blank=True,
        related_name="+",
        help_text=_("Everyone in these departments and below them."),
    )
    audience_positions = ParentalManyToManyField(
        "lms.Position", verbose_name=_("positions"), blank=True, related_name="+"
    )
    audience_employees = ParentalManyToManyField(
        "lms.Employee", verbose_name=_("individuals"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("assessments", "created at"), auto_now_add=True)

    objects = ExamQuerySet.as_manager()

    base_form_class = ExamAdminForm
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("kind"),
                FieldPanel("description"),
                FieldPanel("course"),
                FieldPanel("is_published"),
            ],
            heading=_("Exam"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("max_attempts")]),
                FieldRowPanel([FieldPanel("grading_method"), FieldPanel("pass_mark")]),
                FieldPanel("review_policy"),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldPanel("partial_credit"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("fixed_questions", heading=_("Fixed questions"), label=_("question")),
        InlinePanel("rules", heading=_("Assembly rules"), label=_("rule")),
        MultiFieldPanel(
            [
                FieldPanel("audience_departments"),
                FieldPanel("audience_positions"),
                FieldPanel("audience_employees"),
            ],
            heading=pgettext_lazy("assessments", "Audience"),
        ),
        InlinePanel("overrides", heading=_("Per-employee overrides"), label=_("override")),
        MultiFieldPanel(
            [
                FieldPanel("certificate_title"),
                FieldPanel("certificate_valid_months"),
                FieldPanel("certificate_on_course_completion"),
            ],
            heading=_("Certificate"),
        ),
    ]

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The exam must close after it opens.")})
        if self.certificate_on_course_completion and not (
            self.course_id and self.certificate_title
        ):
            raise ValidationError(
                {
                    "certificate_on_course_completion": _(
                        "A certificate on completing a course needs the course and a "
                        "certificate title."
                    )
                }
            )

    @property
    def is_practice(self):
        """Practice quizzes and mock exams: unlimited, feedback at once, no confidential
        question, never a result."""
        return self.kind in (self.Kind.PRACTICE, self.Kind.MOCK)

    @property
    def is_mock(self):
        return self.kind == self.Kind.MOCK

    @property
    def rules_source(self) -> "Exam":
        """The exam whose fixed questions and assembly rules an attempt is drawn from: a mock
        exam's formal exam, otherwise the exam itself."""
        return self.mock_of if self.is_mock and self.mock_of_id else self

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )

    def is_for(self, employee) -> bool:
        """Whether the exam is published and its audience includes the employee."""
        if self._audience_includes == employee.pk:
            return True
        if self.is_mock:
            # A mock is for whoever the formal exam it rehearses is for.
            return self.mock_of_id is not None and self.mock_of.is_for(employee)
        return Exam.objects.for_employee(employee).filter(pk=self.pk).exists()

    def has_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closes_at is not None and now >= self.closes_at

    def deadline_for(self, started_at, override=None):
        """When an attempt started at ``started_at`` must end (None: no limit)."""
        candidates = []
        extra = timedelta(minutes=override.extra_minutes) if override else timedelta(0)
        if self.time_limit_minutes:
            candidates.append(started_at + timedelta(minutes=self.time_limit_minutes))
        if self.closes_at:
            candidates.append(self.closes_at)
        if not candidates:
            return None
        return min(candidates) + extra

    def attempts_allowed(self, override=None) -> int:
        """0 means unlimited (practice quizzes are always unlimited)."""
        if self.is_practice or self.max_attempts == 0:
            return 0
        return self.max_attempts + (override.extra_attempts if override else 0)

    def review_allows(self, *, score: bool, now=None) -> bool:
        """Whether the review policy lets the candidate see the score (or the answers)."""
        if self.is_practice:
            return True  # practice quizzes give feedback at once
        policy = self.review_policy
        if policy == self.ReviewPolicy.NEVER:
            return False
        if policy == self.ReviewPolicy.IMMEDIATELY:
            return True
        if policy == self.ReviewPolicy.SCORE_ONLY:
            return score
        if policy == self.ReviewPolicy.SCORE_AFTER_SUBMIT:
            return score or self.has_closed(now)
        return self.has_closed(now)  # AFTER_CLOSE


def _question_chooser_widget():
    from ..choosers import question_chooser_viewset

    return question_chooser_viewset.widget_class


class ExamQuestion(Orderable):
    """A question every attempt of the exam gets."""

    exam = ParentalKey(
        Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="fixed_questions"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(
        pgettext_lazy("assessments", "points"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the question's own points."),
    )

    panels = [
        FieldPanel("question", widget=_question_chooser_widget()),
        FieldPanel("points"),
    ]

    objects = DrawSourceQuerySet.as_manager()

    class Meta(Orderable.Meta):
        verbose_name = _("fixed question")
        verbose_name_plural = _("fixed questions")


class AssemblyRule(Orderable):
    """Draw ``count`` questions of a type from a category (and below) at a difficulty."""

    exam = ParentalKey(Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="rules")
    count = models.PositiveIntegerField(_("number of questions"), validators=[MinValueValidator(1)])
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=pgettext_lazy("assessments", "category"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Questions from this category and the categories below it."),
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Empty: any difficulty."),
    )
    points = models.DecimalField(
        _("points each"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: each question's own points."),
    )

    panels = [
        FieldRowPanel([FieldPanel("count"), FieldPanel("type")]),
        FieldRowPanel([FieldPanel("category"), FieldPanel("difficulty"), FieldPanel("points")]),
    ]

    objects = DrawSourceQuerySet.as_manager()

    class Meta(Orderable.Meta):
        verbose_name = _("assembly rule")
        verbose_name_plural = _("assembly rules")

    def __str__(self):
        return f"{self.count} × {self.get_type_display()}"

    def candidates_condition(self) -> Q:
        condition = Q(type=self.type, category__path__startswith=self.category.path)
        if self.difficulty:
            condition &= Q(difficulty=self.difficulty)
        return condition

    def candidates(self):
        return Question.objects.active().filter(self.candidates_condition())

    def admits(self, *, kind: str, difficulty: int, category_path: str) -> bool:
        """Whether a question with these properties is one of this rule's candidates (the
        same test as ``candidates_condition``, on values already read)."""
        return (
            kind == self.type
            and category_path.startswith(self.category.path)
            and (not self.difficulty or difficulty == self.difficulty)
        )


class ExamOverride(models.Model):
    """More time or another attempt for one employee."""

    exam = ParentalKey(
        Exam, verbose_name=_("exam"), on_delete=models.CASCADE, related_name="overrides"
    )
    employee = models.ForeignKey(
        "lms.Employee", verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+"
    )
    extra_minutes = models.PositiveIntegerField(_("extra minutes"), default=0)
    extra_attempts = models.PositiveIntegerField(_("extra attempts"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    panels = [
        FieldPanel("employee", widget=employee_chooser_viewset.widget_class),
        FieldRowPanel([FieldPanel("extra_minutes"), FieldPanel("extra_attempts")]),
        FieldPanel("reason"),
    ]

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(fields=["exam", "employee"], name="exam_override_unique")
        ]

    def __str__(self):
        return f"{self.exam} · {self.employee}"
