from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Department, Employee


class EmployeeLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Employee number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The employee number or the password is wrong."),
        "inactive": _("This account is no longer active."),
    }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=())
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


class ArchiveYearForm(forms.Form):
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]


class DepartmentAdminForm(forms.ModelForm):
    """Department form for the admin: the tree position is chosen as a parent department."""

    parent = forms.ModelChoiceField(
        label=_("parent department"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("Leave empty only for the company itself."),
    )

    class Meta:
        model = Department
        fields = ["code", "name", "kind", "manager"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = Employee.objects.active().order_by("number")
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.get_parent()
            self.fields["parent"].queryset = Department.objects.exclude(
                path__startswith=self.instance.path
            )


class EmployeeAdminForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = [
            "number",
            "name",
            "department",
            "position",
            "hire_date",
            "status",
            "phone",
            "email",
        ]
        widgets = {"hire_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The employee number is the sign-in name; it is fixed once the account exists.
            self.fields["number"].disabled = True
            if for_user is not None:
                from .personal import employee_fields

                visible = employee_fields(for_user, self.instance)
                for name in list(self.fields):
                    if name not in visible:
                        del self.fields[name]
