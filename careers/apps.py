from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    name = "careers"
    verbose_name = _("Careers and appraisal")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
