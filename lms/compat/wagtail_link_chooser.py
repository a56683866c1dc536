"""Wagtail's link choosers (rich text: e-mail, phone, anchor, external link) leave most of their
fields without a label, so Django makes one from the field's name: "Email address", "Link text",
"Phone number" in English on Chinese screens. Here each gets a translated label.

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

from django.utils.translation import pgettext_lazy

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from wagtail.admin.forms import choosers

    labels = {
        "email_address": pgettext_lazy("link chooser", "Email address"),
        "phone_number": pgettext_lazy("link chooser", "Phone number"),
        "link_text": pgettext_lazy("link chooser", "Link text"),
        "subject": pgettext_lazy("link chooser", "Subject"),
        "body": pgettext_lazy("link chooser", "Body"),
    }
    for form in (
        choosers.ExternalLinkChooserForm,
        choosers.AnchorLinkChooserForm,
        choosers.EmailLinkChooserForm,
        choosers.PhoneLinkChooserForm,
    ):
        for name, field in form.base_fields.items():
            if name in labels and field.label is None:
                field.label = labels[name]
