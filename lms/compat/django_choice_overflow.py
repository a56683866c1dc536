"""Django's model choice fields look a posted id up in the database and treat a value that is
not an id as an invalid choice, but an integer beyond 64 bits raises OverflowError on SQLite
(a server error instead of the field's "select a valid choice"). Here it is an invalid choice.

Written for Django 5.2.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE = "django"
VERSIONS = tuple(f"5.2.{n}" for n in range(40))


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.core.exceptions import ValidationError
    from django.forms.models import ModelChoiceField, ModelMultipleChoiceField

    to_python = ModelChoiceField.to_python

    def choice_to_python(self, value):
        try:
            return to_python(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None

    ModelChoiceField.to_python = choice_to_python

    check_values = ModelMultipleChoiceField._check_values

    def multiple_check_values(self, value):
        try:
            return check_values(self, value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": next(iter(value), "")},
            ) from None

    ModelMultipleChoiceField._check_values = multiple_check_values
