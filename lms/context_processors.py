from .auth import sso_enabled
from .portal import SECTIONS, menu_links
from .roles import ADMIN_ROLES, get_employee, has_role


def portal(request):
    """What the portal shell needs on every page: the sections and the admin link."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_sections": SECTIONS}
    return {
        "portal_sections": SECTIONS,
        "portal_menu_links": menu_links(),
        "portal_employee": get_employee(user),
        "portal_can_use_admin": user.is_superuser or has_role(user, *ADMIN_ROLES),
        # Whether this person has a password here (not with SSO, except the break-glass one).
        "portal_local_password": user.is_superuser or not sso_enabled(),
    }
