from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import Channel, enabled_channels, event_kinds


class PreferencesForm(forms.Form):
    """One row of channel boxes per kind of notification."""

    def __init__(self, *args, current: dict[str, set[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = event_kinds()
        enabled = enabled_channels()
        for name, kind in self.kinds.items():
            self.fields[self.field_name(name)] = forms.MultipleChoiceField(
                label=kind.label,
                choices=[(c, label) for c, label in Channel.choices if c in enabled],
                required=False,
                initial=sorted(current.get(name, set())),
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("%(value)s is not a channel.")},
            )

    @staticmethod
    def field_name(kind_name: str) -> str:
        return "kind__" + kind_name.replace(".", "__")

    def rows(self):
        return [self[self.field_name(name)] for name in self.kinds]

    def choices(self) -> dict[str, list[str]]:
        return {name: self.cleaned_data[self.field_name(name)] for name in self.kinds}
