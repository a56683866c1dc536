"""Training: plans and courses (Wagtail pages), lessons and progress, sessions, enrolment,
attendance, completions, required-training rules and assignments, effectiveness checks."""

import datetime
import secrets

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from lms.exceptions import DomainError
from lms.models import ChangeStamped
from lms.roles import Role, ScopedQuerySet
from lms.validators import limited

from .blocks import MaterialStreamBlock

#: The group whose members approve courses and plans in the moderation workflow.
TRAINING_MANAGER_GROUP = "Training manager"
#: Its name as people read it (the group's name itself stays the English key).
TRAINING_MANAGER_LABEL = _("Training manager")

#: Roles that see every training record (others see their own, managers their subtree).
TRAINING_STAFF = frozenset({Role.HR, Role.TRAINER, TRAINING_MANAGER_GROUP})


class TrainingError(DomainError, ValidationError):
    """An illegal move in training (enrolment, attendance, progress); message is translated."""


# Pages ---------------------------------------------------------------------------------------


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


class TrainingPlanIndexPage(SignInRequiredMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, **limited(20000, rich=True))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["courses.TrainingPlanPage"]
    max_count = 1
    template = "courses/training_plan_index_page.html"

    class Meta:
        verbose_name = _("training plan index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plans"] = (
            TrainingPlanPage.objects.child_of(self)
            .live()
            .select_related("department")
            .annotate(item_count=Count("items"))
            .order_by("-year")
        )
        return context


class TrainingPlanPage(SignInRequiredMixin, Page):
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("scope department"),
        on_delete=models.PROTECT,
        related_name="training_plans",
        help_text=_("The plan covers this department and every department below it."),
    )
    goals = RichTextField(_("goals"), blank=True, **limited(20000, rich=True))

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("year"), FieldPanel("department")]),
        FieldPanel("goals"),
        InlinePanel("items", label=_("plan items"), heading=_("Plan items")),
    ]
    search_fields = Page.search_fields + [index.SearchField("goals"), index.FilterField("year")]
    parent_page_types = ["courses.TrainingPlanIndexPage"]
    subpage_types = []
    template = "courses/training_plan_page.html"

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plan_items"] = (
            self.items.select_related("course", "trainer")
            .prefetch_related("target_positions", "target_departments")
            .order_by("planned_month", "sort_order")
        )
        return context


