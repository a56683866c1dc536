from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

from .models import Department, Employee
from .uploads import UploadRefused, check_document, check_size, check_svg, extension_of


class EmployeeLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Employee number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("The employee number or the password is wrong."),
        "inactive": _("This account is no longer active."),
        "directory_unreachable": _(
            "The company directory cannot be reached at the moment, so your password cannot be "
            "checked. Please try again in a few minutes; if this goes on, tell the IT help desk."
        ),
        "directory_refused": _("Your directory account cannot be used here: %(reason)s"),
    }

    def get_invalid_login_error(self):
        from .directory import REFUSAL_FLAG, UNREACHABLE_FLAG

        if getattr(self.request, UNREACHABLE_FLAG, False):
            return ValidationError(
                self.error_messages["directory_unreachable"], code="directory_unreachable"
            )
        refusal = getattr(self.request, REFUSAL_FLAG, None)
        if refusal:
            return ValidationError(
                self.error_messages["directory_refused"] % {"reason": refusal},
                code="directory_refused",
            )
        return super().get_invalid_login_error()


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


# --- Wagtail document and image uploads (WAGTAILDOCS_DOCUMENT_FORM_BASE, …_IMAGE_FORM_BASE) ---


def _new_upload(form):
    """The file just uploaded in this form, or None when the file is unchanged."""
    upload = form.cleaned_data.get("file")
    return upload if isinstance(upload, UploadedFile) else None


class NamedFileErrorsMixin:
    """Every refusal of the uploaded file names it (Wagtail's own field messages do not)."""

    def clean(self):
        cleaned_data = super().clean()
        upload = self.files.get(self.add_prefix("file"))
        if upload is not None and "file" in self._errors:
            self._errors["file"] = self.error_class(
                [
                    message
                    if upload.name in message
                    else UploadRefused(upload.name, message).messages[0]
                    for message in self._errors["file"]
                ]
            )
        return cleaned_data

    def _update_errors(self, errors):
        # The model's own extension check (Wagtail's ``AbstractDocument.clean``) runs on the
        # file the instance holds; once the form has refused the upload that is no file at all,
        # and the check would add a second message, 'File extension "" is not allowed'.
        if self._errors and "file" in self._errors and hasattr(errors, "error_dict"):
            errors.error_dict.pop("file", None)
            if not errors.error_dict:
                return
        super()._update_errors(errors)


class SafeDocumentForm(NamedFileErrorsMixin, BaseDocumentForm):
    """Documents: allowed type and size, and content that matches the extension."""

    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            check_document(upload, name=upload.name)
        return self.cleaned_data.get("file")


class SafeImageForm(NamedFileErrorsMixin, BaseImageForm):
    """Images: Wagtail checks type, size and pixels; an SVG must carry no script or links; a
    file the image library cannot read to the end (a truncated or malformed GIF…) is refused
    as not an image instead of failing inside Wagtail's pixel check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            to_python = field.to_python

            def readable(data):
                try:
                    return to_python(data)
                except (OSError, SyntaxError, ValueError, EOFError):
                    raise ValidationError(
                        _("It is not an image that can be read."), code="invalid_image"
                    ) from None

            field.to_python = readable

    def clean_file(self):
        upload = _new_upload(self)
        if upload is not None:
            check_size(upload.name, upload.size, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE)
            if extension_of(upload.name) == "svg":
                upload.seek(0)
                check_svg(upload.read(), name=upload.name)
                upload.seek(0)
        return self.cleaned_data.get("file")


class ReadableDraftailRichTextArea(DraftailRichTextArea):
    """Draftail that treats a posted value it cannot read as empty, not as a server error.

    The browser always posts Draftail's JSON; anything else (a hand-made or damaged post) made
    the converter raise. Empty lets the form say what is missing, as for any other field.
    """

    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            return ""
