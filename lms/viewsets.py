from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from . import personal, services
from .admin_views import (
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    ServiceFormErrorsMixin,
    SpreadsheetIndexViewMixin,
    SpreadsheetViewSetMixin,
)
from .forms import DepartmentAdminForm, EmployeeAdminForm
from .hr_sync_views import HrSyncViewSet
from .models import Absence, Department, Employee, Position
from .resources import EmployeeResource


class DepartmentForm(DepartmentAdminForm, WagtailAdminModelForm):
    pass


class DepartmentCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.department_create(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=data["parent"],
            manager=data["manager"],
            acting_user=self.request.user,
        )


class DepartmentEditView(ServiceFormErrorsMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.department_update(
            department=Department.objects.get(pk=self.object.pk),
            parent=data["parent"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            manager=data["manager"],
            acting_user=self.request.user,
        )


class DepartmentViewSet(ModelViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    menu_order = 100
    add_view_class = DepartmentCreateView
    edit_view_class = DepartmentEditView
    copy_view_enabled = False
    list_display = ["name", "code", "kind", "manager", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]

    def get_form_class(self, for_update=False):
        return DepartmentForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Department.objects.select_related("manager"), **kwargs
        )


class PositionViewSet(ModelViewSet):
    model = Position
    icon = "tag"
    menu_label = _("Positions")
    menu_order = 200
    copy_view_enabled = False
    list_display = ["name", "code", "category"]
    list_filter = ["category"]
    search_fields = ["name", "code"]


class EmployeeForm(EmployeeAdminForm, WagtailAdminModelForm):
    pass


class EmployeeIndexView(SpreadsheetIndexViewMixin, ScopedIndexView):
    """The directory: each role sees only the columns (and filters) its tier allows."""

    @cached_property
    def visible_fields(self):
        return personal.listing_fields(self.request.user)

    @cached_property
    def columns(self):
        def field(column):  # a choice field's column is named get_<field>_display
            name = column.name
            if name.startswith("get_") and name.endswith("_display"):
                return name[4 : -len("_display")]
            return name

        return [
            column
            for column in super().columns
            if field(column) not in personal.ALL_FIELDS or field(column) in self.visible_fields
        ]

    @cached_property
    def filters(self):
        # Filtering by status or post would reveal them to the directory tier.
        if "status" not in self.visible_fields:
            return None
        return super().filters


class EmployeeInspectView(ScopedInspectView):
    """One employee's record, with the fields the viewer may see (404 outside their scope)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.fields = list(personal.employee_fields(request.user, self.object))


class EmployeeCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.employee_create(
            number=data["number"],
            name=data["name"],
            department=data["department"],
            position=data["position"],
            hire_date=data["hire_date"],
            status=data["status"],
            phone=data["phone"],
            email=data["email"],
            acting_user=self.request.user,
        )


class EmployeeEditView(ServiceFormErrorsMixin, ScopedEditView):
    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.permission_policy.user_has_permission(self.request.user, "delete"):
            url = reverse("employees:erase", args=[self.object.pk])
            buttons.append(Button(_("Erase personal data"), url=url, icon_name="bin", priority=40))
        return buttons

    def save_instance(self):
        data = self.form.cleaned_data
        # The form has already written its values onto self.object; the service compares
        # against the stored record to know what changed. Fields the editor may not see are
        # not on the form and keep their stored values.
        stored = Employee.objects.select_related("user").get(pk=self.object.pk)
        return services.employee_update(
            employee=stored,
            acting_user=self.request.user,
            **{
                name: data[name] if name in data else getattr(stored, name)
                for name in services.EMPLOYEE_EDITABLE_FIELDS
            },
        )


class EmployeeEraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the personal-data request it answers)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EmployeeEraseView(generic.base.WagtailAdminTemplateMixin, FormView):
    """HR's erasure of a person's identifying data; their results stay, anonymised."""

    template_name = "lms/admin/employee_erase.html"
    form_class = EmployeeEraseForm
    header_icon = "bin"
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.permission_policy.user_has_permission(request.user, "delete"):
            raise PermissionDenied
        self.employee = get_object_or_404(
            Employee.objects.visible_to(request.user).select_related("user", "department"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Erase personal data")

    def get_page_subtitle(self):
        return str(self.employee)

    def get_context_data(self, **kwargs):
        return super().get_context_data(employee=self.employee, **kwargs)

    def form_valid(self, form):
        try:
            services.employee_erase(
                employee=self.employee,
                reason=form.cleaned_data["reason"],
                acting_user=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Personal data erased; the results are kept."))
        return redirect("employees:index")


class EmployeeViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    model = Employee
    icon = "user"
    menu_label = _("Employees")
    menu_order = 300
    resource_class = EmployeeResource
    export_filename_prefix = "employees"
    index_view_class = EmployeeIndexView
    add_view_class = EmployeeCreateView
    edit_view_class = EmployeeEditView
    inspect_view_enabled = True
    inspect_view_class = EmployeeInspectView
    logs_exports = True
    list_display = ["number", "name", "department", "position", "status"]
    list_filter = ["status", "position__category"]
    search_fields = ["name", "number"]
    # Searched in the database, not the search index: the index cannot filter by a manager's
    # department subtree (a scope across relations), and a name or number is what people type.
    search_backend_name = None
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return EmployeeForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("erase/<int:pk>/", EmployeeEraseView.as_view(viewset=self), name="erase"),
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Employee.objects.select_related("department", "position"), **kwargs
        )


class AbsenceForm(WagtailAdminModelForm):
    class Meta:
        model = Absence
        fields = ["employee", "kind", "start_date", "end_date", "note"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None:
            self.fields["employee"].queryset = (
                Employee.objects.visible_to(for_user)
                .select_related("department")
                .order_by("number")
            )


class AbsenceCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.absence_record(
            employee=data["employee"],
            kind=data["kind"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            note=data["note"],
            acting_user=self.request.user,
        )


class AbsenceEditView(ServiceFormErrorsMixin, ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        stored = Absence.objects.select_related("employee").get(pk=self.object.pk)
        if data["employee"].pk != stored.employee_id:
            raise ValidationError(
                {"employee": _("An absence cannot be moved to another employee.")}
            )
        return services.absence_update(
            absence=stored,
            acting_user=self.request.user,
            **{name: data[name] for name in services.ABSENCE_FIELDS},
        )


class AbsenceDeleteView(ScopedDeleteView):
    def delete_action(self):
        services.absence_delete(absence=self.object, acting_user=self.request.user)


class AbsenceViewSet(ScopedModelViewSet):
    """Periods away from the post; qualification rules ask for a re-exam after long ones."""

    model = Absence
    form_fields = ["employee", "kind", "start_date", "end_date", "note"]
    icon = "date"
    menu_label = _("Absences from the post")
    menu_order = 400
    add_view_class = AbsenceCreateView
    edit_view_class = AbsenceEditView
    delete_view_class = AbsenceDeleteView
    list_display = ["employee", "kind", "start_date", "end_date", "note"]
    list_filter = ["kind", "start_date"]
    search_fields = ["employee__name", "employee__number", "note"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return AbsenceForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Absence.objects.select_related("employee"), **kwargs
        )


class OrganisationViewSetGroup(ViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "site"
    menu_order = 900
    items = (
        DepartmentViewSet("departments"),
        PositionViewSet("positions"),
        EmployeeViewSet("employees"),
        AbsenceViewSet("absences"),
        HrSyncViewSet("lms_hr_sync", url_prefix="hr-staff-files"),
    )
