"""The image and document listings filter by usage count through a ``Coalesce`` annotation; while
searching, Wagtail hands that filter to the search backend, which cannot filter on an
expression (``'Coalesce' object has no attribute 'target'``): a server error for any search
with a usage-count bound. Here, while searching, the usage-count filter becomes a filter on the
ids of the matching rows, as Wagtail already does for its tag filter (``RelatedFilterMixin``).

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


def installed_version() -> str:
    return version(PACKAGE)


def install():
    import django_filters
    from wagtail.admin.filters import BaseMediaFilterSet, RelatedFilterMixin

    class UsageCountWhileSearching(RelatedFilterMixin, django_filters.RangeFilter):
        pass

    original_init = BaseMediaFilterSet.__init__

    def __init__(self, *args, is_searching=None, **kwargs):
        original_init(self, *args, is_searching=is_searching, **kwargs)
        if is_searching and "usage_count" in self.filters:
            usage = self.filters["usage_count"]
            self.filters["usage_count"] = UsageCountWhileSearching(
                field_name=usage.field_name,
                label=usage.label,
                widget=usage.extra.get("widget"),
                use_subquery=True,
            )

    BaseMediaFilterSet.__init__ = __init__
