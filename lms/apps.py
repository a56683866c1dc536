from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Organisation")

    def ready(self):
        from . import admin_csp, checks  # noqa: F401  (checks registers the system checks)

        admin_csp.install()

        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .sessions import session_ended, session_started

        user_logged_in.connect(session_started, dispatch_uid="lms.session_started")
        user_logged_out.connect(session_ended, dispatch_uid="lms.session_ended")
