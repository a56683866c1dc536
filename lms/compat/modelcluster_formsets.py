"""modelcluster's inline formsets (Wagtail's InlinePanel: drill participants, questionnaire
fields, lessons…) read each existing row's id by indexing the post, ``self.data["rows-0-id"]``,
and convert it unchecked. A post that claims more existing rows than it carries ids for, or an
id that is not a number, raised KeyError or ValidationError outside validation: a server error.
Here such a row is read as a new, empty one, so the formset's own validation refuses it with
its field messages and nothing is saved.

Written for django-modelcluster 6.5; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "django-modelcluster", ("6.5",)


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.core.exceptions import ValidationError
    from django.forms.models import BaseModelFormSet
    from modelcluster.forms import BaseTransientModelFormSet

    def _construct_form(self, i, **kwargs):
        # modelcluster's own method, with the id read with .get() and converted under a guard.
        if self.is_bound and i < self.initial_form_count():
            pk_key = f"{self.add_prefix(i)}-{self.model._meta.pk.name}"
            pk = self.data.get(pk_key, "")
            if pk == "":
                kwargs["instance"] = self.model()
            else:
                try:
                    pk = self._get_to_python(self.model._meta.pk)(pk)
                except (ValidationError, ValueError, TypeError, OverflowError):
                    kwargs["instance"] = self.model()
                else:
                    kwargs["instance"] = self._existing_object(pk)
        if i < self.initial_form_count() and "instance" not in kwargs:
            kwargs["instance"] = self.get_queryset()[i]
        if i >= self.initial_form_count() and self.initial_extra:
            try:
                kwargs["initial"] = self.initial_extra[i - self.initial_form_count()]
            except IndexError:
                pass
        return super(BaseModelFormSet, self)._construct_form(i, **kwargs)

    BaseTransientModelFormSet._construct_form = _construct_form
