"""The annual training plan: its index page, the plan pages and their items."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from lms.choosers import employee_chooser_viewset
from lms.validators import limited
from lms.widgets import CheckboxList

from ..page_forms import TrainingPlanPageForm
from .base import SignInRequiredMixin, TrainingMethod


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

    base_form_class = TrainingPlanPageForm
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
        FieldRowPanel(
            [
                FieldPanel("trainer", widget=employee_chooser_viewset.widget_class),
                FieldPanel("budget"),
            ]
        ),
        FieldPanel("target_positions", widget=CheckboxList),
        FieldPanel("target_departments", widget=CheckboxList),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")

    def __str__(self):
        return self.title
