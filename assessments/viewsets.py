import uuid

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from lms.admin_views import (
    ScopedEditView,
    ScopedModelViewSet,
    ServiceFormErrorsMixin,
    SpreadsheetIndexViewMixin,
    SpreadsheetViewSetMixin,
    yes_no,
)
from lms.importing import XLSX_CONTENT_TYPE
from lms.spreadsheets import dataset_bytes

from . import formats, services
from .formats import export_gift, export_moodle_xml
from .forms import CategoryChoiceField, QuestionCategoryForm, QuestionForm
from .models import Attempt, Certificate, Exam, QualificationRule, Question, QuestionCategory
from .resources import QuestionResource, questions_xlsx


class FormErrorsMixin(ServiceFormErrorsMixin):
    """A question's answer is edited as text on the form."""

    service_error_fields = {"answer": "answer_text"}


class CategoryCreateView(FormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_create(
            name=data["name"],
            parent=data["parent"],
            confidential=data["confidential"],
            acting_user=self.request.user,
        )


class CategoryEditView(FormErrorsMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_update(
            category=QuestionCategory.objects.get(pk=self.object.pk),
            name=data["name"],
            confidential=data["confidential"],
            acting_user=self.request.user,
        )


class QuestionCategoryFilterSet(WagtailFilterSet):
    depth = django_filters.NumberFilter(label=_("Level"))

    class Meta:
        model = QuestionCategory
        fields = ["confidential"]


class QuestionCategoryViewSet(ModelViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    menu_order = 100
    add_view_class = CategoryCreateView
    edit_view_class = CategoryEditView
    copy_view_enabled = False
    # Tree bookkeeping (depth, numchild) shown under names an editor understands.
    list_display = [
        "name",
        Column("depth", label=_("Level"), sort_key="depth"),
        Column("numchild", label=_("Subcategories"), sort_key="numchild"),
        yes_no(QuestionCategory, "confidential"),
    ]
    search_fields = ["name"]
    filterset_class = QuestionCategoryFilterSet
    ordering = ["path"]

    def get_form_class(self, for_update=False):
        return QuestionCategoryForm


# Question files other systems read: format in the URL → (writer, content type, file ending).
QUESTION_FILES = {
    "xml": (export_moodle_xml, "application/xml", "xml"),
    "gift": (export_gift, "text/plain; charset=utf-8", "gift.txt"),
}


class QuestionIndexView(SpreadsheetIndexViewMixin, generic.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.spreadsheet_viewset.user_can_import(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Import Moodle XML or GIFT"),
                    url=reverse(self.spreadsheet_viewset.get_url_name("import_file")),
                    icon_name="upload",
                )
            )
        if self.spreadsheet_viewset.user_can_export(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Export Moodle XML"),
                    url=reverse(self.spreadsheet_viewset.get_url_name("export"), args=["xml"]),
                    icon_name="download",
                )
            )
            buttons.append(
                HeaderButton(
                    _("Export GIFT"),
                    url=reverse(self.spreadsheet_viewset.get_url_name("export"), args=["gift"]),
                    icon_name="download",
                )
            )
        return buttons


class QuestionFileForm(forms.Form):
    question_file = forms.FileField(
        label=_("Moodle XML or GIFT file"), help_text=_("A .xml file, or .gift / .txt.")
    )
    category = CategoryChoiceField(
        label=pgettext_lazy("assessments", "category"),
        queryset=QuestionCategory.objects.all(),
        required=False,
        help_text=_("For questions the file puts in no category."),
    )
    skip_unsupported = forms.BooleanField(
        label=_("Skip questions of types this site does not hold"),
        required=False,
        help_text=_(
            "Import all the others and list each one left out with its reason. Unticked, "
            "one such question stops the whole file."
        ),
    )


class QuestionFileImportView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """Upload → preview (a dry run: what is created, skipped, refused, cleaned) → confirm.

    All or nothing either way; the confirmed file is the one previewed, kept in the default
    storage under a private name until then."""

    template_name = "assessments/admin/question_file_import.html"
    viewset = None
    header_icon = "upload"
    page_title = _("Import Moodle XML or GIFT")

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.user_can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": self.viewset.menu_label},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", QuestionFileForm())
        return super().get_context_data(**kwargs)

    def _pending(self, token, extension):
        try:
            token = str(uuid.UUID(str(token)))
        except ValueError:
            raise Http404 from None
        if extension not in ("xml", "gift"):
            raise Http404
        return f"imports/pending/{self.request.user.pk}-{token}.{extension}"

    def _run(self, content, extension, form_data, *, dry_run):
        parse = formats.parse_moodle_xml if extension == "xml" else formats.parse_gift
        questions = parse(content)
        return formats.import_question_file(
            questions,
            default_category=form_data.get("category"),
            dry_run=dry_run,
            skip_unsupported=bool(form_data.get("skip_unsupported")),
            acting_user=self.request.user,
        )

    def post(self, request, *args, **kwargs):
        form = QuestionFileForm(request.POST, request.FILES)
        if "confirm" in request.POST:
            form.fields["question_file"].required = False
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if "confirm" in request.POST:
            return self._confirm(request, form)
        upload = form.cleaned_data["question_file"]
        extension = "xml" if upload.name.lower().endswith(".xml") else "gift"
        try:
            content = formats.read_question_file(upload, name=upload.name)
            report = self._run(content, extension, form.cleaned_data, dry_run=True)
        except formats.QuestionFileError as error:
            return self.render_to_response(self.get_context_data(form=form, file_error=error))
        token = None
        if report.ok and report.created:
            token = str(uuid.uuid4())
            default_storage.save(self._pending(token, extension), ContentFile(content))
        return self.render_to_response(
            self.get_context_data(
                form=form,
                report=report,
                problems=[formats.problem_label(p) for p in report.problems],
                skipped=[formats.problem_label(p) for p in report.skipped],
                token=token,
                extension=extension,
                file_name=upload.name,
            )
        )

    def _confirm(self, request, form):
        pending = self._pending(request.POST.get("token"), request.POST.get("extension"))
        if not default_storage.exists(pending):
            messages.error(
                request, _("That import has expired or was already done; upload the file again.")
            )
            return redirect(self.viewset.get_url_name("import_file"))
        with default_storage.open(pending, "rb") as handle:
            content = handle.read()
        default_storage.delete(pending)
        report = self._run(content, request.POST.get("extension"), form.cleaned_data, dry_run=False)
        if not report.ok:
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    report=report,
                    problems=[formats.problem_label(p) for p in report.problems],
                )
            )
        messages.success(
            request,
            _("Created %(created)s question(s); %(skipped)s skipped.")
            % {"created": report.created, "skipped": len(report.skipped)},
        )
        return redirect(self.viewset.get_url_name("index"))


