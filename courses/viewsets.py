"""Admin screens for training delivery: sessions, enrolments, completions, rules, assignments."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import MenuItem

from lms.admin_views import (
    InspectView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    ServiceFormErrorsMixin,
    SpreadsheetIndexViewMixin,
    SpreadsheetViewSetMixin,
    yes_no,
)
from lms.models import Employee

from . import services
from .models import (
    Assignment,
    Completion,
    CoursePage,
    Enrollment,
    PracticalCheck,
    TrainingRule,
    TrainingSession,
)
from .resources import CompletionResource, SessionAttendanceResource
from .scorm.viewsets import ScormPackageViewSet


class ServiceFormMixin(ServiceFormErrorsMixin):
    """Turn a service's refusal into a form error instead of a server error."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_success_buttons(self):
        # Records kept only through services have no edit view to point at.
        return super().get_success_buttons() if self.edit_url_name else []


class NoEditViewSetMixin:
    """Records written only through services: listed, inspected, added, never edited in place."""

    inspect_view_enabled = True
    inspect_view_class = ScopedInspectView

    def get_common_view_kwargs(self, **kwargs):
        return {**super().get_common_view_kwargs(**kwargs), "edit_url_name": None}

    @property
    def edit_view(self):
        """The edit URL Wagtail registers for every model viewset answers "not found" (it was
        a server error: an edit view with nowhere to return to)."""

        def not_editable(request, *args, **kwargs):
            raise Http404

        return not_editable


def _live_courses():
    return CoursePage.objects.live().order_by("title")


# Sessions -------------------------------------------------------------------------------------


