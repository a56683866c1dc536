"""The audit trail screen in the admin: HR (and superusers) read and export every audited change.

Filters: date range, action, user, object type and department (the subtree of the department
whose employee's record changed). The XLSX and CSV exports take the same filters; every cell is
neutralised against formula injection, and each export is itself logged.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.filters import ContentTypeFilter, DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.coreutils import get_content_type_label
from wagtail.models import ModelLogEntry

from . import audit
from .models import Department
from .roles import Role, has_role
from .spreadsheets import NeutralisingExportMixin

# What the trail's ``fields`` keys mean, for the screen and the export.
FIELD_LABELS = {
    "score": gettext_lazy("score"),
    "percent": gettext_lazy("percentage"),
    "passed": gettext_lazy("passed"),
    "status": gettext_lazy("status"),
    "item": gettext_lazy("answer"),
    "item_score": gettext_lazy("answer score"),
    "comment": pgettext_lazy("lms", "comment"),
    "revoked": gettext_lazy("revoked"),
    "revoked_reason": gettext_lazy("reason for revocation"),
    "code": gettext_lazy("code"),
    "title": pgettext_lazy("lms", "title"),
    "issued_on": gettext_lazy("issued on"),
    "expires_on": gettext_lazy("expires on"),
    "value": gettext_lazy("value"),
    "source": gettext_lazy("source"),
    "indicator": gettext_lazy("indicator"),
    "total_score": gettext_lazy("total score"),
    "grade": gettext_lazy("grade"),
    "results": gettext_lazy("results"),
    "scores": gettext_lazy("scores"),
    "evaluation_comment": gettext_lazy("evaluation comment"),
    "ratings": gettext_lazy("ratings"),
    "rating": gettext_lazy("rating"),
    "points": gettext_lazy("points"),
    "method": gettext_lazy("verification method"),
    "result": gettext_lazy("verification result"),
    "verified_by": gettext_lazy("verified by"),
    "what": gettext_lazy("export"),
    "rows": gettext_lazy("rows"),
    "fields": gettext_lazy("fields"),
}


def field_label(key):
    return str(FIELD_LABELS.get(key, key))


def _text(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _choice_labels(model, key) -> dict:
    """The translated labels of a field's stored values ("frozen" → 已冻结), if it has choices."""
    try:
        field = model._meta.get_field(key) if model else None
    except FieldDoesNotExist:
        return {}
    # A reverse relation (an entry's key may name one) has no choices.
    choices = getattr(field, "flatchoices", None) or ()
    return {str(value): label for value, label in choices}


def change_lines(data, model=None) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` for each field the entry changed; values of a field of
    ``model`` with choices read as their labels."""
    before, after = data.get("before") or {}, data.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _text(before), _text(after))]
    keys = data.get("fields") or sorted({*before, *after})
    lines = []
    for key in keys:
        labels = _choice_labels(model, key)
        old, new = before.get(key), after.get(key)
        lines.append(
            (
                field_label(key),
                str(labels.get(str(old), _text(old))),
                str(labels.get(str(new), _text(new))),
            )
        )
    return lines


def can_read_audit_trail(user) -> bool:
    return has_role(user, Role.HR)


def trail_queryset():
    return ModelLogEntry.objects.filter(action__in=list(audit.trail_actions()))


class AuditTrailFilterSet(WagtailFilterSet):
    timestamp = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )
    action = django_filters.ChoiceFilter(label=pgettext_lazy("lms", "Action"), choices=())
    user = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Changed by"), queryset=get_user_model().objects.none()
    )
    content_type = ContentTypeFilter(
        label=gettext_lazy("Object type"), queryset=ContentType.objects.none()
    )
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Department"),
        queryset=Department.objects.all(),
        method="filter_department",
    )

    class Meta:
        model = ModelLogEntry
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = sorted(
            ((name, str(label)) for name, label in audit.trail_actions().items()),
            key=lambda choice: choice[1],
        )
        trail = trail_queryset()
        User = get_user_model()
        self.filters["user"].queryset = User.objects.filter(
            pk__in=trail.filter(user__isnull=False).values("user_id")
        ).order_by(User.USERNAME_FIELD)
        self.filters["content_type"].queryset = ContentType.objects.filter(
            pk__in=trail.values("content_type_id")
        ).order_by("model")

    def filter_department(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(data__department_path__startswith=value.path)


class AuditTrailView(NeutralisingExportMixin, ReportView):
    page_title = gettext_lazy("Audit trail")
    header_icon = "history"
    template_name = "wagtailadmin/reports/base_report.html"
    results_template_name = "lms/admin/audit_trail_results.html"
    filterset_class = AuditTrailFilterSet
    index_url_name = "lms_audit_trail"
    index_results_url_name = "lms_audit_trail_results"
    paginate_by = 50
    export_headings = {
        "timestamp": gettext_lazy("When"),
        "user_display": gettext_lazy("Who"),
        "action_label": pgettext_lazy("lms", "Action"),
        "object_type": gettext_lazy("Object type"),
        "label": gettext_lazy("Object"),
        "department_name": gettext_lazy("Department"),
        "before_text": gettext_lazy("Before"),
        "after_text": gettext_lazy("After"),
        "reason": gettext_lazy("Reason"),
    }
    list_export = list(export_headings)

    def dispatch(self, request, *args, **kwargs):
        if not can_read_audit_trail(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return trail_queryset().select_related("user", "content_type").order_by("-timestamp", "-pk")

    def get_filename(self):
        from django.utils import timezone

        return f"audit-trail-{timezone.localdate().isoformat()}"

    def decorate_paginated_queryset(self, object_list):
        entries = list(object_list)
        labels = audit.trail_actions()
        departments = dict(
            Department.objects.filter(
                pk__in={e.data.get("department") for e in entries if e.data.get("department")}
            ).values_list("pk", "name")
        )
        system = _("System")
        for entry in entries:
            data = entry.data or {}
            entry.action_label = str(labels.get(entry.action, entry.action))
            entry.user_display = (
                (entry.user.get_full_name() or entry.user.get_username()) if entry.user else system
            )
            entry.object_type = (
                get_content_type_label(entry.content_type) if entry.content_type else ""
            )
            entry.department_name = departments.get(data.get("department"), "")
            model = entry.content_type.model_class() if entry.content_type else None
            entry.changes = change_lines(data, model)
            entry.before_text = "; ".join(f"{f}: {b}" if f else b for f, b, _a in entry.changes)
            entry.after_text = "; ".join(f"{f}: {a}" if f else a for f, _b, a in entry.changes)
            entry.reason = data.get("reason", "")
        return entries

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            rows = context["object_list"]
            audit.record_export(
                ModelLogEntry,
                user=self.request.user,
                what=_("Audit trail (%(format)s)") % {"format": self.request.GET["export"]},
                rows=len(rows),
                fields=self.list_export,
                filters=audit.request_filters(self.request),
            )
        return super().render_to_response(context, **response_kwargs)
