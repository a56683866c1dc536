from django.core.checks import Tags, Warning, register

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
