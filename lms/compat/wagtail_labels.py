"""Labels Wagtail prints without translating them, or prints as Python values. Each is set to a
translated (lazy) label here; nothing else about the views changes.

- The group editor labels each model's add, change and delete checkboxes with the permission's
  stored name ("Can add course", written in English when Django migrated): its
  ``format_permissions`` tag is registered again around Wagtail's own, handing the template
  copies of those permissions whose name reads in the request's language
  (``lms.compat.django_auth_labels.labelled``).
- The groups listing prints the stored name ("Department manager"), not ``str(group)``.
- The group delete page names the group by its stored name.
- The status side panel's error counter prints "None" on a view with no form (inspect views).
- The page fields of the group editor's page permissions and of the workflow editor's pages
  have no label, so Django prints the field's name, "Page".
- The sites listing's "Site name" and "Root page" columns are labelled from the field names, not
  from the fields' translated verbose names.
- The page search has no model name, so its count reads "1-18 of 18 None".

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")
TEMPLATE = "wagtailusers/groups/includes/formatted_permissions.html"


def installed_version() -> str:
    return version(PACKAGE)


def install():
    _group_editor_permissions()
    _groups_listing()
    _group_delete_name()
    _status_counter()
    _page_field_labels()
    _sites_columns()
    _page_search_count()


def _group_editor_permissions():
    from wagtail.users.templatetags import wagtailusers_tags

    from .django_auth_labels import labelled

    original = wagtailusers_tags.format_permissions

    def format_permissions(permission_bound_field):
        context = original(permission_bound_field)
        for row in context["object_perms"]:
            for action in ("add", "change", "delete"):
                if action in row:
                    row[action] = {**row[action], "perm": labelled(row[action]["perm"])}
        context["other_perms"] = [(labelled(perm), box) for perm, box in context["other_perms"]]
        return context

    wagtailusers_tags.register.inclusion_tag(TEMPLATE, name="format_permissions")(
        format_permissions
    )


def _groups_listing():
    from wagtail.users.views.groups import IndexView

    for column in IndexView.columns:
        if column.name == "name":
            column.accessor = str  # Group.__str__ reads in the request's language


def _group_delete_name():
    import copy

    from wagtail.users.views.groups import DeleteView

    original = DeleteView.get_context_data

    def get_context_data(self, **kwargs):
        context = original(self, **kwargs)
        shown = copy.copy(context["group"])  # for display only: never saved
        shown.name = str(shown)
        context["group"] = shown
        return context

    DeleteView.get_context_data = get_context_data


def _status_counter():
    from wagtail.admin.ui.side_panels import StatusSidePanel

    toggle = StatusSidePanel.SidePanelToggle
    original = toggle.get_context_data

    def get_context_data(self, parent_context):
        context = original(self, parent_context)
        context["count"] = context["count"] or 0
        return context

    toggle.get_context_data = get_context_data


def _page_field_labels():
    from django.utils.translation import gettext_lazy as _
    from wagtail.admin.forms.workflows import WorkflowPageForm
    from wagtail.users.forms import PagePermissionsForm

    for form in (PagePermissionsForm, WorkflowPageForm):
        form.base_fields["page"].label = _("Page")


def _sites_columns():
    from django.utils.text import capfirst
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        if column.name in ("site_name", "root_page"):
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)


def _page_search_count():
    from wagtail.admin.views.pages.search import SearchView
    from wagtail.models import Page

    SearchView.verbose_name = Page._meta.verbose_name
    SearchView.verbose_name_plural = Page._meta.verbose_name_plural
