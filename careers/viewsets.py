"""Admin screens for careers: indicator systems, periods, values, results and the audit trail."""

from functools import partial

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import ModelLogEntry

from lms import audit
from lms.admin_views import (
    ScopedIndexView,
    ScopedModelViewSet,
    ServiceFormErrorsMixin,
    SpreadsheetIndexViewMixin,
    SpreadsheetViewSetMixin,
)

from . import services
from .models import (
    AppraisalError,
    AppraisalPeriod,
    AppraisalResult,
    DevelopmentPlan,
    Indicator,
    IndicatorSystem,
    IndicatorValue,
    PositionTemplate,
    Recognition,
    RotationAssignment,
    RotationProgramme,
    TrainingHoursRule,
)
from .resources import AppraisalResultResource, IndicatorValueResource

VALUE_CORRECTED = "careers.value_corrected"
RESULT_CHANGED = "careers.result_changed"

# ---------------------------------------------------------------------------------------------
# Indicator systems and indicators


class IndicatorSystemCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.indicator_system_create(
            name=data["name"], description=data["description"], acting_user=self.request.user
        )


class IndicatorSystemEditView(ServiceFormErrorsMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        system = self.object
        if data.get("new_status") == "activate":
            return services.indicator_system_activate(system=system, acting_user=self.request.user)
        if data.get("new_status") == "new_version":
            draft = services.indicator_system_new_version(
                system=system, acting_user=self.request.user
            )
            self.new_version = draft
            return draft
        system.description = data["description"]
        system.save(update_fields=["description"])
        return system


class IndicatorSystemForm(WagtailAdminModelForm):
    new_status = forms.ChoiceField(
        label=gettext_lazy("Also"),
        required=False,
        choices=[
            ("", gettext_lazy("Only save")),
            ("activate", gettext_lazy("Put in force (indicators can then no longer change)")),
            ("new_version", gettext_lazy("Make a new draft version to change the rules")),
        ],
    )

    class Meta:
        model = IndicatorSystem
        fields = ["name", "description"]


class IndicatorSystemViewSet(ModelViewSet):
    model = IndicatorSystem
    icon = "list-ol"
    menu_label = gettext_lazy("Indicator systems")
    menu_order = 100
    add_view_class = IndicatorSystemCreateView
    edit_view_class = IndicatorSystemEditView
    copy_view_enabled = False
    list_display = ["__str__", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        if for_update:
            return IndicatorSystemForm

        class CreateForm(WagtailAdminModelForm):
            class Meta:
                model = IndicatorSystem
                fields = ["name", "description"]

        return CreateForm


class IndicatorCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        fields = {name: data[name] for name in services.INDICATOR_FIELDS if name in data}
        return services.indicator_create(
            system=data["system"], acting_user=self.request.user, **fields
        )


class IndicatorEditView(ServiceFormErrorsMixin, generic.EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        fields = {name: data[name] for name in services.INDICATOR_FIELDS if name in data}
        return services.indicator_update(
            indicator=self.object, acting_user=self.request.user, **fields
        )


class IndicatorForm(WagtailAdminModelForm):
    """The source key is chosen from the indicator sources the installed apps register."""

    class Meta:
        model = Indicator
        fields = ["system", *services.INDICATOR_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from lms.hooks import appraisal_indicator_sources

        choices = [("", "—")] + [
            (key, f"{source.label} ({key})")
            for key, source in sorted(appraisal_indicator_sources().items())
        ]
        current = self.initial.get("source_key") or getattr(self.instance, "source_key", "")
        if current and current not in dict(choices):
            choices.append((current, current))
        self.fields["source_key"] = forms.ChoiceField(
            label=Indicator._meta.get_field("source_key").verbose_name,
            help_text=Indicator._meta.get_field("source_key").help_text,
            choices=choices,
            required=False,
        )


class IndicatorViewSet(ModelViewSet):
    model = Indicator
    icon = "tasks"
    menu_label = gettext_lazy("Indicators")
    menu_order = 200
    add_view_class = IndicatorCreateView
    edit_view_class = IndicatorEditView
    copy_view_enabled = False
    list_display = ["code", "name", "system", "category", "subject", "weight", "rule", "source"]
    list_filter = ["system", "category", "subject", "source"]
    search_fields = ["code", "name"]
    form_fields = ["system", *services.INDICATOR_FIELDS]

    def get_form_class(self, for_update=False):
        return IndicatorForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Indicator.objects.select_related("system"), **kwargs
        )


# ---------------------------------------------------------------------------------------------
# Periods


def _shown(snapshot) -> str:
    if not snapshot:
        return "—"
    if "total_score" in snapshot:
        return f"{snapshot['total_score']} ({snapshot.get('grade', '')})"
    return str(snapshot.get("value", "—"))


def changes_after_freezing(period, limit=20) -> list[dict]:
    """The latest value corrections of ``period`` and the results they changed, read from the
    audit trail (where ``indicator_value_correct`` and the recalculation record them)."""
    period_type = ContentType.objects.get_for_model(AppraisalPeriod)
    value_type = ContentType.objects.get_for_model(IndicatorValue)
    entries = (
        ModelLogEntry.objects.filter(
            Q(content_type=period_type, object_id=str(period.pk), action=RESULT_CHANGED)
            | Q(content_type=value_type, action=VALUE_CORRECTED, data__period=period.pk)
        )
        .select_related("user")
        .order_by("-timestamp", "-pk")[:limit]
    )
    labels = audit.trail_actions()
    return [
        {
            "when": entry.timestamp,
            "user": entry.user,
            "what": f"{labels.get(entry.action, entry.action)} {entry.label}",
            "before": _shown(entry.data.get("before")),
            "after": _shown(entry.data.get("after")),
            "reason": entry.data.get("reason", ""),
        }
        for entry in entries
    ]


class PeriodRunView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """One period's control room: status, counts, grade distribution and the next moves."""

    template_name = "careers/admin/period_run.html"
    viewset = None
    header_icon = "calendar-alt"
    ACTIONS = {
        "collect": services.appraisal_period_start_collecting,
        "freeze": services.appraisal_period_freeze,
        "publish": services.appraisal_period_publish,
    }

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.period = get_object_or_404(
            AppraisalPeriod.objects.select_related("system"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.period)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": self.viewset.menu_label},
            {"url": "", "label": str(self.period)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = self.period
        grades = list(
            AppraisalResult.objects.filter(period=period)
            .values("grade")
            .annotate(count=Count("pk"))
            .order_by("grade")
        )
        total = sum(row["count"] for row in grades)
        for row in grades:
            row["share"] = round(100 * row["count"] / total) if total else 0
        context.update(
            {
                "period": period,
                "value_count": IndicatorValue.objects.filter(period=period).count(),
                "result_count": total,
                "grades": grades,
                "audits": changes_after_freezing(period),
                "values_url": reverse("careers_values:index") + f"?period={period.pk}",
                "import_url": reverse("careers_values:import"),
                "results_url": reverse("careers_results:index") + f"?period={period.pk}",
                "actions": self._available_actions(),
            }
        )
        return context

    def _available_actions(self):
        status = self.period.status
        S = AppraisalPeriod.Status
        actions = []
        if status == S.OPEN:
            actions.append(("collect", _("Start collecting values")))
        if status in (S.OPEN, S.COLLECTING, S.CALCULATED):
            actions.append(("calculate", _("Calculate")))
        if status == S.CALCULATED:
            actions.append(("freeze", _("Freeze")))
        if status == S.FROZEN:
            actions.append(("publish", _("Publish to employees")))
        if status == S.PUBLISHED:
            actions.append(("unpublish", _("Withdraw from employees")))
        return actions

    # Moves that employees see the effect of: the page asks once more before making them.
    CONFIRM = {
        "freeze": gettext_lazy(
            "Freezing ends the review: from then on every change to a value needs a reason "
            "and is kept in the audit trail."
        ),
        "publish": gettext_lazy(
            "Publishing shows every employee their result, grade and rank for this period."
        ),
    }

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action")
        if name == "calculate":
            return self._start_calculation(request)
        available = dict(self._available_actions())
        if name in self.CONFIRM and name in available and request.POST.get("confirmed") != "1":
            context = self.get_context_data(**kwargs)
            context["confirm"] = {
                "action": name,
                "label": available[name],
                "explanation": self.CONFIRM[name],
            }
            return self.render_to_response(context)
        action = self.ACTIONS.get(name)
        if name == "unpublish":
            action = partial(
                services.appraisal_period_unpublish, reason=request.POST.get("reason", "")
            )
        if action is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                action(period=self.period, acting_user=request.user)
            except AppraisalError as error:
                messages.error(request, str(error))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                self.period.refresh_from_db()
                messages.success(
                    request,
                    _("%(period)s is now %(status)s.")
                    % {"period": self.period, "status": self.period.get_status_display()},
                )
        return redirect(self.viewset.get_url_name("run"), self.period.pk)

    def _start_calculation(self, request):
        """Scoring the whole company can take a while: it runs as a background job."""
        try:
            job = services.appraisal_calculation_request(
                period=self.period, acting_user=request.user
            )
        except AppraisalError as error:
            messages.error(request, str(error))
            return redirect(self.viewset.get_url_name("run"), self.period.pk)
        messages.success(
            request,
            _("Calculation of %(period)s has started.") % {"period": self.period},
            buttons=[messages.button(reverse("lms_jobs:detail", args=[job.pk]), _("Follow it"))],
        )
        return redirect(self.viewset.get_url_name("run"), self.period.pk)


class PeriodCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.appraisal_period_create(
            name=data["name"],
            system=data["system"],
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            acting_user=self.request.user,
        )

    def get_success_url(self):
        return reverse("careers_periods:run", args=[self.object.pk])


class PeriodEditView(ServiceFormErrorsMixin, generic.EditView):
    def save_instance(self):
        period = self.object
        if period.status != AppraisalPeriod.Status.OPEN:
            raise AppraisalError(_("Only an open period can be edited."))
        period = self.form.save(commit=False)
        period.full_clean()
        period.save()
        return period


class AppraisalPeriodViewSet(ModelViewSet):
    model = AppraisalPeriod
    icon = "calendar-alt"
    menu_label = gettext_lazy("Appraisal periods")
    menu_order = 300
    add_view_class = PeriodCreateView
    edit_view_class = PeriodEditView
    copy_view_enabled = False
    form_fields = ["name", "system", "kind", "start", "end"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "name",
                label=pgettext_lazy("careers", "name"),
                get_url=lambda period: reverse(self.get_url_name("run"), args=[period.pk]),
            ),
            "system",
            "kind",
            "start",
            "end",
            "status",
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=AppraisalPeriod.objects.select_related("system"), **kwargs
        )

    @property
    def run_view(self):
        return PeriodRunView.as_view(viewset=self)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/run/", self.run_view, name="run"),
        ]


# ---------------------------------------------------------------------------------------------
# Values


class IndicatorValueForm(WagtailAdminModelForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required once the period is frozen; kept in the audit trail."),
    )

    class Meta:
        model = IndicatorValue
        fields = ["period", "indicator", "employee", "department", "value", "note"]


class IndicatorValueEditForm(IndicatorValueForm):
    class Meta:
        model = IndicatorValue
        fields = ["value", "note"]


class IndicatorValueCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.indicator_value_set(
            period=data["period"],
            indicator=data["indicator"],
            employee=data["employee"],
            department=data["department"],
            value=data["value"],
            note=data["note"],
            acting_user=self.request.user,
        )


class IndicatorValueEditView(ServiceFormErrorsMixin, generic.EditView):
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def save_instance(self):
        data = self.form.cleaned_data
        original = IndicatorValue.objects.select_related("period", "indicator").get(
            pk=self.object.pk
        )
        if original.period.is_locked:
            return services.indicator_value_correct(
                value_item=original,
                value=data["value"],
                reason=data["reason"],
                acting_user=self.request.user,
            )
        return services.indicator_value_set(
            period=original.period,
            indicator=original.indicator,
            employee=original.employee,
            department=original.department,
            value=data["value"],
            note=data["note"],
            records=original.records,
            source=original.source,
            acting_user=self.request.user,
        )


class IndicatorValueIndexView(SpreadsheetIndexViewMixin, ScopedIndexView):
    pass


class IndicatorValueDeleteView(generic.DeleteView):
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def delete_action(self):
        if self.object.period.is_locked:
            raise PermissionDenied
        services.indicator_value_delete(value_item=self.object, acting_user=self.request.user)


class IndicatorValueViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    model = IndicatorValue
    icon = "table"
    menu_label = gettext_lazy("Indicator values")
    menu_order = 400
    resource_class = IndicatorValueResource
    export_filename_prefix = "indicator-values"
    index_view_class = IndicatorValueIndexView
    add_view_class = IndicatorValueCreateView
    edit_view_class = IndicatorValueEditView
    delete_view_class = IndicatorValueDeleteView
    list_display = [
        "indicator",
        Column("subject_label", label=pgettext_lazy("careers", "subject")),
        "value",
        "source",
        "period",
        "updated_at",
    ]
    list_filter = ["period", "indicator__category", "source"]
    search_fields = ["employee__name", "employee__number", "department__name", "indicator__code"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return IndicatorValueEditForm if for_update else IndicatorValueForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=IndicatorValue.objects.select_related(
                "period", "indicator", "employee", "department"
            ),
            **kwargs,
        )


# ---------------------------------------------------------------------------------------------
# Results and audit


class ResultIndexView(SpreadsheetIndexViewMixin, ScopedIndexView):
    pass


class AppraisalResultViewSet(SpreadsheetViewSetMixin, ScopedModelViewSet):
    model = AppraisalResult
    icon = "doc-full"
    menu_label = gettext_lazy("Appraisal results")
    menu_order = 500
    resource_class = AppraisalResultResource
    export_filename_prefix = "appraisal-results"
    logs_exports = True  # people's appraisal results are personal data
    index_view_class = ResultIndexView
    list_filter = ["period", "grade"]
    search_fields = ["employee__name", "employee__number"]
    form_fields = ["grade"]  # never editable: no role holds the change permission
    list_per_page = 50

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "employee",
                label=gettext_lazy("employee"),
                get_url=lambda result: reverse("careers:result", args=[result.pk]),
            ),
            "department",
            "period",
            Column("total_score", label=gettext_lazy("total score")),
            "grade",
            Column("rank_in_department", label=gettext_lazy("rank in department")),
            Column("bonus_coefficient", label=gettext_lazy("bonus coefficient")),
        ]

    def user_can_import(self, user):
        return False

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=AppraisalResult.objects.select_related("employee", "department", "period"),
            **kwargs,
        )


