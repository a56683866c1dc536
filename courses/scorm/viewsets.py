"""Admin screens for SCORM packages: upload (checked and unpacked), list, retitle, report."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from lms.admin_views import ServiceFormErrorsMixin

from ..models import Lesson
from . import services
from .models import ScormPackage


def _lessons():
    return Lesson.objects.select_related("course").order_by("course__title", "sort_order", "pk")


class LessonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} · {obj.title}"


class PackageEditForm(forms.ModelForm):
    class Meta:
        model = ScormPackage
        fields = ["title", "lesson"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"] = LessonChoiceField(
            queryset=_lessons(),
            required=False,
            label=_("lesson"),
            help_text=ScormPackage._meta.get_field("lesson").help_text,
        )


class PackageUploadForm(PackageEditForm):
    package = forms.FileField(
        label=_("SCORM package (.zip)"),
        help_text=_("A SCORM 1.2 or SCORM 2004 zip with imsmanifest.xml at its top level."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the package's own title.")


class PackageCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        data = self.form.cleaned_data
        return services.package_upload(
            upload=data["package"],
            title=data.get("title") or "",
            lesson=data.get("lesson"),
            acting_user=self.request.user,
        )


class PackageEditView(ServiceFormErrorsMixin, generic.EditView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        data = self.form.cleaned_data
        return services.package_update(
            package=self.object,
            title=data["title"],
            lesson=data.get("lesson"),
            acting_user=self.request.user,
        )


class PackageIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("lesson__course")


class ReportColumn(Column):
    def get_value(self, instance):
        return reverse("courses:scorm_report", args=[instance.pk])

    cell_template_name = "courses/scorm/report_link_cell.html"


class ScormPackageViewSet(ModelViewSet):
    model = ScormPackage
    icon = "media"
    menu_label = _("SCORM packages")
    menu_order = 150
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = PackageIndexView
    add_view_class = PackageCreateView
    edit_view_class = PackageEditView
    list_display = [
        "title",
        "version",
        "lesson",
        "file_count",
        "uploaded_at",
        ReportColumn("report", label=pgettext_lazy("courses", "Report")),
    ]
    list_filter = ["version"]
    search_fields = ["title", "identifier"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return PackageEditForm if for_update else PackageUploadForm
