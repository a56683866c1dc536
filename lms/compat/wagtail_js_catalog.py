"""Wagtail's admin JavaScript reads its words from the djangojs catalogue of ``wagtail.admin``;
where Wagtail's zh_Hans catalogue lacks one we show (the sidebar's "(2 new items in this menu)"),
this adds our translation of it (``lms.wagtail_strings.WAGTAIL_JS_STRINGS``, kept in our django
catalogue) to the catalogue Wagtail serves: only those msgids, and only where Wagtail has none.

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from django.utils.translation import gettext
    from django.views.i18n import JavaScriptCatalog
    from wagtail.admin.views import i18n

    from lms.wagtail_strings import WAGTAIL_JS_STRINGS

    class WagtailCatalog(JavaScriptCatalog):
        def get_catalog(self):
            catalog = super().get_catalog()
            for msgid in WAGTAIL_JS_STRINGS:
                translated = gettext(msgid)
                if msgid not in catalog and translated != msgid:
                    catalog[msgid] = translated
            return catalog

    # localized_js_catalog (the view behind "wagtailadmin_javascript_catalog") calls the
    # module's js_catalog when a request comes, so replacing it here is enough.
    i18n.js_catalog = WagtailCatalog.as_view(packages=["wagtail.admin"])