# ---------------------------------------------------------------------------------------------
# Training hours, development plans and rotations


class TrainingHoursRuleViewSet(ModelViewSet):
    model = TrainingHoursRule
    icon = "time"
    menu_label = gettext_lazy("Training-hours rules")
    menu_order = 700
    copy_view_enabled = False
    form_fields = ["category", "counts_as", "factor", "default_hours", "no_hours_for"]
    list_display = ["category_label", "counts_as", "factor", "default_hours", "no_hours_for_labels"]
    list_filter = ["counts_as"]
    search_fields = ["category"]

    def get_form_class(self, for_update=False):
        from lms.hooks import ArchiveCategory, ArchiveOutcome

        class RuleForm(WagtailAdminModelForm):
            category = forms.ChoiceField(
                label=gettext_lazy("record category"), choices=ArchiveCategory.choices
            )
            no_hours_for = forms.MultipleChoiceField(
                label=gettext_lazy("earns no hours when"),
                choices=ArchiveOutcome.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=gettext_lazy(
                    "Records of this category with one of these outcomes earn no hours."
                ),
            )

            class Meta:
                model = TrainingHoursRule
                fields = ["category", "counts_as", "factor", "default_hours", "no_hours_for"]

        return RuleForm


class PositionTemplateViewSet(ModelViewSet):
    model = PositionTemplate
    icon = "clipboard-list"
    menu_label = gettext_lazy("Position templates")
    menu_order = 800
    copy_view_enabled = False
    form_fields = ["position", "required_skills", "required_courses"]
    list_display = ["position", "required_courses"]
    list_filter = ["position__category"]
    search_fields = ["position__name"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=PositionTemplate.objects.select_related("position"), **kwargs
        )


class DevelopmentPlanCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.development_plan_create(
            employee=data["employee"],
            year=data["year"],
            target_position=data["target_position"],
            mentor=data["mentor"],
            acting_user=self.request.user,
        )


class DevelopmentPlanViewSet(ScopedModelViewSet):
    model = DevelopmentPlan
    icon = "user"
    menu_label = gettext_lazy("Development plans")
    menu_order = 900
    add_view_class = DevelopmentPlanCreateView
    form_fields = ["employee", "year", "target_position", "mentor"]
    list_filter = ["status", "year"]
    search_fields = ["employee__name", "employee__number"]

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "employee",
                label=gettext_lazy("employee"),
                get_url=lambda plan: reverse("careers:plan", args=[plan.pk]),
            ),
            "year",
            "target_position",
            "mentor",
            "status",
        ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=DevelopmentPlan.objects.select_related(
                "employee", "target_position", "mentor"
            ),
            **kwargs,
        )


class RotationProgrammeCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.rotation_programme_create(
            name=data["name"],
            start=data["start"],
            end=data["end"],
            description=data["description"],
            acting_user=self.request.user,
        )


class RotationProgrammeViewSet(ModelViewSet):
    model = RotationProgramme
    icon = "resubmit"
    menu_label = gettext_lazy("Rotation programmes")
    menu_order = 1000
    copy_view_enabled = False
    add_view_class = RotationProgrammeCreateView
    form_fields = ["name", "start", "end", "description"]
    list_display = ["name", "start", "end"]
    list_filter = ["start"]
    search_fields = ["name"]