class QuestionCreateView(FormErrorsMixin, generic.CreateView):
    def save_instance(self):
        fields = self.form.question_fields()
        return services.question_create(acting_user=self.request.user, **fields)


class QuestionEditView(FormErrorsMixin, generic.EditView):
    def save_instance(self):
        return services.question_update(
            question=Question.objects.get(pk=self.object.pk),
            acting_user=self.request.user,
            **self.form.question_fields(),
        )


class QuestionViewSet(SpreadsheetViewSetMixin, ModelViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    menu_order = 200
    resource_class = QuestionResource
    export_filename_prefix = "questions"
    index_view_class = QuestionIndexView
    add_view_class = QuestionCreateView
    edit_view_class = QuestionEditView
    copy_view_enabled = False
    list_display = [
        "__str__",
        "type",
        "category_name",
        "difficulty",
        "points",
        "version",
        yes_no(Question, "is_active"),
        yes_no(Question, "flagged"),
    ]
    list_filter = ["type", "difficulty", "is_active", "flagged"]
    search_fields = ["stem", "explanation"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return QuestionForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "import-file/",
                QuestionFileImportView.as_view(viewset=self),
                name="import_file",
            ),
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Question.objects.select_related("category"), **kwargs
        )

    def export_view(self, request, file_format):
        # The question bank has no per-user scope (no ``visible_to``): every format is built here.
        if file_format not in ("xlsx", "csv", "xml", "gift"):
            raise Http404
        if not self.user_can_export(request.user):
            raise PermissionDenied
        if file_format in QUESTION_FILES:
            export, content_type, extension = QUESTION_FILES[file_format]
            response = HttpResponse(export(Question.objects.all()), content_type=content_type)
            name = f"questions-{timezone.localdate().isoformat()}.{extension}"
            response["Content-Disposition"] = content_disposition_header(True, name)
            return response
        queryset = Question.objects.all()
        if request.GET.get("template"):
            queryset = queryset.none()
        if file_format == "csv":
            data = dataset_bytes(QuestionResource().export(queryset=queryset), "csv")
            response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(questions_xlsx(queryset), content_type=XLSX_CONTENT_TYPE)
        name = f"questions-{timezone.localdate().isoformat()}.{file_format}"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


