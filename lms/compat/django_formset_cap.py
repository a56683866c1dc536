"""Django builds up to ``absolute_max`` forms (2,000 for a Wagtail inline panel) for a formset
post that claims more, only to refuse it afterwards as "too many forms". A hostile post that
claims ten billion inline rows therefore had every one of 2,000 panel forms built, cleaned and
rendered again: seconds of CPU per request. Here such a post builds none; Django's own check
(``management_form`` over ``absolute_max``) still refuses it with its message, nothing saved.

Written for Django 5.2.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE = "django"
VERSIONS = tuple(f"5.2.{n}" for n in range(40))


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.forms.formsets import TOTAL_FORM_COUNT, BaseFormSet

    total_form_count = BaseFormSet.total_form_count

    def capped_total_form_count(self):
        if self.is_bound and self.management_form.is_valid():
            if self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max:
                return 0
        return total_form_count(self)

    BaseFormSet.total_form_count = capped_total_form_count