class RotationAssignmentForm(WagtailAdminModelForm):
    objectives = forms.CharField(
        label=pgettext_lazy("careers", "Objectives"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One objective per line."),
    )

    class Meta:
        model = RotationAssignment
        fields = ["programme", "employee", "to_department", "to_position", "start", "end", "mentor"]


class RotationAssignmentEditForm(WagtailAdminModelForm):
    move = forms.ChoiceField(
        label=gettext_lazy("Change status"),
        required=False,
        choices=[
            ("", "—"),
            ("start", gettext_lazy("Start the rotation")),
            ("cancel", gettext_lazy("Cancel the rotation")),
        ],
    )

    class Meta:
        model = RotationAssignment
        fields = ["mentor"]


class RotationAssignmentCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.rotation_assign(
            programme=data["programme"],
            employee=data["employee"],
            to_department=data["to_department"],
            to_position=data["to_position"],
            start=data["start"],
            end=data["end"],
            mentor=data["mentor"],
            objectives=[line.strip() for line in data["objectives"].splitlines()],
            acting_user=self.request.user,
        )


class RotationAssignmentEditView(ServiceFormErrorsMixin, generic.EditView):
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def save_instance(self):
        data = self.form.cleaned_data
        assignment = RotationAssignment.objects.get(pk=self.object.pk)
        assignment.mentor = data["mentor"]
        assignment.save(update_fields=["mentor"])
        if data.get("move") == "start":
            services.rotation_start(assignment=assignment, acting_user=self.request.user)
        elif data.get("move") == "cancel":
            services.rotation_cancel(assignment=assignment, acting_user=self.request.user)
        return assignment


class RotationAssignmentViewSet(ScopedModelViewSet):
    model = RotationAssignment
    icon = "arrow-right-full"
    menu_label = gettext_lazy("Rotation assignments")
    menu_order = 1100
    add_view_class = RotationAssignmentCreateView
    edit_view_class = RotationAssignmentEditView
    list_filter = ["status", "programme"]
    search_fields = ["employee__name", "employee__number"]

    @cached_property
    def list_display(self):
        return [
            TitleColumn(
                "employee",
                label=gettext_lazy("employee"),
                get_url=lambda rotation: reverse("careers:rotation", args=[rotation.pk]),
            ),
            "programme",
            "to_department",
            "to_position",
            "start",
            "end",
            "status",
        ]

    def get_form_class(self, for_update=False):
        return RotationAssignmentEditForm if for_update else RotationAssignmentForm

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=RotationAssignment.objects.select_related(
                "employee", "programme", "to_department", "to_position"
            ),
            **kwargs,
        )