class ReportColumn(Column):
    """A link from the exam listing to the exam's report."""

    def get_value(self, instance):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("assessments:exam_report", args=[instance.pk]),
            _("Report"),
        )


class ExamSaveMixin(ServiceFormErrorsMixin):
    """An exam is saved with its rules, fixed questions and overrides by ``exam_save``."""

    def save_instance(self):
        return services.exam_save(exam=self.form.save(commit=False), acting_user=self.request.user)


class ExamCreateView(ExamSaveMixin, generic.CreateView):
    pass


class ExamEditView(ExamSaveMixin, generic.EditView):
    pass


class ExamViewSet(ModelViewSet):
    model = Exam
    add_view_class = ExamCreateView
    edit_view_class = ExamEditView
    icon = "form"
    menu_label = _("Exams")
    menu_order = 300
    copy_view_enabled = False
    list_display = [
        "title",
        "kind",
        yes_no(Exam, "is_published"),
        "opens_at",
        "closes_at",
        ReportColumn("report", label=_("Report")),
    ]
    list_filter = ["kind", "is_published"]
    search_fields = ["title"]


class AttemptViewSet(ScopedModelViewSet):
    model = Attempt
    icon = "list-ul"
    menu_label = _("Attempts")
    menu_order = 400
    add_view_enabled = False
    list_display = [
        "employee",
        "exam",
        "number",
        "status",
        "started_at",
        "finished_at",
        "score",
        yes_no(Attempt, "passed"),
    ]
    list_filter = ["status", "passed", "exam"]
    search_fields = ["employee__name", "employee__number", "exam__title"]
    form_fields = []
    inspect_view_enabled = True

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Attempt.objects.select_related("employee", "exam"), **kwargs
        )


class CertificateForm(WagtailAdminModelForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        help_text=_("Kept in the audit trail with who changed what."),
    )


class CertificateEditView(ServiceFormErrorsMixin, ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.certificate_change(
            certificate=self.object,
            revoked=data["revoked"],
            revoked_reason=data["revoked_reason"],
            expires_on=data["expires_on"],
            reason=data["reason"],
            acting_user=self.request.user,
        )


class CertificateViewSet(ScopedModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_order = 500
    add_view_enabled = False
    list_display = [
        "title",
        "employee",
        "code",
        "issued_on",
        "expires_on",
        yes_no(Certificate, "revoked"),
    ]
    list_filter = ["revoked", "exam"]
    search_fields = ["employee__name", "employee__number", "code", "title"]
    form_fields = ["revoked", "revoked_reason", "expires_on"]
    edit_view_class = CertificateEditView

    def get_form_class(self, for_update=False):
        return forms.modelform_factory(Certificate, form=CertificateForm, fields=self.form_fields)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Certificate.objects.select_related("employee", "exam"), **kwargs
        )


class QualificationRuleViewSet(ModelViewSet):
    model = QualificationRule
    icon = "success"
    menu_label = _("Qualification rules")
    menu_order = 600
    copy_view_enabled = False
    list_display = ["name", "valid_months", "expiring_days", yes_no(QualificationRule, "is_active")]
    list_filter = ["is_active"]
    search_fields = ["name"]


class AssessmentsViewSetGroup(ViewSetGroup):
    menu_label = _("Exams")
    menu_icon = "form"
    menu_order = 300
    items = (
        QuestionCategoryViewSet("question_categories", url_prefix="assessments/categories"),
        QuestionViewSet("questions", url_prefix="assessments/questions"),
        ExamViewSet("exams", url_prefix="assessments/exams"),
        AttemptViewSet("attempts", url_prefix="assessments/attempts"),
        CertificateViewSet("certificates", url_prefix="assessments/certificates"),
        QualificationRuleViewSet(
            "qualification_rules", url_prefix="assessments/qualification-rules"
        ),
    )
