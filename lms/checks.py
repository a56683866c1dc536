from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .pdf import cjk_font_files


@register(Tags.compatibility)
def cjk_font_installed(app_configs, **kwargs):
    """PDFs embed a CJK font; without one, Chinese text renders as empty boxes."""
    if cjk_font_files():
        return []
    return [
        Warning(
            "No CJK font is installed, so Chinese text in PDFs (certificates, archives, "
            "reports) will not render.",
            hint="Install one, e.g. `apt-get install fonts-noto-cjk` on Debian or Ubuntu.",
            id="lms.W001",
        )
    ]


@register(Tags.security, deploy=True)
def secret_key_configured(app_configs, **kwargs):
    """`check --deploy` fails clearly when production has no SECRET_KEY.

    A deploy check only, so that management commands that never sign anything (makemigrations,
    compilemessages) run without one; a server without it fails on its first request.
    """
    try:
        settings.SECRET_KEY  # noqa: B018  (Django validates it on access)
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Set the SECRET_KEY environment variable (or DEBUG=1 for local development).",
                id="lms.E001",
            )
        ]
    return []


@register(Tags.compatibility)
def compat_versions(app_configs, **kwargs):
    """Each patch in lms/compat runs only on the versions it was written for."""
    from .compat import (
        django_choice_overflow,
        modelsearch_sqlite,
        wagtail_chooser,
        wagtail_js_catalog,
        wagtail_link_chooser,
    )

    errors = []
    for patch in (
        django_choice_overflow,
        modelsearch_sqlite,
        wagtail_chooser,
        wagtail_js_catalog,
        wagtail_link_chooser,
    ):
        found = patch.installed_version()
        if found not in patch.VERSIONS:
            errors.append(
                Error(
                    f"{patch.__name__} patches {patch.PACKAGE} {', '.join(patch.VERSIONS)}, "
                    f"but {found} is installed: check the patch and update its versions.",
                    id="lms.E010",
                )
            )
    return errors


@register(Tags.security)
def directory_settings(app_configs, **kwargs):
    """Directory sign-in needs a place to look for people, and the group → role table must
    name our roles (a typo would silently give nobody the role)."""
    from .directory import group_roles_problems

    errors = [
        Error(
            f"DIRECTORY_GROUP_ROLES: {problem}.",
            hint="Write group:Role pairs separated by commas, e.g. ga-trainers:Trainer,ga-hr:HR.",
            id="lms.E020",
        )
        for problem in group_roles_problems()
    ]
    if settings.DIRECTORY_LDAP_URI and not settings.DIRECTORY_LDAP_USER_BASE:
        errors.append(
            Error(
                "DIRECTORY_LDAP_URI is set but DIRECTORY_LDAP_USER_BASE is empty.",
                hint="Set it to the DN below which people are, e.g. ou=people,dc=corp,dc=example.",
                id="lms.E021",
            )
        )
    return errors
