from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Organisation")

    def ready(self):
        from . import admin_csp, checks  # noqa: F401  (checks registers the system checks)

        admin_csp.install()

        from .compat import PATCHES

        for patch in PATCHES:
            patch.install()

        from django.db.models import BooleanField
        from wagtail.admin.ui.fields import register_display_class

        from .admin_views import BooleanDisplay

        register_display_class(BooleanField, display_class=BooleanDisplay)

        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .sessions import session_ended, session_started

        user_logged_in.connect(session_started, dispatch_uid="lms.session_started")
        user_logged_out.connect(session_ended, dispatch_uid="lms.session_ended")

        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save
        from wagtail.users.models import UserProfile

        from .auth import forget_saved_user

        for model in (get_user_model(), UserProfile):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_saved_user, sender=model, dispatch_uid=f"lms.forget_user.{signal}"
                )

        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed

        from .auth import directory_changed, forget_role_members
        from .models import Department, Employee, Position

        # A cached account holds its role names and employee profile with department and
        # position (lms.auth): a change to one's employee profile or groups forgets that
        # account, and a change to a department, a position or a group forgets them all.
        for signal in (post_save, post_delete):
            signal.connect(
                forget_saved_user, sender=Employee, dispatch_uid=f"lms.forget_user.e.{signal}"
            )
            for model in (Department, Position, Group):
                signal.connect(
                    directory_changed,
                    sender=model,
                    dispatch_uid=f"lms.directory_changed.{model.__name__}.{signal}",
                )
        m2m_changed.connect(
            forget_role_members,
            sender=get_user_model().groups.through,
            dispatch_uid="lms.forget_role_members",
        )
