"""Admin building blocks every app's viewsets use.

* ``ScopedModelViewSet``: a ModelViewSet whose listing and object views only reach rows that
  ``Model.objects.visible_to(request.user)`` returns (a row out of scope is a 404).
* ``SpreadsheetViewSetMixin``: import (upload → preview → confirm, all-or-nothing) and export of
  XLSX and CSV through a django-import-export resource, with header buttons on the listing.
"""

import os
import uuid

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from . import audit
from .exceptions import DomainError
from .importing import (
    FORMATS,
    IMPORT_HELP,
    ImportFileError,
    ImportReport,
    import_summary,
    run_import,
    upload_reader,
)
from .jobs import job_start
from .roles import has_role


class ScopedIndexView(generic.IndexView):
    """A listing of only the rows ``visible_to`` the signed-in user."""

    def get_base_queryset(self):
        return super().get_base_queryset().visible_to(self.request.user)


class ScopedObjectMixin:
    """An object view that answers 404 for a row outside the user's scope."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ServiceFormErrorsMixin:
    """A create or edit view whose service refuses (``lms.exceptions.DomainError`` or a
    ``ValidationError``): the refusal becomes form errors on the fields it names (or on the
    form), nothing is saved. ``service_error_fields`` maps a service's field name to the
    form's where they differ."""

    service_error_fields: dict[str, str] = {}

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, DomainError) as error:
            self.add_service_errors(form, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def add_service_errors(self, form, error):
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                field = self.service_error_fields.get(field, field)
                form.add_error(field if field in form.fields else None, messages)
        elif isinstance(error, ValidationError):
            form.add_error(None, error.messages)
        else:
            form.add_error(None, str(error))


class ServiceRefusalMessageMixin:
    """A delete view whose service refuses (``DomainError`` or ``ValidationError``): the
    refusal is shown as an error message on the page ``refused_url_name`` names (the object's
    edit page; the listing where it has none), nothing is deleted. The delete views'
    counterpart of ``ServiceFormErrorsMixin``."""

    refused_to_index = False

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, DomainError) as error:
            messages.error(self.request, " ".join(_service_messages(error)))
            if self.refused_to_index:
                return redirect(self.index_url_name)
            return redirect(self.edit_url_name, self.object.pk)


def _service_messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error)]