class TrainingSessionForm(forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = [
            "course",
            "title",
            "starts_at",
            "ends_at",
            "mode",
            "location",
            "trainer",
            "capacity",
            "check_in_code",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _live_courses()
        self.fields["trainer"].queryset = Employee.objects.active().order_by("number")


class SessionIndexView(SpreadsheetIndexViewMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("course", "trainer").with_enrolled_count()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            MenuItem(
                _("Attendance roster"),
                url=reverse("courses:roster", args=[instance.pk]),
                icon_name="tasks",
                priority=5,
            )
        )
        buttons.append(
            MenuItem(
                _("Enrol people"),
                url=reverse("training_enrollments:add") + f"?session={instance.pk}",
                icon_name="user",
                priority=6,
            )
        )
        return buttons


class SessionCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = dict(self.form.cleaned_data)
        return services.session_create(acting_user=self.request.user, **data)


class SessionEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        return services.session_update(
            session=self.object, acting_user=self.request.user, **self.form.cleaned_data
        )


class TrainingSessionViewSet(SpreadsheetViewSetMixin, ModelViewSet):
    """Sessions; the export lists every enrolment with its attendance."""

    model = TrainingSession
    icon = "date"
    menu_label = pgettext_lazy("courses", "Sessions")
    menu_order = 100
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_class = TrainingSessionForm
    inspect_view_class = InspectView
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    resource_class = SessionAttendanceResource
    export_filename_prefix = "sessions-attendance"
    list_display = [
        "__str__",
        "course",
        "mode",
        "location",
        "trainer",
        "capacity",
        Column("enrolled_count", label=_("Enrolled")),
    ]
    list_filter = ["mode", "starts_at"]
    search_fields = ["title", "location", "course__title"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return TrainingSessionForm

    def user_can_import(self, user):
        return False


# Enrolments -----------------------------------------------------------------------------------


class EnrollmentForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=TrainingSession.objects.none())
    employees = forms.ModelMultipleChoiceField(
        label=_("Employees"),
        queryset=Employee.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several people."),
    )

    def __init__(self, *args, for_user=None, instance=None, **kwargs):
        kwargs.pop("prefix", None)
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["session"].queryset = TrainingSession.objects.upcoming().select_related(
            "course"
        )
        self.fields["employees"].queryset = (
            Employee.objects.visible_to(for_user).active().select_related("department")
            if for_user
            else Employee.objects.none()
        )


class EnrollmentIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("session__course", "employee__department", "assigned_by")
        )


class EnrollmentCreateView(generic.CreateView):
    def get_form_class(self):
        return EnrollmentForm

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("session"):
            initial["session"] = self.request.GET["session"]
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["for_user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        session = form.cleaned_data["session"]
        made = []
        try:
            with transaction.atomic():  # all or nobody
                for employee in form.cleaned_data["employees"]:
                    made.append(
                        services.enrollment_create(
                            session=session,
                            employee=employee,
                            assigned=True,
                            acting_user=self.request.user,
                        )
                    )
        except ValidationError as error:
            form.add_error(None, error.messages)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

        messages.success(
            self.request,
            _("%(count)s people enrolled in %(session)s.")
            % {"count": len(made), "session": session},
        )

        return redirect(self.index_url_name)


class EnrollmentDeleteView(generic.DeleteView):
    def get_queryset(self):
        return Enrollment.objects.visible_to(self.request.user)

    def delete_action(self):
        services.enrollment_cancel(enrollment=self.object, acting_user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.index_url_name)


class EnrollmentViewSet(NoEditViewSetMixin, ScopedModelViewSet):
    model = Enrollment
    icon = "user"
    menu_label = _("Enrolments")
    menu_order = 200
    index_view_class = EnrollmentIndexView
    add_view_class = EnrollmentCreateView
    delete_view_class = EnrollmentDeleteView
    list_display = ["employee", "session", "source", "assigned_by", "created_at"]
    list_filter = ["source"]
    search_fields = ["employee__name", "employee__number", "session__title"]
    list_per_page = 50
    form_fields = ["session", "employee"]


# Completions ----------------------------------------------------------------------------------


class CompletionForm(forms.ModelForm):
    class Meta:
        model = Completion
        fields = ["employee", "course", "completed_on", "hours", "credits", "provider", "note"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _live_courses()
        self.fields["hours"].required = False
        self.fields["credits"].required = False
        self.fields["employee"].queryset = (
            Employee.objects.visible_to(for_user) if for_user else Employee.objects.none()
        )


class CompletionIndexView(SpreadsheetIndexViewMixin, ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("employee__department", "course")


class CompletionCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.completion_record(
            employee=data["employee"],
            course=data["course"],
            completed_on=data["completed_on"],
            hours=data.get("hours"),
            credits=data.get("credits"),
            provider=data.get("provider", ""),
            note=data.get("note", ""),
            source=Completion.Source.EXTERNAL,
            acting_user=self.request.user,
        )


class CompletionViewSet(NoEditViewSetMixin, SpreadsheetViewSetMixin, ScopedModelViewSet):
    """Completions; import of external training records and export by department."""

    model = Completion
    icon = "tick-inverse"
    menu_label = _("Completions")
    menu_order = 300
    index_view_class = CompletionIndexView
    add_view_class = CompletionCreateView
    resource_class = CompletionResource
    export_filename_prefix = "completions"
    list_display = ["employee", "course", "completed_on", "hours", "credits", "source"]
    list_filter = ["source", "completed_on"]
    search_fields = ["employee__name", "employee__number", "course__title"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return CompletionForm

    def user_can_import(self, user):
        return self.permission_policy.user_has_permission(user, "add")


# Rules and assignments --------------------------------------------------------------------------


class TrainingRuleForm(forms.ModelForm):
    class Meta:
        model = TrainingRule
        fields = ["course", "position", "department", "due_on", "interval_months", "active"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _live_courses()


class RuleIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("course", "position", "department")


class RuleCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.rule_create(acting_user=self.request.user, **self.form.cleaned_data)


class RuleEditView(ServiceFormMixin, generic.EditView):
    def save_instance(self):
        return services.rule_update(
            rule=self.object, acting_user=self.request.user, **self.form.cleaned_data
        )


class TrainingRuleViewSet(ModelViewSet):
    model = TrainingRule
    icon = "list-ul"
    menu_label = _("Required training")
    menu_order = 400
    copy_view_enabled = False
    index_view_class = RuleIndexView
    add_view_class = RuleCreateView
    edit_view_class = RuleEditView
    list_display = [
        "course",
        "position",
        "department",
        "due_on",
        "interval_months",
        yes_no(TrainingRule, "active"),
    ]
    list_filter = ["active"]
    search_fields = ["course__title"]

    def get_form_class(self, for_update=False):
        return TrainingRuleForm


class AssignmentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Assignment.Status.choices, method="filter_status"
    )

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value) if value else queryset

    class Meta:
        model = Assignment
        fields = ["status", "course"]


class AssignmentIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related(
                "employee__department",
                "course",
                "rule__course",
                "rule__position",
                "rule__department",
            )
        )


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["employee", "course", "due_on"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = _live_courses()
        self.fields["employee"].queryset = (
            Employee.objects.visible_to(for_user).active() if for_user else Employee.objects.none()
        )

    def validate_constraints(self):
        pass  # the service says so with a clearer message


class AssignmentCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.assignment_create(acting_user=self.request.user, **self.form.cleaned_data)


class AssignmentViewSet(NoEditViewSetMixin, ScopedModelViewSet):
    model = Assignment
    icon = "calendar-check"
    menu_label = _("Assignments")
    menu_order = 500
    index_view_class = AssignmentIndexView
    add_view_class = AssignmentCreateView
    filterset_class = AssignmentFilterSet
    list_display = [
        "employee",
        Column("department", label=_("Department"), accessor="employee.department"),
        "course",
        "due_on",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "rule",
    ]
    search_fields = ["employee__name", "employee__number", "course__title"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return AssignmentForm


# Practical-operation checks -------------------------------------------------------------------


class PracticalCheckForm(forms.ModelForm):
    class Meta:
        model = PracticalCheck
        fields = ["session", "employee", "passed", "score", "comment"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = TrainingSession.objects.filter(
            starts_at__lte=timezone.now()
        ).select_related("course")
        self.fields["employee"].queryset = Employee.objects.active().order_by("number")
        self.fields["passed"].help_text = _("Tick when the employee passed the check.")

    def validate_constraints(self):
        pass  # a second check of the same person replaces the first


class PracticalCheckIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("session__course", "employee__department", "recorded_by")
        )


class PracticalCheckCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.practical_check_record(
            acting_user=self.request.user, **self.form.cleaned_data
        )


class PracticalCheckViewSet(NoEditViewSetMixin, ScopedModelViewSet):
    model = PracticalCheck
    icon = "success"
    menu_label = _("Practical checks")
    menu_order = 350
    index_view_class = PracticalCheckIndexView
    add_view_class = PracticalCheckCreateView
    list_display = [
        "employee",
        "session",
        yes_no(PracticalCheck, "passed"),
        "score",
        "comment",
        "recorded_by",
    ]
    list_filter = ["passed"]
    search_fields = ["employee__name", "employee__number", "session__title"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return PracticalCheckForm


class TrainingViewSetGroup(ViewSetGroup):
    menu_label = _("Training")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (
        TrainingSessionViewSet("training_sessions"),
        EnrollmentViewSet("training_enrollments"),
        CompletionViewSet("training_completions"),
        PracticalCheckViewSet("training_practical_checks"),
        TrainingRuleViewSet("training_rules"),
        AssignmentViewSet("training_assignments"),
        ScormPackageViewSet("training_scorm_packages"),
    )
