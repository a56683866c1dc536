"""Wagtail's chooser widgets re-render a refused form with the value that was posted; a value
that is not an id at all ("abc") makes ``get_instance`` raise ValueError, a server error
instead of the form's own "select a valid choice" message. Here such a value shows as empty.

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
        try:
            return original(self, value)
        except (ValueError, TypeError, OverflowError):
            return None

    BaseChooser.get_instance = get_instance
