"""Who approves courses and plans: the training manager group."""

from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.log_actions import log

from lms.roles import forget_cached_roles

from ..models import (
    TRAINING_MANAGER_GROUP,
)


@transaction.atomic
def training_manager_set(*, user, is_manager: bool = True, acting_user=None):
    """Make the user a training manager (who approves courses and plans), or stop it."""

    group = Group.objects.get(name=TRAINING_MANAGER_GROUP)
    if is_manager:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    forget_cached_roles(user)
    employee = getattr(user, "employee", None)
    if employee is not None:
        log(
            employee,
            "lms.roles_changed",
            user=acting_user,
            data={"training_manager": is_manager},
        )
