"""Courses and their lessons (Wagtail pages), the catalogue, and each employee's progress through
the lessons."""

import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from lms.roles import ScopedQuerySet, get_employee
from lms.validators import limited
from lms.widgets import CheckboxList

from ..blocks import MaterialStreamBlock
from .base import TRAINING_STAFF, CourseCategory, SignInRequiredMixin
from .sessions import Enrollment, TrainingSession


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
                FieldPanel("prerequisites", widget=CheckboxList),
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
