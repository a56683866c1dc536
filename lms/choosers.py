"""Chooser pop-ups for records an edit form points at, where a drop-down would list them all.

A plan item's trainer or an exam's fixed question is one of hundreds or thousands of rows: as a
``<select>`` every inline form renders all of them (a training plan of 14 items with 790
employees rendered 11,000 options, 1.1 MB and 1.7 s). A chooser renders only the chosen record
and searches the rest in a pop-up, as Wagtail's own page and image choosers do.

Each chooser is for the roles that edit the forms using it (``require_role`` on every view of
it, the pop-up, its results, the chosen record's lookup), and is not registered as the default
widget for every foreign key to its model: other forms keep their own widgets.
"""

from django import forms
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from .roles import Role, require_role


class SearchForm(BaseFilterForm):
    """A search box over the chooser's ``search_lookups`` (substring, any of them)."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
        max_length=100,
    )
    search_lookups: tuple[str, ...] = ()

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            condition = Q()
            for lookup in self.search_lookups:
                condition |= Q(**{f"{lookup}__icontains": query})
            objects = objects.filter(condition)
            self.is_searching = True
            self.search_query = query
        return objects


class RoleRequiredMixin:
    """Every view of a chooser refuses users without one of the viewset's roles (403)."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        require_role(request.user, *self.roles)
        return super().dispatch(request, *args, **kwargs)


class ListingMixin:
    """The chooser's rows as its viewset lists them: its queryset, search and extra columns."""

    queryset = None
    extra_columns: tuple[Column, ...] = ()
    search_form_class = SearchForm
    title_label = None

    def get_object_list(self):
        return self.queryset()

    def get_filter_form_class(self):
        return self.search_form_class

    @property
    def columns(self):
        title = self.title_column
        if self.title_label:
            title.label = self.title_label
        return [title, *self.extra_columns]


class ChooseView(RoleRequiredMixin, ListingMixin, chooser_views.ChooseView):
    pass


class ChooseResultsView(RoleRequiredMixin, ListingMixin, chooser_views.ChooseResultsView):
    pass


def _ids(values) -> list[int]:
    """The values that can be ids (a hostile ``abc`` or a 30-digit number is no record)."""
    return [int(v) for v in map(str, values) if v.isascii() and v.isdigit() and len(v) <= 18]


class ChosenView(RoleRequiredMixin, chooser_views.ChosenView):
    def get_object(self, pk):
        ids = _ids([pk])
        if not ids:
            raise Http404
        return super().get_object(ids[0])


class ChosenMultipleView(RoleRequiredMixin, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return super().get_objects(_ids(pks))


class RoleChooserViewSet(ChooserViewSet):
    """A chooser for ``roles``; rows from ``get_queryset``, searched over ``search_lookups``."""

    roles: tuple[str, ...] = ()
    search_lookups: tuple[str, ...] = ()
    extra_columns: tuple[Column, ...] = ()
    title_label = None
    register_widget = False
    per_page = 20
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView

    def get_queryset(self):
        """Every row of the model; a chooser narrows or orders it by overriding this."""
        from wagtail.coreutils import resolve_model_string

        return resolve_model_string(self.model)._default_manager.all()

    def get_urlpatterns(self):
        # Nothing is created from a chooser (an employee comes with an account and a role, a
        # question with its versions): the pop-up's "create" step is left out.
        return [p for p in super().get_urlpatterns() if p.name != "create"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(roles=self.roles, **kwargs)

    def _listing_kwargs(self):
        form_class = type(
            "SearchForm", (SearchForm,), {"search_lookups": tuple(self.search_lookups)}
        )
        return {
            "title_label": self.title_label,
            "queryset": self.get_queryset,
            "extra_columns": tuple(self.extra_columns),
            "search_form_class": form_class,
        }

    @property
    def choose_view(self):
        return self.construct_view(
            self.choose_view_class,
            icon=self.icon,
            page_title=self.page_title,
            search_tab_label=self.search_tab_label,
            creation_tab_label=self.creation_tab_label,
            **self._listing_kwargs(),
        )

    @property
    def choose_results_view(self):
        return self.construct_view(self.choose_results_view_class, **self._listing_kwargs())


class EmployeeChooserViewSet(RoleChooserViewSet):
    """Employees by number or name, with their department: a plan item's trainer, an exam's
    per-employee override. For those who edit plans and exams."""

    model = "lms.Employee"
    icon = "user"
    roles = (Role.TRAINER, Role.HR)
    choose_one_text = _("Choose an employee")
    choose_another_text = _("Choose another employee")
    edit_item_text = _("Edit employee")
    search_lookups = ("number", "name")
    title_label = _("employee")
    extra_columns = (
        Column("number", label=_("employee number")),
        Column("department", label=_("department"), accessor="department.name"),
    )

    def get_queryset(self):
        from .models import Employee

        return Employee.objects.select_related("department").order_by("number")


employee_chooser_viewset = EmployeeChooserViewSet("employee_chooser", url_prefix="choose/employee")