class InspectView(generic.InspectView):
    """Wagtail's, where an empty value reads "—" (Wagtail prints Python's None)."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None else value


class ScopedInspectView(InspectView):
    """Inspect only rows the user may see; others are a 404."""

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.model._default_manager.visible_to(self.request.user), pk=unquote(str(self.pk))
        )


class ScopedBaseObjectMixin:
    """For Wagtail's history and usage screens: a row outside the user's scope is a 404."""

    def get_base_object_queryset(self):
        return super().get_base_object_queryset().visible_to(self.request.user)


class ScopedHistoryView(ScopedBaseObjectMixin, HistoryView):
    pass


class ScopedUsageView(ScopedBaseObjectMixin, UsageView):
    pass


class ScopedModelViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False


class SpreadsheetIndexViewMixin:
    """Adds Import and Export buttons to a listing."""

    spreadsheet_viewset = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        viewset = self.spreadsheet_viewset
        if viewset.user_can_import(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Import"), url=reverse(viewset.get_url_name("import")), icon_name="upload"
                )
            )
        if viewset.user_can_export(self.request.user):
            for file_format in ("xlsx", "csv"):
                buttons.append(
                    HeaderButton(
                        _("Export %(format)s") % {"format": file_format.upper()},
                        url=reverse(viewset.get_url_name("export"), args=[file_format]),
                        icon_name="download",
                    )
                )
        return buttons


class ImportView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """Upload → preview (dry run; every bad row named) → confirm (the same file, for real)."""

    template_name = "lms/admin/import.html"
    viewset = None
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.user_can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Import %(things)s") % {"things": self.viewset.model._meta.verbose_name_plural}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": self.viewset.menu_label},
            {"url": "", "label": _("Import")},
        ]

    # The uploaded file waits between preview and confirmation in the default storage (a private
    # prefix: nothing links to it), so the confirming request or the background worker may run
    # on another machine than the one that took the upload.
    def _pending_name(self, token, file_format):
        try:
            token = str(uuid.UUID(token))
        except (TypeError, ValueError, AttributeError):
            raise Http404 from None
        if file_format not in FORMATS:
            raise Http404
        return f"imports/pending/{self.request.user.pk}-{token}.{file_format}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "viewset": self.viewset,
                "columns": self.viewset.import_columns_help(),
                "help_text": IMPORT_HELP,
                "max_size_mb": round(settings.IMPORT_MAX_FILE_SIZE / 1024 / 1024, 1),
                "template_url": reverse(self.viewset.get_url_name("export"), args=["xlsx"])
                + "?template=1",
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self._confirm(request)
        upload = request.FILES.get("import_file")
        if upload is None:
            return self.render_to_response(
                self.get_context_data(file_error=_("Choose a file to import."))
            )
        try:
            content = upload.read(settings.IMPORT_MAX_FILE_SIZE + 1)
            dataset = upload_reader(self.viewset.resource_class)(content, name=upload.name)
        except ImportFileError as error:
            return self.render_to_response(self.get_context_data(file_error=str(error)))
        file_format = upload.name.rsplit(".", 1)[-1].lower()
        report = self._run(dataset, dry_run=True)
        token = None
        if report.ok:
            token = str(uuid.uuid4())
            default_storage.save(self._pending_name(token, file_format), ContentFile(content))
        return self.render_to_response(
            self.get_context_data(
                report=report, token=token, file_format=file_format, file_name=upload.name
            )
        )

    def _run(self, dataset, *, dry_run):
        resource = self.viewset.get_resource(user=self.request.user)
        try:
            return run_import(resource, dataset, dry_run=dry_run, user=self.request.user)
        except ValidationError as error:
            return ImportReport(file_problems=list(error.messages))

    def _confirm(self, request):
        token = request.POST.get("token")
        file_format = request.POST.get("file_format")
        pending = self._pending_name(token, file_format)
        if not default_storage.exists(pending):
            messages.error(
                request, _("That import has expired or was already done; upload the file again.")
            )
            return redirect(self.viewset.get_url_name("import"))
        with default_storage.open(pending, "rb") as handle:
            content = handle.read()
        # The name only names the file in messages; the format is the one checked at upload.
        name = os.path.basename(request.POST.get("file_name", ""))[:200]
        if not name.lower().endswith(f".{file_format}"):
            name = f"upload.{file_format}"
        try:
            dataset = upload_reader(self.viewset.resource_class)(content, name=name)
        except ImportFileError as error:
            default_storage.delete(pending)
            return self.render_to_response(self.get_context_data(file_error=str(error)))
        if len(dataset) > settings.IMPORT_BACKGROUND_ROWS:
            # Large files are imported by a task worker; the job page shows its progress and
            # every bad row, and the worker removes the pending file when it is done.
            job = self._start_background_import(pending, file_format, len(dataset))
            return redirect("lms_jobs:detail", job.pk)
        default_storage.delete(pending)
        report = self._run(dataset, dry_run=False)
        if not report.ok:
            # Something changed between preview and confirmation; nothing was saved.
            return self.render_to_response(self.get_context_data(report=report))
        messages.success(request, import_summary(report))
        return redirect(self.viewset.get_url_name("index"))

    def _start_background_import(self, pending, file_format, rows):
        from .tasks import run_spreadsheet_import

        resource_class = self.viewset.resource_class
        return job_start(
            kind="lms.spreadsheet_import",
            task=run_spreadsheet_import,
            owner=self.request.user,
            title=self.get_page_title(),
            params={
                "resource": f"{resource_class.__module__}.{resource_class.__qualname__}",
                "file": pending,
                "format": file_format,
            },
            total=rows,
        )


class SpreadsheetViewSetMixin:
    """Mix into a ModelViewSet; set ``resource_class``. Import needs add and change permission."""

    resource_class = None
    import_view_class = ImportView
    export_filename_prefix = None
    #: Log each export in the audit trail (exports that carry personal data).
    logs_exports = False

    def get_resource(self, user=None):
        return self.resource_class(acting_user=user)

    def user_can_import(self, user):
        policy = self.permission_policy
        return policy.user_has_permission(user, "add") and policy.user_has_permission(
            user, "change"
        )

    def user_can_export(self, user):
        return self.permission_policy.user_has_any_permission(user, ["view", "change"])

    def import_columns_help(self):
        return [field.column_name for field in self.get_resource().get_import_fields()]

    @property
    def import_view(self):
        return self.import_view_class.as_view(viewset=self)

    def export_view(self, request, file_format):
        if not self.user_can_export(request.user):
            raise PermissionDenied
        if file_format not in FORMATS:
            raise Http404
        resource = self.get_resource(user=request.user)
        queryset = resource.get_queryset().visible_to(request.user)
        if request.GET.get("template"):
            queryset = queryset.none()
        dataset = resource.export(queryset=queryset)
        if self.logs_exports and not request.GET.get("template"):
            audit.record_export(
                self.model,
                user=request.user,
                what=_("%(things)s (%(format)s)")
                % {"things": self.model._meta.verbose_name_plural, "format": file_format},
                rows=len(dataset),
                fields=dataset.headers,
                filters=audit.request_filters(request),
            )
        export_format = FORMATS[file_format]()
        data = export_format.export_data(dataset)
        if isinstance(data, str):
            data = data.encode("utf-8-sig")
        stamp = timezone.localdate().isoformat()
        name = f"{self.export_filename_prefix or self.model._meta.model_name}-{stamp}.{file_format}"
        response = HttpResponse(data, content_type=export_format.get_content_type())
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("import/", self.import_view, name="import"),
            path("export/<str:file_format>/", self.export_view, name="export"),
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(spreadsheet_viewset=self, **kwargs)


class YesNoColumn(Column):
    """A true/false field as 是/否 (a bare column would print ``True``/``False``)."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return "—"
        return pgettext("boolean", "Yes") if value else pgettext("boolean", "No")


def yes_no(model, field_name):
    """The listing column for a boolean field, labelled with the field's verbose name."""
    field = model._meta.get_field(field_name)
    return YesNoColumn(field_name, label=capfirst(field.verbose_name), sort_key=field_name)


class BooleanDisplay(Component):
    """How an inspect view shows a yes/no field: 是/否 in the reader's language, not True/False
    (registered for every BooleanField with ``register_display_class`` in ``LmsConfig``)."""

    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        from django.utils.translation import gettext

        if self.value is None:
            return "—"
        return gettext("Yes") if self.value else gettext("No")


class RoleScreenView(WagtailAdminTemplateMixin, TemplateView):
    """An admin screen (in ``wagtailadmin/generic/base.html``) for the users who have one of
    ``roles``; anyone else in the admin is refused. The admin menu's entries for dashboards and
    lists that the portal also shows are these, fed by the portal page's context function."""

    roles: tuple = ()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, *self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
