from django import forms
from django.utils.translation import gettext_lazy as _

from lms.models import Position


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    target_position = forms.ModelChoiceField(
        label=_("Target position"),
        queryset=Position.objects.all(),
        required=False,
        help_text=_("The position's template fills in goals and courses."),
    )