class PlanItem(ClusterableModel, Orderable):
    # A ClusterableModel, so that its ParentalManyToManyFields (the audience) are saved with it
    # when the plan page and its revisions save their items; on a plain model they never are.
    plan = ParentalKey(TrainingPlanPage, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(
        _("content"), max_length=200, help_text=_("What is taught, e.g. the course title.")
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_items",
    )
    method = models.CharField(_("method"), max_length=16, choices=TrainingMethod.choices)
    target_positions = ParentalManyToManyField(
        "lms.Position", verbose_name=_("target positions"), blank=True, related_name="+"
    )
    target_departments = ParentalManyToManyField(
        "lms.Department", verbose_name=_("target departments"), blank=True, related_name="+"
    )
    planned_month = models.PositiveSmallIntegerField(
        _("planned month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    trainer = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("course")]),
        FieldRowPanel([FieldPanel("method"), FieldPanel("planned_month"), FieldPanel("hours")]),
        FieldRowPanel([FieldPanel("trainer"), FieldPanel("budget")]),
        FieldPanel("target_positions", widget=forms.CheckboxSelectMultiple),
        FieldPanel("target_departments", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self):
        return self.title


class CourseIndexPage(SignInRequiredMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, **limited(20000, rich=True))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["courses.CoursePage", "courses.QuestionnairePage"]
    max_count = 1
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from lms.roles import get_employee

        context = super().get_context(request, *args, **kwargs)
        courses = CoursePage.objects.child_of(self).live().with_lesson_counts()
        employee = get_employee(request.user)
        if employee is not None:
            courses = courses.with_progress(employee)
        category = request.GET.get("category")
        if category in CourseCategory.values:
            courses = courses.filter(category=category)
        context.update(
            {
                "courses": courses.order_by("category", "title"),
                "categories": CourseCategory.choices,
                "category": category,
                "employee": employee,
            }
        )
        return context


class CoursePageQuerySet(PageQuerySet):
    def using_document(self, document):
        """Courses whose materials or lessons hold ``document`` (a document block, a video file
        or a link in rich text), as Wagtail's reference index records them."""
        from django.contrib.contenttypes.models import ContentType
        from wagtail.models import ReferenceIndex

        ids = (
            ReferenceIndex.get_references_to(document)
            .filter(content_type=ContentType.objects.get_for_model(CoursePage))
            .values_list("object_id", flat=True)
        )
        return self.filter(pk__in=[int(pk) for pk in ids])

    def open_to(self, request):
        """Of these courses, those ``request``'s user may open: live ones whose page privacy
        lets them in, and any they may edit (a trainer's draft)."""
        return [
            course
            for course in self
            if course.permissions_for_user(request.user).can_edit()
            or (
                course.live
                and all(r.accept_request(request) for r in course.get_view_restrictions())
            )
        ]

    def with_lesson_counts(self):
        return self.annotate(lesson_count=Count("lessons", distinct=True))

    def with_progress(self, employee):
        """Annotate how many of each course's lessons the employee has finished."""
        return self.annotate(
            lessons_done=Count(
                "lessons__progress",
                filter=Q(
                    lessons__progress__employee=employee,
                    lessons__progress__completed_at__isnull=False,
                ),
                distinct=True,
            )
        )


CoursePageManager = PageManager.from_queryset(CoursePageQuerySet)


def new_course_code() -> str:
    """A course code no course has yet (a copied course gets one; the trainer may change it)."""
    return f"K-{secrets.token_hex(4).upper()}"


class CoursePage(SignInRequiredMixin, Page):
    code = models.CharField(
        pgettext_lazy("courses", "course code"),
        max_length=32,
        unique=True,
        default=new_course_code,
        help_text=_("Used in spreadsheets (imports of external training records)."),
    )
    category = models.CharField(
        pgettext_lazy("courses", "category"), max_length=16, choices=CourseCategory.choices
    )
    summary = models.TextField(_("summary"), **limited(500))
    hours = models.DecimalField(
        _("training hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )
    prerequisites = ParentalManyToManyField(
        "self",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
    )
    self_enrolment = models.BooleanField(
        _("self-enrolment allowed"),
        default=True,
        help_text=_("Employees may enrol themselves in this course's sessions."),
    )
    materials = StreamField(
        MaterialStreamBlock(), verbose_name=_("materials"), blank=True, use_json_field=True
    )

    objects = CoursePageManager()

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("code"), FieldPanel("category")]),
                FieldRowPanel([FieldPanel("hours"), FieldPanel("credits")]),
                FieldPanel("summary"),
                FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
                FieldPanel("self_enrolment"),
            ],
            heading=_("Course"),
        ),
        FieldPanel("materials"),
        InlinePanel("lessons", label=_("lessons"), heading=_("Lessons")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("code"),
        index.FilterField("category"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = []
    template = "courses/course_page.html"
    # Codes are unique: a copy gets a new one (new_course_code) instead of a database error.
    exclude_fields_in_copy = ["code"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title

    def get_context(self, request, *args, **kwargs):
        from lms.roles import get_employee

        context = super().get_context(request, *args, **kwargs)
        employee = get_employee(request.user)
        lessons = list(self.lessons.order_by("sort_order", "pk"))
        progress = {}
        enrolled_session_ids = set()
        if employee is not None:
            progress = {
                p.lesson_id: p
                for p in LessonProgress.objects.filter(employee=employee, lesson__in=lessons)
            }
            enrolled_session_ids = set(
                Enrollment.objects.filter(employee=employee, session__course=self).values_list(
                    "session_id", flat=True
                )
            )
        for lesson in lessons:
            lesson.employee_progress = progress.get(lesson.pk)
        done = sum(1 for p in progress.values() if p.completed_at)
        sessions = (
            TrainingSession.objects.filter(course=self, ends_at__gte=timezone.now())
            .select_related("trainer")
            .with_enrolled_count()
            .order_by("starts_at")
        )
        context.update(
            {
                "employee": employee,
                "lessons": lessons,
                "lessons_done": done,
                "progress_percent": round(100 * done / len(lessons)) if lessons else 0,
                "sessions": sessions,
                "enrolled_session_ids": enrolled_session_ids,
                "prerequisite_courses": self.prerequisites.live().order_by("title"),
            }
        )
        return context


class Lesson(Orderable):
    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(pgettext_lazy("courses", "title"), max_length=200)
    minutes = models.PositiveSmallIntegerField(_("study time (minutes)"), default=20)
    body = StreamField(MaterialStreamBlock(), verbose_name=_("content"), use_json_field=True)

    panels = [FieldRowPanel([FieldPanel("title"), FieldPanel("minutes")]), FieldPanel("body")]

    class Meta(Orderable.Meta):
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self):
        return self.title


class LessonProgressQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class LessonProgress(models.Model):
    """An employee's progress through one lesson: opened first, then finished."""

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.PROTECT, related_name="progress"
    )
    opened_at = models.DateTimeField(_("first opened"))
    completed_at = models.DateTimeField(pgettext_lazy("courses", "finished"), null=True, blank=True)

    objects = LessonProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["employee", "lesson"], name="courses_progress_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.lesson}"


# Delivery ------------------------------------------------------------------------------------


def new_check_in_code():
    return f"{secrets.randbelow(10**6):06d}"


class TrainingSessionQuerySet(models.QuerySet):
    def with_enrolled_count(self):
        return self.annotate(enrolled_count=Count("enrollments", distinct=True))

    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now())


class TrainingSession(models.Model):
    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(pgettext_lazy("courses", "title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ON_SITE)
    location = models.CharField(
        _("location or meeting link"), max_length=200, blank=True, default=""
    )
    trainer = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    check_in_code = models.CharField(
        _("check-in code"),
        max_length=12,
        default=new_check_in_code,
        help_text=_("Employees type this code (or scan its QR code) to check in."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.display_title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    @property
    def display_title(self):
        return self.title or self.course.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})

    @property
    def hours(self):
        return self.course.hours

    def check_in_window(self):
        grace = datetime.timedelta(minutes=settings.COURSES_CHECK_IN_GRACE_MINUTES)
        return self.starts_at - grace, self.ends_at + grace


class EnrollmentQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class Enrollment(models.Model):
    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        ASSIGNED = "assigned", _("Assigned")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    source = models.CharField(
        pgettext_lazy("courses", "source"), max_length=16, choices=Source.choices
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "employee__number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="courses_enrol_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.session}"


class AttendanceQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF


class Attendance(models.Model):
    class Method(models.TextChoices):
        ROSTER = "roster", _("Recorded by the trainer")
        CHECK_IN = "check_in", _("Checked in with the session code")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    present = models.BooleanField(_("present"), default=True)
    method = models.CharField(_("how recorded"), max_length=16, choices=Method.choices)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("courses", "attendance")
        verbose_name_plural = pgettext_lazy("courses", "attendance")
        ordering = ["session", "employee__number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="courses_attend_once")
        ]

    def __str__(self):
        return f"{self.employee} · {self.session}"


class CompletionQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF

    def in_period(self, start, end):
        return self.filter(completed_on__gte=start, completed_on__lte=end)


class Completion(ChangeStamped):
    """A course (or an external training) finished by an employee, with its hours."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online lessons")
        SESSION = "session", _("Session attendance")
        EXTERNAL = "external", _("External training record")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("training hours"), max_digits=6, decimal_places=1)
    credits = models.DecimalField(_("credits"), max_digits=6, decimal_places=1, default=0)
    source = models.CharField(
        pgettext_lazy("courses", "source"), max_length=16, choices=Source.choices
    )
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=pgettext_lazy("courses", "session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completions",
    )
    provider = models.CharField(
        _("training provider"), max_length=200, blank=True, help_text=_("For external training.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "employee__number"]
        indexes = [models.Index(fields=["employee", "course", "completed_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "session"],
                condition=Q(session__isnull=False),
                name="courses_complete_session_once",
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.course} · {self.completed_on}"


# Required training ---------------------------------------------------------------------------


class TrainingRule(models.Model):
    """ "Position P (or department D) must complete course C once by a date / every N months"."""

    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="rules"
    )
    position = models.ForeignKey(
        "lms.Position",
        verbose_name=pgettext_lazy("courses", "position"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_rules",
    )
    department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="training_rules",
        help_text=_("Applies to the department and every department below it."),
    )
    due_on = models.DateField(
        _("first due date"),
        help_text=_("Everyone in scope must have completed the course by this date."),
    )
    interval_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for a course that is completed once."),
    )
    active = models.BooleanField(pgettext_lazy("courses", "active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("position"), FieldPanel("department")]),
        FieldRowPanel([FieldPanel("due_on"), FieldPanel("interval_months")]),
        FieldPanel("active"),
    ]

    class Meta:
        verbose_name = _("required training rule")
        verbose_name_plural = _("required training rules")
        ordering = ["course__title", "pk"]

    def __str__(self):
        audience = " / ".join(str(x) for x in (self.position, self.department) if x)
        return f"{self.course} · {audience}"

    def clean(self):
        if not self.position_id and not self.department_id:
            raise ValidationError(_("Choose a position, a department or both."))


class AssignmentQuerySet(ScopedQuerySet):
    full_access_roles = TRAINING_STAFF

    def open(self):
        return self.filter(completion__isnull=True)

    def done(self):
        return self.filter(completion__isnull=False)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due(self, today=None):
        return self.open().filter(due_on__gte=today or timezone.localdate())

    def with_status(self, status, today=None):
        return {"due": self.due, "overdue": self.overdue, "done": self.done}[status](
            **({} if status == "done" else {"today": today})
        )


class Assignment(models.Model):
    """Someone who must complete a course by a date; done once a completion is linked."""

    class Status(models.TextChoices):
        DUE = "due", pgettext_lazy("courses", "Due")
        OVERDUE = "overdue", _("Overdue")
        DONE = "done", _("Done")

    employee = models.ForeignKey(
        "lms.Employee",
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="training_assignments",
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), on_delete=models.PROTECT, related_name="assignments"
    )
    rule = models.ForeignKey(
        TrainingRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    due_on = models.DateField(_("due"))
    completion = models.ForeignKey(
        Completion,
        verbose_name=_("completion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due_on", "employee__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course"],
                condition=Q(completion__isnull=True),
                name="courses_one_open_assignment",
            )
        ]

    def __str__(self):
        return f"{self.employee} · {self.course} · {self.due_on}"

    @property
    def status(self):
        if self.completion_id:
            return self.Status.DONE
        if self.due_on < timezone.localdate():
            return self.Status.OVERDUE
        return self.Status.DUE

    def get_status_display(self):
        return self.Status(self.status).label


# Effectiveness -------------------------------------------------------------------------------


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

        from lms.roles import get_employee

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
                from . import services

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


from .scorm.models import *  # noqa: E402, F403  (SCORM packages live in courses/scorm)
from .video.models import *  # noqa: E402, F403  (tracked video lives in courses/video)
