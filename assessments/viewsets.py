from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from lms.admin_views import (
    ScopedEditView,
    ScopedModelViewSet,
    SpreadsheetIndexViewMixin,
    SpreadsheetViewSetMixin,
)
from lms.importing import XLSX_CONTENT_TYPE
from lms.spreadsheets import dataset_bytes

from . import services
from .formats import export_moodle_xml
from .forms import QuestionCategoryForm, QuestionForm
from .models import Attempt, Certificate, Exam, QualificationRule, Question, QuestionCategory
from .resources import QuestionResource, questions_xlsx


class FormErrorsMixin:
    """Show a service's ValidationError on the form instead of a server error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = field if field in form.fields else None
                if field == "answer":
                    target = "answer_text"
                for message in messages:
                    form.add_error(target, message)
            return self.form_invalid(form)


class CategoryCreateView(FormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_create(
            name=data["name"],
            parent=data["parent"],
            confidential=data["confidential"],
            acting_user=self.request.user,
        )


class CategoryEditView(generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.category_update(
            category=QuestionCategory.objects.get(pk=self.object.pk),
            name=data["name"],
            confidential=data["confidential"],
            acting_user=self.request.user,
        )


class QuestionCategoryViewSet(ModelViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    menu_order = 100
    add_view_class = CategoryCreateView
    edit_view_class = CategoryEditView
    copy_view_enabled = False
    list_display = ["name", "depth", "numchild", "confidential"]
    search_fields = ["name"]
    list_filter = ["depth", "confidential"]
    ordering = ["path"]

    def get_form_class(self, for_update=False):
        return QuestionCategoryForm


class QuestionIndexView(SpreadsheetIndexViewMixin, generic.IndexView):
    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.spreadsheet_viewset.user_can_export(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Export Moodle XML"),
                    url=reverse(self.spreadsheet_viewset.get_url_name("export"), args=["xml"]),
                    icon_name="download",
                )
            )
        return buttons


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
        "is_active",
        "flagged",
    ]
    list_filter = ["type", "difficulty", "is_active", "flagged"]
    search_fields = ["stem", "explanation"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return QuestionForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Question.objects.select_related("category"), **kwargs
        )

    def export_view(self, request, file_format):
        # The question bank has no per-user scope (no ``visible_to``): every format is built here.
        if file_format not in ("xlsx", "csv", "xml"):
            raise Http404
        if not self.user_can_export(request.user):
            raise PermissionDenied
        if file_format == "xml":
            response = HttpResponse(
                export_moodle_xml(Question.objects.all()), content_type="application/xml"
            )
            name = f"questions-{timezone.localdate().isoformat()}.xml"
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


class ExamViewSet(ModelViewSet):
    model = Exam
    icon = "form"
    menu_label = _("Exams")
    menu_order = 300
    copy_view_enabled = False
    list_display = [
        "title",
        "kind",
        "is_published",
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
        "passed",
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


class CertificateEditView(ScopedEditView):
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
    list_display = ["title", "employee", "code", "issued_on", "expires_on", "revoked"]
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
    list_display = ["name", "valid_months", "expiring_days", "is_active"]
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
