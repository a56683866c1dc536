"""Patches to framework internals, each with the versions it was written for and a system
check (``lms.checks``) that fails on any other version."""

from importlib import import_module

PATCHES = tuple(
    import_module(f"{__name__}.{name}")
    for name in (
        "django_auth_labels",
        "django_choice_overflow",
        "django_formset_cap",
        "modelcluster_formsets",
        "modelsearch_sqlite",
        "wagtail_chooser",
        "wagtail_labels",
        "wagtail_js_catalog",
        "wagtail_leaf_delete_check",
        "wagtail_link_chooser",
        "wagtail_media_search",
        "wagtail_streamfield",
    )
)