# ---------------------------------------------------------------------------------------------
# Commendation and rectification


class RecognitionCreateView(ServiceFormErrorsMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.recognition_create(
            period=data["period"],
            kind=data["kind"],
            employee=data["employee"],
            title=data["title"],
            description=data["description"],
            deadline=data["deadline"],
            acting_user=self.request.user,
        )


class RecognitionFollowUpForm(WagtailAdminModelForm):
    move = forms.ChoiceField(label=gettext_lazy("Follow-up"), required=False, choices=[("", "—")])
    note = forms.CharField(
        label=gettext_lazy("Follow-up note"), required=False, widget=forms.Textarea({"rows": 2})
    )

    class Meta:
        model = Recognition
        fields = ["description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        moves = Recognition.FOLLOW_UP_MOVES.get(self.instance.follow_up, ())
        self.fields["move"].choices = [("", "—")] + [
            (move, Recognition.FollowUp(move).label) for move in moves
        ]


class RecognitionEditView(ServiceFormErrorsMixin, generic.EditView):
    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def save_instance(self):
        data = self.form.cleaned_data
        record = Recognition.objects.get(pk=self.object.pk)
        record.description = data["description"]
        record.save(update_fields=["description"])
        if data.get("move"):
            services.rectification_follow_up(
                record=record, status=data["move"], note=data["note"], acting_user=self.request.user
            )
        return record


class RecognitionViewSet(ScopedModelViewSet):
    model = Recognition
    icon = "pick"
    menu_label = gettext_lazy("Commendations and rectifications")
    menu_order = 1200
    add_view_class = RecognitionCreateView
    edit_view_class = RecognitionEditView
    form_fields = ["period", "kind", "employee", "title", "description", "deadline"]
    list_filter = ["kind", "follow_up", "period"]
    search_fields = ["title", "employee__name", "employee__number"]

    @cached_property
    def list_display(self):
        return [
            "title",
            "kind",
            "employee",
            "period",
            "deadline",
            "follow_up",
            Column(
                "is_overdue",
                label=gettext_lazy("Overdue"),
                accessor=lambda record: gettext_lazy("Overdue") if record.is_overdue else "",
            ),
        ]

    def get_form_class(self, for_update=False):
        if for_update:
            return RecognitionFollowUpForm
        return super().get_form_class(for_update)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Recognition.objects.select_related("employee", "period"), **kwargs
        )


class CareersViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Appraisal and careers")
    menu_icon = "pick"
    menu_order = 800
    items = (
        IndicatorSystemViewSet("careers_systems"),
        IndicatorViewSet("careers_indicators"),
        AppraisalPeriodViewSet("careers_periods"),
        IndicatorValueViewSet("careers_values"),
        AppraisalResultViewSet("careers_results"),
        TrainingHoursRuleViewSet("careers_hours_rules"),
        PositionTemplateViewSet("careers_templates"),
        DevelopmentPlanViewSet("careers_plans"),
        RotationProgrammeViewSet("careers_programmes"),
        RotationAssignmentViewSet("careers_rotations"),
        RecognitionViewSet("careers_recognitions"),
    )
