"""Wagtail strings we show that Wagtail's own zh_Hans catalogue does not translate.

Listed here so that makemessages keeps them in our catalogue (locale/), which Django reads before
Wagtail's; each msgid is Wagtail's exactly. Strings from Wagtail's JavaScript (the sidebar's
"(2 new items in this menu)") are in ``WAGTAIL_JS_STRINGS``: translated here, in the django
domain, and added to Wagtail's JavaScript catalogue by ``lms.compat.wagtail_js_catalog``.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_STRINGS = [
    gettext_noop("Search all pages…"),
    # The group editor: the view permission's column and the admin-access permission.
    gettext_noop("Can view"),
    gettext_noop("Can access Wagtail admin"),
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
    # Found by the untranslated-string crawl (tests/lms/test_untranslated_crawl.py): admin
    # screens, the page editor's checks, the keyboard-shortcut dialog, account settings.
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Status %(status)s"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop("(Private %(object)s)"),
    gettext_noop("%(time)s by %(user_display_name)s"),
    gettext_noop("at %(time)s by %(user_display_name)s"),
    gettext_noop("%(time_period)s ago by %(user_display_name)s"),
    gettext_noop("%(action)s by <b>%(who)s</b> at <b>%(at)s</b>"),
    gettext_noop("%(action)s by <b>%(who)s</b>"),
    gettext_noop("Cancelled by %(cancelled_by)s"),
    gettext_noop("To be created by %(user)s"),
    gettext_noop("admin theme"),
    gettext_noop("Show keyboard shortcuts"),
    gettext_noop("Save changes"),
    gettext_noop("Monospace (code)"),
    gettext_noop("Toggle minimap"),
    gettext_noop(
        "Keyboard shortcuts are currently enabled; manage your %(account_link)s to disable them."
    ),
    gettext_noop("Text editing"),
    gettext_noop(
        "JavaScript is required to use Wagtail, but it is currently disabled.<br /> Here are the "
        '<a href="https://www.enable-javascript.com/" target="_blank" '
        'rel="noreferrer">instructions how to enable JavaScript in your web browser</a>.'
    ),
    gettext_noop("Close modal dialogs (like this one)"),
    gettext_noop("Paste without formatting"),
    gettext_noop("API tokens"),
    gettext_noop("Page types usage"),
    gettext_noop("Edit account avatar"),
    gettext_noop("Text formatting"),
    gettext_noop("Add or show comments"),
    gettext_noop("Insert or edit a link"),
    gettext_noop("Date updated"),
    gettext_noop("Has child pages"),
    gettext_noop("Edited by"),
    gettext_noop(
        "If you just want to add pages to an existing site, create them as children of the "
        "homepage instead."
    ),
    gettext_noop(
        "The root level is where you can add new sites to your Wagtail installation. Pages "
        "created here will not be accessible at any URL until they are associated with a site."
    ),
    gettext_noop("Page type"),
    gettext_noop("Link text is empty"),
    gettext_noop("Save your changes before leaving"),
    gettext_noop("Actions (footer)"),
    gettext_noop("Show disabled"),
    gettext_noop("Locked by"),
    gettext_noop("By task"),
    gettext_noop("By workflow"),
    gettext_noop("Is commenting action"),
    gettext_noop("Theme preferences"),
    gettext_noop("Enable custom keyboard shortcuts specific to Wagtail."),
    gettext_noop("More contrast"),
    gettext_noop(
        "<p>Select a file where redirects are separated into rows and contains the columns "
        "representing <code>from</code> and <code>to</code> (they can be named anything).</p> "
        "<p>After submitting you will be taken to a confirmation view where you can customize "
        "your redirects before import.</p>"
    ),
    gettext_noop("Go to the first error"),
    gettext_noop("List layout"),
    gettext_noop("Usage count: (high to low)"),
    gettext_noop("Usage count: (low to high)"),
    gettext_noop("Grid layout"),
    gettext_noop(
        "Please provide an image description to comply with best practices for accessibility."
    ),
    gettext_noop(
        "Upload successful. However, your new image seems to be a duplicate of this existing "
        "image. You may delete it if it wasn't required."
    ),
    gettext_noop("Last used"),
    gettext_noop("API token"),
    gettext_noop("Toggle all change permissions"),
    gettext_noop("Toggle all delete permissions"),
    gettext_noop("Toggle all custom permissions"),
    gettext_noop(
        'Why not <a class="upload-one-now" href="#tab-upload" '
        'data-action="w-tabs#select:prevent" data-w-tabs-target="trigger" '
        'data-w-tabs-focus-param="true">upload one now</a>?'
    ),
    gettext_noop(
        'There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'
    ),
    gettext_noop("Choose who can view the live version of this page"),
    gettext_noop("Autosave is <span>paused</span>"),
    gettext_noop("Autosave is paused"),
    gettext_noop("A network error occurred"),
    gettext_noop("Correct the validation errors to resume preview (saving will highlight errors)"),
    gettext_noop("Toggle checks"),
    gettext_noop("Show issue"),
    gettext_noop(
        "Troubleshoot your connection to the site before proceeding. Open the editor in a "
        "separate tab to view the last saved version."
    ),
    gettext_noop(
        'See our <a href="%(guide_link)s" target="_blank">content checks guide</a> for more '
        "information on how content metrics are calculated."
    ),
    gettext_noop("Reading time"),
    gettext_noop(
        "We calculate reading time from word count, using different reading speeds for different "
        "languages."
    ),
    gettext_noop("How we calculate our metrics"),
    gettext_noop("Content metrics"),
    gettext_noop(
        "We use a readability formula based on length of words and sentences. Long sentences and "
        "words result in a worse readability score."
    ),
    gettext_noop("This data explained"),
    gettext_noop(
        "We extract the main content from the page preview, remove all formatting, and calculate "
        "the number of words."
    ),
    gettext_noop("View latest version"),
    gettext_noop(
        'This publishing schedule will only take effect after you select the "Schedule to '
        'publish" option'
    ),
    gettext_noop(
        "Focus on the drag button and press up or down arrows to move the item, then press enter "
        "to submit the change."
    ),
    gettext_noop("Disable custom ordering"),
    gettext_noop("Please type <b>%(wagtail_site_name)s</b> to confirm."),
    gettext_noop(
        "Comma or new line separated list of choices. Only applicable in checkboxes, radio and "
        "dropdown."
    ),
    gettext_noop("Default value. Comma or new line separated values supported for checkboxes."),
    gettext_noop(
        "Preview cannot display due to validation errors. <br /> Click save to highlight the "
        "relevant fields."
    ),
    gettext_noop("Anyone with editing permissions can create schedules"),
    gettext_noop("But only those with publishing permissions can make them effective."),
    gettext_noop("You haven't uploaded any images."),
    gettext_noop("Choose parent"),
    gettext_noop("The new page will be a child of this given parent page."),
    gettext_noop("Locked by workflow"),
    ngettext_lazy(
        "This action will delete <b>%(total_pages_formatted)s</b> page in total.",
        "This action will delete <b>%(total_pages_formatted)s</b> pages in total.",
        "count",
    ),
    ngettext_lazy(
        "This page has one subpage. Unpublish this too",
        "This page has %(live_descendant_count)s subpages. Unpublish these too",
        "count",
    ),
]

WAGTAIL_JS_STRINGS = [
    gettext_noop("(1 new item in this menu)"),
    gettext_noop("(%(number)s new items in this menu)"),
]
