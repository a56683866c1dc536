"""The emergency plan's admin form: every change after the first states why it was made.

Kept apart from ``forms.py`` because the page model names it at import time (so it must not
import the models at module level).
"""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

REASON_CHOICES = [
    ("periodic_review", _("Periodic review")),
    ("drill_finding", _("Drill finding")),
    ("incident", _("Incident")),
    ("regulation_change", _("Regulation change")),
]


class EmergencyPlanPageForm(WagtailAdminPageForm):
    revision_reason = forms.ChoiceField(
        label=_("Reason for this revision"),
        choices=[("", "---------"), *REASON_CHOICES],
        required=False,
        help_text=_("Required for every change to an existing plan."),
    )
    revision_explanation = forms.CharField(
        label=_("What changed and why"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    closes_actions = forms.ModelMultipleChoiceField(
        label=_("Corrective actions this revision answers"),
        queryset=None,
        required=False,
        help_text=_("Plan-element corrective actions that are still open for this plan."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action_model = apps.get_model("drills", "CorrectiveAction")
        queryset = action_model.objects.open_plan_actions()
        if self.instance.pk:
            queryset = queryset.filter(finding__drill__plan=self.instance)
        else:
            queryset = queryset.none()
        self.fields["closes_actions"].queryset = queryset.select_related("finding")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("revision_reason"):
            self.add_error("revision_reason", _("Say why the plan is being revised."))
        return cleaned

    def save(self, commit=True):
        page = super().save(commit=commit)
        # Read by the after_create_page/after_edit_page hook, which records the note against
        # the revision the view has just saved.
        page._revision_note = {
            "reason": self.cleaned_data.get("revision_reason") or "",
            "explanation": self.cleaned_data.get("revision_explanation") or "",
            "actions": list(self.cleaned_data.get("closes_actions") or []),
        }
        return page
