"""Admin screens for drill coordinators (managers get scoped read-only listings)."""

import django_filters
from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from lms.admin_views import (
    RoleScreenView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    ServiceFormErrorsMixin,
    ServiceRefusalMessageMixin,
)
from lms.roles import Role, has_role

from . import services
from .models import (
    CorrectiveAction,
    Drill,
    EmergencyPlanPage,
    EvaluationTemplate,
    PlanSection,
)
from .views import dashboard_context


class DrillAdminForm(WagtailAdminModelForm):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Emergency plan"),
        queryset=EmergencyPlanPage.objects.live().order_by("code"),
    )
    covered_sections = forms.MultipleChoiceField(
        label=gettext_lazy("Plan sections covered"),
        choices=PlanSection.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class DrillIndexView(ScopedIndexView):
    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                pgettext("drills", "Dashboard"), url=reverse("drills:dashboard"), icon_name="view"
            ),
        ]


class DrillCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        drill = self.form.save(commit=False)
        return services.drill_schedule(drill=drill, acting_user=self.request.user)

    def get_success_url(self):
        return reverse("drills:drill", args=[self.object.pk])


class DrillEditView(ServiceFormErrorsMixin, ScopedEditView):
    def save_instance(self):
        drill = self.form.save(commit=False)
        return services.drill_update(drill=drill, acting_user=self.request.user)


class DrillViewSet(ScopedModelViewSet):
    model = Drill
    icon = "warning"
    menu_label = pgettext_lazy("drills", "Drills")
    menu_order = 100
    index_view_class = DrillIndexView
    add_view_class = DrillCreateView
    edit_view_class = DrillEditView
    list_display = [
        "title",
        "plan",
        "form",
        "planned_start",
        "organising_department",
        "coordinator",
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
    ]
    list_filter = ["status", "form", "exercise_type"]
    search_fields = ["title", "location"]
    list_per_page = 50
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("plan"),
            FieldPanel("covered_sections"),
            FieldRowPanel([FieldPanel("form"), FieldPanel("exercise_type")]),
            FieldRowPanel([FieldPanel("scope"), FieldPanel("purpose")]),
            FieldPanel("scenario"),
            FieldPanel("objectives"),
            FieldPanel("announced"),
            FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
            FieldPanel("location"),
            FieldRowPanel([FieldPanel("organising_department"), FieldPanel("coordinator")]),
            FieldPanel("template"),
            InlinePanel(
                "participants",
                label=gettext_lazy("Participants and exercise roles"),
                panels=[FieldPanel("employee"), FieldPanel("role"), FieldPanel("attendance")],
            ),
        ],
        base_form_class=DrillAdminForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Drill.objects.with_related(), **kwargs)


class TemplateSaveMixin(ServiceFormErrorsMixin):
    """A template is saved with its criteria and levels by ``services.template_save`` (which
    refuses a version sheets already use)."""

    def save_instance(self):
        return services.template_save(
            template=self.form.save(commit=False), acting_user=self.request.user
        )


class TemplateCreateView(TemplateSaveMixin, generic.CreateView):
    pass


class TemplateEditView(TemplateSaveMixin, generic.EditView):
    new_version_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        buttons.append(
            HeaderButton(
                _("New version"),
                url=reverse(self.new_version_url_name, args=[self.object.pk]),
                icon_name="copy",
            )
        )
        return buttons


