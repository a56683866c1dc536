"""The employee portal: five sections, each filled by panels that the apps register.

Until an app registers a richer panel, every section shows the employee's archive entries of the
categories that belong to it, so each section shows real (possibly empty) state from day one.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .hooks import (
    PORTAL_MENU_HOOK,
    PORTAL_PANEL_HOOK,
    WORKBENCH_HOOK,
    ArchiveCategory,
    _flatten,
    archive_entries,
)
from .roles import Role, get_employee


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    icon: str
    empty_text: str
    categories: tuple[str, ...]

    @property
    def url(self):
        return reverse("portal:section", args=[self.slug])


SECTIONS = (
    Section(
        "learning",
        _("My learning"),
        "📘",
        _("No training records yet. Assigned courses and sessions will appear here."),
        (ArchiveCategory.TRAINING, ArchiveCategory.ATTENDANCE),
    ),
    Section(
        "exams",
        _("My exams"),
        "📝",
        _("No exam results yet. Exams open to you will appear here."),
        (ArchiveCategory.EXAM, ArchiveCategory.CERTIFICATE, ArchiveCategory.QUALIFICATION),
    ),
    Section(
        "archive",
        _("My archive"),
        "🗂",
        _("Your training archive has no records yet."),
        tuple(ArchiveCategory.values),
    ),
    Section(
        "development",
        _("My development"),
        "🎯",
        _("No development plan, rotation or appraisal result yet."),
        (ArchiveCategory.DEVELOPMENT, ArchiveCategory.ROTATION, ArchiveCategory.APPRAISAL),
    ),
    Section(
        "drills",
        _("My drills"),
        "🚨",
        _("You have not taken part in an emergency drill yet."),
        (ArchiveCategory.DRILL,),
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


@dataclass(frozen=True)
class PanelSummary:
    """A line on the portal home card: a count and what it counts."""

    count: int
    label: str
    attention: bool = False


class PortalPanel:
    """A block in one portal section. Subclass, set the attributes, register with the hook."""

    section: str = ""
    title: str = ""
    order: int = 100
    template_name: str = ""

    def is_shown(self, request, employee) -> bool:
        return True

    def get_context_data(self, request, employee) -> dict:
        return {}

    def summary(self, request, employee) -> PanelSummary | None:
        """What the portal home card says about this panel; None to say nothing."""
        return None

    def render(self, request, employee) -> str:
        context = {"panel": self, "employee": employee, "request": request}
        context.update(self.get_context_data(request, employee))
        return render_to_string(self.template_name, context, request=request)


def registered_panels(section_slug=None) -> list[PortalPanel]:
    panels = list(_flatten(fn() for fn in hooks.get_hooks(PORTAL_PANEL_HOOK)))
    if section_slug is not None:
        panels = [panel for panel in panels if panel.section == section_slug]
    return sorted(panels, key=lambda panel: panel.order)


def section_context(request, section: Section, *, year=None) -> dict:
    employee = get_employee(request.user)
    panels = [p for p in registered_panels(section.slug) if p.is_shown(request, employee)]
    rendered = [p.render(request, employee) for p in panels] if employee else []
    entries = (
        archive_entries(employee, year=year, categories=section.categories) if employee else []
    )
    years = sorted({entry.date.year for entry in entries}, reverse=True)
    return {
        "section": section,
        "sections": SECTIONS,
        "employee": employee,
        "panels_html": rendered,
        "entries": entries,
        "year": year,
        "years": years,
    }


def portal_home_context(request) -> dict:
    """Context for the portal home: one card per section with its panel summaries."""
    employee = get_employee(request.user)
    if employee is None:
        return {"employee": None, "cards": [], "workbench": workbench(request)}
    employee._archive_memo = {}  # the cards and the panels' summaries read the archive once
    entries = archive_entries(employee)
    panels = registered_panels()
    cards = []
    for section in SECTIONS:
        summaries = [
            summary
            for panel in panels
            if panel.section == section.slug and panel.is_shown(request, employee)
            for summary in [panel.summary(request, employee)]
            if summary is not None
        ]
        record_count = sum(1 for entry in entries if entry.category in section.categories)
        cards.append({"section": section, "summaries": summaries, "record_count": record_count})
    return {"employee": employee, "cards": cards, "workbench": workbench(request)}


def menu_links() -> list[dict]:
    """The portal menu's shared places (after the personal sections), in order."""
    links = sorted(
        _flatten(fn() for fn in hooks.get_hooks(PORTAL_MENU_HOOK)), key=lambda m: m.order
    )
    return [
        {
            "slug": link.url_name,
            "title": link.title,
            "icon": link.icon,
            "url": reverse(link.url_name),
        }
        for link in links
    ]


def workbench(request) -> list[dict]:
    """What waits for the signed-in user, one group per role they hold, in the roles' order."""
    items = list(_flatten(fn(request) for fn in hooks.get_hooks(WORKBENCH_HOOK)))
    order = {role.value: i for i, role in enumerate(Role)}
    groups = {}
    for item in items:
        groups.setdefault(item.role, []).append(item)
    labels = dict(Role.choices)
    for item in items:
        if item.role_label:
            labels.setdefault(item.role, item.role_label)
    return [
        {"role": labels.get(role, role), "items": groups[role]}
        for role in sorted(groups, key=lambda role: order.get(role, len(order)))
    ]


def redirect_to_first_live(*querysets):
    """For a portal menu entry whose page may move in the tree: a redirect to the first live
    page of the first queryset that has one (in tree order), or 404."""
    from django.http import Http404
    from django.shortcuts import redirect

    for queryset in querysets:
        page = queryset.live().order_by("path").first()
        if page is not None:
            return redirect(page.url)
    raise Http404
