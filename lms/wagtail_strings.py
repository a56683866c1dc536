"""Wagtail strings we show that Wagtail's own zh_Hans catalogue does not translate.

Listed here so that makemessages keeps them in our catalogue (locale/), which Django reads before
Wagtail's; each msgid is Wagtail's exactly. Strings from Wagtail's JavaScript (the sidebar's
"(2 new items in this menu)") are in ``WAGTAIL_JS_STRINGS``: translated here, in the django
domain, and added to Wagtail's JavaScript catalogue by ``lms.compat.wagtail_js_catalog``.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = [
    gettext_noop("Search all pages…"),
    gettext_noop("Privacy and access"),
    gettext_noop("Exploring"),
    gettext_noop("Your pages and snippets in a workflow"),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s across entire site."
    ),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s in "
        "'<span class=\"w-title-ellipsis\">%(title)s</span>'."
    ),
    # The subject of the e-mail approvers get when a plan is submitted to its workflow.
    gettext_noop('The page "%(title)s" has been submitted to workflow "%(workflow)s"'),
    # The admin home's site summary.
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
]

WAGTAIL_JS_STRINGS = [
    gettext_noop("(1 new item in this menu)"),
    gettext_noop("(%(number)s new items in this menu)"),
]
