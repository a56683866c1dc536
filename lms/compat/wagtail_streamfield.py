"""Wagtail's StreamField (and ListBlock, StructBlock) widgets read their post by indexing it:
``int(data["materials-count"])``, ``data["materials-0-deleted"]``. A post without those keys, or
with a count that is not a number (a hand-made or damaged post), raised KeyError or ValueError:
a server error instead of a form that says what is wrong. Here such a post is unreadable: the
field refuses it with a message, the form shows the stored content again, nothing is saved.

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


class Unreadable:
    """What an unreadable post reads as (never a value a block could produce)."""

    def __repr__(self):
        return "<unreadable block post>"


UNREADABLE = Unreadable()


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy as _
    from wagtail.blocks.base import BlockField, BlockWidget

    read = BlockWidget.value_from_datadict

    def value_from_datadict(self, data, files, name):
        try:
            return read(self, data, files, name)
        except (KeyError, ValueError, TypeError, OverflowError, IndexError):
            return UNREADABLE

    clean = BlockField.clean

    def checked_clean(self, value):
        if value is UNREADABLE:
            raise ValidationError(
                _("This content could not be read from the form; reload the page and try again."),
                code="unreadable",
            )
        return clean(self, value)

    bound_data = BlockField.bound_data

    def checked_bound_data(self, data, initial):
        # The form is shown again with what is stored, not with the unreadable post.
        return initial if data is UNREADABLE else bound_data(self, data, initial)

    has_changed = BlockField.has_changed

    def checked_has_changed(self, initial_value, data_value):
        return data_value is UNREADABLE or has_changed(self, initial_value, data_value)

    BlockWidget.value_from_datadict = value_from_datadict
    BlockField.clean = checked_clean
    BlockField.bound_data = checked_bound_data
    BlockField.has_changed = checked_has_changed
