from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.models import Department, Employee

from .models import (
    CorrectiveAction,
    EvaluationSheet,
    Finding,
    Phase,
    RatingLevel,
    TemplateCriterion,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConductForm(forms.Form):
    actual_start = forms.DateTimeField(label=_("Actual start"), widget=DATETIME_INPUT)
    actual_end = forms.DateTimeField(label=_("Actual end"), widget=DATETIME_INPUT)
    absent = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("drills", "Absent"),
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].queryset = Employee.objects.filter(
            pk__in=[p.employee_id for p in participants]
        )
        self.fields["absent"].label_from_instance = lambda e: e.name


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Coordinator's summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = [
            "kind",
            "grade",
            "title",
            "description",
            "criteria",
            "responsible_department",
            "recurrence_of",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.drill = drill
        self.fields["criteria"].queryset = TemplateCriterion.objects.filter(
            template_id=drill.template_id
        )
        self.fields["responsible_department"].queryset = Department.objects.all()
        self.fields["recurrence_of"].queryset = Finding.objects.filter(
            drill__plan_id=drill.plan_id, kind=Finding.Kind.IMPROVEMENT
        ).exclude(drill=drill)


class ActionForm(forms.ModelForm):
    finding = forms.ModelChoiceField(label=_("Finding"), queryset=Finding.objects.none())
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty for the default for the finding's grade."),
    )

    class Meta:
        model = CorrectiveAction
        fields = [
            "finding",
            "description",
            "element",
            "course_code",
            "owner",
            "department",
            "start_date",
            "due_date",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "start_date": DATE_INPUT}

    def __init__(self, *args, drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = Finding.objects.filter(
            drill=drill, kind=Finding.Kind.IMPROVEMENT
        )
        self.fields["owner"].queryset = Employee.objects.active().select_related("department")
        self.fields["department"].required = False
        self.fields["start_date"].required = False


class ResultForm(forms.Form):
    level = forms.ModelChoiceField(
        label=_("Rating"), queryset=RatingLevel.objects.none(), required=False
    )
    points = forms.DecimalField(
        label=_("Points"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    reason = forms.CharField(label=_("Reason"), required=False)
    observation = forms.CharField(label=_("Observation"), required=False)
    observed_at = forms.TimeField(label=_("Time observed"), required=False)
    photo = forms.FileField(label=_("Photo evidence"), required=False)

    def __init__(self, *args, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = RatingLevel.objects.filter(scale=scale)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    method = forms.CharField(label=_("Verification method"), max_length=200)
    result = forms.CharField(
        label=_("Verification result"), widget=forms.Textarea(attrs={"rows": 2})
    )
    passed = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Passed: close the action")), ("0", _("Not passed: back to the owner"))],
        coerce=lambda value: value == "1",
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(
        label=_("Your self-assessment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What went well, what was hard, what you would do differently."),
    )


class SheetAssignForm(forms.Form):
    sheet = forms.ModelChoiceField(label=_("Evaluator"), queryset=EvaluationSheet.objects.none())
    department = forms.ModelChoiceField(
        label=_("Department observed"), queryset=Department.objects.all()
    )
    phases = forms.MultipleChoiceField(
        label=_("Phases judged"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box empty for all phases."),
    )

    def __init__(self, *args, drill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].queryset = EvaluationSheet.objects.filter(drill=drill).select_related(
            "evaluator"
        )
        self.fields["sheet"].label_from_instance = lambda sheet: sheet.evaluator.name
