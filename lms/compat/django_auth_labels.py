"""Groups and permissions are rows, named once in English: Django writes "Can add course" when it
migrates, and the role groups are named by ``lms.roles.Role``'s values. Shown as they are stored,
the group editor, the users list and every "Editing: Department manager" title read in English on
Chinese pages. Here both read in the language of the request, and the stored names stay as they
are (code looks groups up by name; another language reads them in its own).

- ``Group.__str__`` gives the role's translated label (``lms.roles.group_label``);
- ``Permission.__str__`` gives "<content type> | <translated label>", where Django's four default
  permissions are worded afresh from the model's translated name and any other permission's
  name goes through gettext (Wagtail's and ours are msgids);
- Wagtail's group editor prints the add/change/delete checkboxes' labels from ``perm.name``
  itself; its ``format_permissions`` tag is registered again to hand it translated copies.

Written for Django 5.2.x; ``lms.checks.compat_versions`` fails on others. The Wagtail tag it
wraps is checked by ``lms.compat.wagtail_labels``.
"""

import copy
from importlib.metadata import version

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

PACKAGE = "django"
VERSIONS = tuple(f"5.2.{n}" for n in range(40))

DEFAULT_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def installed_version() -> str:
    return version(PACKAGE)


def permission_label(permission) -> str:
    """The permission's name in the active language."""
    from django.contrib.auth import get_permission_codename
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(permission.content_type_id).model_class()
    if model is not None:
        opts = model._meta
        for action in opts.default_permissions:
            if (
                action in DEFAULT_LABELS
                and permission.codename == get_permission_codename(action, opts)
                and permission.name == f"Can {action} {opts.verbose_name_raw}"
            ):
                return DEFAULT_LABELS[action] % {"model": opts.verbose_name}
    return gettext(permission.name)


def labelled(permission):
    """A copy of the permission whose ``name`` reads in the active language (for display only)."""
    shown = copy.copy(permission)
    shown.name = permission_label(permission)
    return shown


def install():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from lms.roles import group_label

    def group_str(self):
        return group_label(self.name)

    def permission_str(self):
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        return f"{content_type} | {permission_label(self)}"

    Group.__str__ = group_str
    Permission.__str__ = permission_str
