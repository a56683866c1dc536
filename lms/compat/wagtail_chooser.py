"""Wagtail's chooser widgets re-render a refused form with the value that was posted; a value
that is not an id at all ("abc") makes ``get_instance`` raise ValueError, a server error
instead of the form's own "select a valid choice" message. Here such a value shows as empty.

A form showing many choosers of one kind (an inline panel's rows) may hand them the chosen
records read at once (``lms.widgets.prefetch_chosen``): a chooser then takes its record from
there instead of one query each.

A page chooser for one page type says "Choose a page (Course)" in the language of the request
that first built its form, for good: here that label stays translatable.

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from wagtail.admin.widgets.chooser import BaseChooser

    original = BaseChooser.get_instance

    def get_instance(self, value):
        prefetched = getattr(self, "prefetched", None)
        if prefetched and value not in (None, ""):
            found = prefetched.get(str(getattr(value, "pk", value)))
            if found is not None:
                return found
        try:
            return original(self, value)
        except (ValueError, TypeError, OverflowError):
            return None

    BaseChooser.get_instance = get_instance

    from django.utils.text import capfirst, format_lazy
    from wagtail.admin.widgets.chooser import AdminPageChooser

    original_init = AdminPageChooser.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        models = self.target_models
        if len(models) == 1 and self.choose_one_text != AdminPageChooser.choose_one_text:
            # Wagtail joins "Choose a page (Course)" into a plain string in the language of
            # the request that first built the form, for every later request; kept lazy here.
            self.choose_one_text = format_lazy(
                "{} ({})", AdminPageChooser.choose_one_text, capfirst(models[0]._meta.verbose_name)
            )

    AdminPageChooser.__init__ = __init__