class EvaluationTemplateViewSet(ModelViewSet):
    model = EvaluationTemplate
    icon = "form"
    menu_label = gettext_lazy("Evaluation templates")
    menu_order = 300
    copy_view_enabled = False
    add_view_class = TemplateCreateView
    edit_view_class = TemplateEditView
    list_display = ["name", "code", "version", "organised_by", "created_at"]
    list_filter = ["organised_by"]
    search_fields = ["name", "code"]

    def get_form_class(self, for_update=False):
        return self._edit_handler.get_form_class()

    @cached_property
    def _edit_handler(self):
        return ObjectList(
            EvaluationTemplate.panels, base_form_class=WagtailAdminModelForm
        ).bind_to_model(EvaluationTemplate)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            new_version_url_name=self.get_url_name("new_version"), **kwargs
        )

    def new_version_view(self, request, pk):
        if not self.permission_policy.user_has_permission(request.user, "add"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        template = get_object_or_404(EvaluationTemplate, pk=pk)
        if request.method == "POST":
            copy = services.template_new_version(template=template, acting_user=request.user)
            messages.success(request, _("Version %(v)s created.") % {"v": copy.version})
            return redirect(self.get_url_name("edit"), copy.pk)
        return TemplateResponse(
            request,
            "drills/admin/template_new_version.html",
            {"template_obj": template, "page_title": _("New version")},
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/new-version/", self.new_version_view, name="new_version"),
        ]


class ActionFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=gettext_lazy("Overdue"), method="filter_overdue")

    class Meta:
        model = CorrectiveAction
        fields = ["status", "element", "department"]

    def filter_overdue(self, queryset, name, value):
        overdue = CorrectiveAction.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class ActionIndexView(ScopedIndexView):
    filterset_class = ActionFilterSet


class ActionEditView(ServiceFormErrorsMixin, ScopedEditView):
    """Changes go through ``services.action_update`` (progress log and audit trail)."""

    def save_instance(self):
        action = CorrectiveAction.objects.get(pk=self.object.pk)
        return services.action_update(
            action=action,
            acting_user=self.request.user,
            **{name: self.form.cleaned_data[name] for name in self.form.changed_data},
        )


class ActionDeleteView(ServiceRefusalMessageMixin, ScopedDeleteView):
    """Only an action entered by mistake can be deleted (``services.action_delete``)."""

    def delete_action(self):
        services.action_delete(action=self.object, acting_user=self.request.user)


class CorrectiveActionViewSet(ScopedModelViewSet):
    model = CorrectiveAction
    icon = "tasks"
    menu_label = gettext_lazy("Corrective actions")
    menu_order = 200
    index_view_class = ActionIndexView
    add_view_enabled = False
    edit_view_class = ActionEditView
    delete_view_class = ActionDeleteView
    list_display = [
        "description",
        "element",
        "owner",
        "department",
        "due_date",
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        BooleanColumn("overdue", label=gettext_lazy("Overdue"), accessor="is_overdue"),
    ]
    search_fields = ["description"]
    form_fields = ["description", "owner", "department", "start_date", "due_date"]
    list_per_page = 50

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=CorrectiveAction.objects.select_related("owner", "department"), **kwargs
        )


class DrillsViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Emergency drills")
    menu_icon = "warning"
    menu_order = 500
    items = (
        DrillViewSet("drill_admin"),
        CorrectiveActionViewSet("corrective_actions"),
        EvaluationTemplateViewSet("evaluation_templates"),
    )


class DashboardView(RoleScreenView):
    """The coordinator's dashboard in the admin's layout: what the portal page shows
    (drills.views.dashboard_context), to coordinators only."""

    roles = (Role.COORDINATOR,)
    template_name = "drills/admin/dashboard.html"
    page_title = gettext_lazy("Drill dashboard")
    header_icon = "view"

    def get_context_data(self, **kwargs):
        context = dashboard_context(timezone.localdate())
        return {**super().get_context_data(**kwargs), **context}


class DashboardMenuItem(MenuItem):
    """The coordinator's dashboard (DashboardView) from the admin menu."""

    def is_shown(self, request):
        return has_role(request.user, Role.COORDINATOR)


def dashboard_menu_item():
    return DashboardMenuItem(
        gettext_lazy("Drill dashboard"),
        reverse_lazy("drills_admin_dashboard"),
        name="drill-dashboard",
        icon_name="view",
        order=499,
    )
