from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, PageManager
from wagtail.models.pages import PageQuerySet
from wagtail.search import index

from lms.validators import limited

from ..page_forms import EmergencyPlanPageForm


class PlanSection(models.TextChoices):
    """The four parts every emergency plan has; drills say which of them they exercise."""

    ORGANISATION = "organisation", _("Organisation and duties")
    RESPONSE = "response", _("Response procedure")
    DISPOSAL = "disposal", _("Disposal measures")
    RESOURCES = "resources", _("Resource guarantees")


class EmergencyPlanIndexPage(Page):
    """The folder of emergency plans (应急预案库)."""

    intro = RichTextField(_("introduction"), blank=True, **limited(20000, rich=True))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["drills.EmergencyPlanPage"]
    max_count = 1

    class Meta:
        verbose_name = _("emergency plan index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plans"] = EmergencyPlanPage.objects.child_of(self).live().order_by("code")
        return context


class PlanQuerySet(PageQuerySet):
    def with_org(self):
        return self.select_related("owning_department")


class EmergencyPlanPage(Page):
    """An emergency plan (应急预案) with its four sections; revisions carry a reason."""

    class Level(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("Comprehensive plan")
        SPECIAL = "special", _("Special plan")
        ONSITE = "onsite", _("On-site disposal plan")

    class Hazard(models.TextChoices):
        NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
        GRID_FAULT = "grid_fault", _("Grid fault")
        MASS_CUSTOMER = "mass_customer", _("Mass customer incident")
        OTHER = "other", _("Other")

    code = models.CharField(_("plan code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard.choices)
    owning_department = models.ForeignKey(
        "lms.Department",
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
    )
    summary = models.TextField(_("scope and purpose"), blank=True, **limited(2000))
    organisation = RichTextField(
        _("organisation and duties"), blank=True, **limited(50000, rich=True)
    )
    response = RichTextField(_("response procedure"), blank=True, **limited(50000, rich=True))
    disposal = RichTextField(_("disposal measures"), blank=True, **limited(50000, rich=True))
    resources = RichTextField(_("resource guarantees"), blank=True, **limited(50000, rich=True))

    objects = PageManager.from_queryset(PlanQuerySet)()
    # The form carries the revision's reason, explanation and the corrective actions it closes.
    base_form_class = EmergencyPlanPageForm

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("level"),
                FieldPanel("hazard"),
                FieldPanel("owning_department"),
                FieldPanel("summary"),
            ],
            heading=_("Plan"),
        ),
        FieldPanel("organisation"),
        FieldPanel("response"),
        FieldPanel("disposal"),
        FieldPanel("resources"),
        InlinePanel("attachments", label=_("Attachments")),
        MultiFieldPanel(
            [
                FieldPanel("revision_reason"),
                FieldPanel("revision_explanation"),
                FieldPanel("closes_actions"),
            ],
            heading=_("Why this revision"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("code"),
        index.SearchField("summary"),
        index.FilterField("hazard"),
        index.FilterField("level"),
    ]
    parent_page_types = ["drills.EmergencyPlanIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")

    def __str__(self):
        return f"{self.code} {self.title}"

    def section_text(self, key):
        return getattr(self, key)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["revision_notes"] = self.revision_notes.select_related(
            "created_by"
        ).prefetch_related("closed_actions__finding__drill")
        return context


class PlanAttachment(Orderable):
    page = ParentalKey(EmergencyPlanPage, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(pgettext_lazy("drills", "title"), max_length=200)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    panels = [FieldPanel("title"), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class PlanRevisionNote(models.Model):
    """Why a plan revision was made, and the corrective actions it closes (reverse FK)."""

    class Reason(models.TextChoices):
        PERIODIC_REVIEW = "periodic_review", _("Periodic review")
        DRILL_FINDING = "drill_finding", _("Drill finding")
        INCIDENT = "incident", _("Incident")
        REGULATION_CHANGE = "regulation_change", _("Regulation change")

    revision = models.OneToOneField(
        "wagtailcore.Revision",
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="plan_note",
    )
    plan = models.ForeignKey(
        EmergencyPlanPage,
        verbose_name=pgettext_lazy("drills", "plan"),
        on_delete=models.PROTECT,
        related_name="revision_notes",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    explanation = models.TextField(
        pgettext_lazy("drills", "explanation"), blank=True, **limited(4000)
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan revision note")
        verbose_name_plural = _("plan revision notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.plan.code} · {self.get_reason_display()} · {self.created_at:%Y-%m-%d}"
