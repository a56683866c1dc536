"""What every role gets from every URL. See tests/security/matrix.py for the vocabulary.

Object URLs are built around records owned by ``world["employee"]`` (a team member in the
branch that ``world["manager"]`` heads); ``other_employee`` is a peer in the other team of that
branch and ``other_manager`` heads a different branch.
"""

from django.urls import reverse

from tests.assessments.security_cases import cases as assessment_cases
from tests.courses.security_cases import cases as scorm_cases

from . import api_cases, notification_cases, object_cases
from .matrix import ANY, DENY, LOGIN, OK, Case, Rule, expect


def url(name, *keys, **kwargs):
    """A URL builder: reverse ``name`` with the pks of world objects named by ``keys``."""
    return lambda world: reverse(name, args=[world[key].pk for key in keys], kwargs=kwargs or None)


def _plan_library_url(world):
    from tests.factories import drills as df

    df.plan_index()  # the library exists once the first plan is written
    return reverse("drills:plan_library")


ADMIN_ROLES = ("other_manager", "manager", "trainer", "hr", "coordinator")


def only(*roles):
    """Signed-in users with these roles (and superusers) get the page; the rest are refused."""
    return expect(DENY, **{role: OK for role in roles})


SIGNED_IN = expect(OK)
# Public pages: everyone, signed in or not.
PUBLIC = {role: OK for role in expect()}
NOBODY = {role: DENY for role in expect()}

CASES = {
    # --- platform (lms) ----------------------------------------------------------------
    "healthz": Case(url("healthz"), PUBLIC),
    "login": Case(url("login"), PUBLIC),
    "logout": Case(url("logout"), PUBLIC, method="POST"),
    # Single sign-on is off in these settings: its URLs answer 404 to everyone (tests/lms/
    # test_sso.py and tests/e2e/test_single_sign_on.py cover them switched on).
    "sso_start": Case(url("sso_start"), NOBODY),
    "sso_callback": Case(url("sso_callback"), NOBODY),
    "sso_backchannel_logout": Case(url("sso_backchannel_logout"), NOBODY, method="POST"),
    "password_change": Case(url("password_change"), SIGNED_IN),
    "password_change_done": Case(url("password_change_done"), SIGNED_IN),
    "set_language": Case(
        url("set_language"), PUBLIC, method="POST", data=lambda w: {"language": "en"}
    ),
    "portal:section": Case(
        lambda w: reverse("portal:section", args=["archive"]),
        SIGNED_IN,
    ),
    "wagtail_serve": Case(lambda w: "/", PUBLIC),
    # The portal menu's shared places: every signed-in user is sent on to the page.
    "courses:catalogue": Case(url("courses:catalogue"), SIGNED_IN),
    "courses:training_plan": Case(url("courses:training_plan"), SIGNED_IN),
    "drills:plan_library": Case(_plan_library_url, SIGNED_IN),
    "wagtaildocs_serve": Case(lambda w: "/documents/999999/missing.pdf", NOBODY),
    "wagtaildocs_authenticate_with_password": Case(
        lambda w: "/documents/authenticate_with_password/999999/", NOBODY
    ),
    "wagtailcore_authenticate_with_password": Case(
        lambda w: "/_util/authenticate_with_password/999999/999999/", NOBODY
    ),
    "wagtailcore_login": Case(lambda w: "/_util/login/", {**PUBLIC}),
    # Wagtail admin furniture that must load before sign-in (the admin's own sign-in and
    # password-reset screens redirect or refuse, as password reset is switched off).
    "wagtailadmin_javascript_catalog": Case(url("wagtailadmin_javascript_catalog"), PUBLIC),
    "wagtailadmin_sprite": Case(url("wagtailadmin_sprite"), PUBLIC),
    # Signed-in users are sent on from the admin's sign-in page; it only matters when signed out.
    "wagtailadmin_login": Case(
        url("wagtailadmin_login"), {**{r: ANY for r in expect()}, "anonymous": OK}
    ),
    "wagtailadmin_password_reset": Case(url("wagtailadmin_password_reset"), NOBODY),
    "wagtailadmin_password_reset_done": Case(url("wagtailadmin_password_reset_done"), NOBODY),
    "wagtailadmin_password_reset_complete": Case(
        url("wagtailadmin_password_reset_complete"), NOBODY
    ),
    "wagtailadmin_password_reset_confirm": Case(
        lambda w: reverse("wagtailadmin_password_reset_confirm", args=["x", "y"]), NOBODY
    ),
    # The organisation admin: HR manages it; the other admin roles read the directory (a
    # manager only their subtree).
    "employees:index": Case(url("employees:index"), only(*ADMIN_ROLES)),
    "employees:index_results": Case(url("employees:index_results"), only(*ADMIN_ROLES)),
    "employees:export": Case(
        lambda w: reverse("employees:export", args=["csv"]), only(*ADMIN_ROLES)
    ),
    "employees:add": Case(url("employees:add"), only("hr")),
    "employees:edit": Case(url("employees:edit", "employee"), only("hr")),
    "employees:delete": Case(url("employees:delete", "employee"), only("hr")),
    "employees:erase": Case(url("employees:erase", "employee"), only("hr")),
    "employees:history": Case(url("employees:history", "employee"), only("hr")),
    "employees:history_results": Case(url("employees:history_results", "employee"), only("hr")),
    "employees:usage": Case(url("employees:usage", "employee"), only("hr")),
    "employees:import": Case(url("employees:import"), only("hr")),
    # Absences from the post: HR keeps them; managers read their subtree's.
    "absences:index": Case(url("absences:index"), only("hr", "manager", "other_manager")),
    "absences:index_results": Case(
        url("absences:index_results"), only("hr", "manager", "other_manager")
    ),
    "absences:add": Case(url("absences:add"), only("hr")),
    "absences:edit": Case(url("absences:edit", "absence"), only("hr")),
    "absences:delete": Case(url("absences:delete", "absence"), only("hr")),
}

# Careers: an employee's own archive and plan; their managers up the line and HR see them too.
# The rotation's receiving manager (other_manager heads the department it rotates into) sees the
# rotation; an unpublished appraisal result is HR's alone; a department archive export belongs to
# whoever asked for it (the manager here).
OWN_LINE_HR = only("employee", "manager", "hr")
CASES.update(
    {
        "careers:archive": Case(url("careers:archive", "employee"), OWN_LINE_HR),
        "careers:archive_pdf": Case(url("careers:archive_pdf", "employee"), OWN_LINE_HR),
        "careers:archive_index": Case(url("careers:archive_index"), SIGNED_IN),
        "careers:plan": Case(url("careers:plan", "plan"), OWN_LINE_HR),
        "careers:rotation": Case(
            url("careers:rotation", "rotation"), only("employee", "manager", "other_manager", "hr")
        ),
        "careers:result": Case(url("careers:result", "result"), only("hr")),
        "careers:dashboard": Case(url("careers:dashboard"), only("manager", "other_manager", "hr")),
        # The same list and dashboard in the admin's layout (careers.admin_views).
        "careers_admin_archives": Case(
            url("careers_admin_archives"), only("manager", "other_manager", "hr")
        ),
        "careers_admin_dashboard": Case(
            url("careers_admin_dashboard"), only("manager", "other_manager", "hr")
        ),
        # The drill dashboard: the coordinator's, on the portal and in the admin.
        "drills:dashboard": Case(url("drills:dashboard"), only("coordinator")),
        "drills_admin_dashboard": Case(url("drills_admin_dashboard"), only("coordinator")),
        # The required-training matrix: HR (the company) and managers (their subtree).
        "courses_required_matrix": Case(
            url("courses_required_matrix"), only("manager", "other_manager", "hr")
        ),
        # Background jobs (lms.jobs): the one who started a job and HR see it; the rest of
        # the admin gets a 404.
        "lms_jobs:index": Case(url("lms_jobs:index"), only(*ADMIN_ROLES)),
        "lms_jobs:detail": Case(url("lms_jobs:detail", "archive_export"), only("manager", "hr")),
        "lms_jobs:download": Case(
            url("lms_jobs:download", "archive_export"), only("manager", "hr")
        ),
    }
)

# Assessments: declared next to the app's tests (objects are made on first use).
CASES.update(assessment_cases())
CASES.update(scorm_cases())

# Object-level cases (drill sheets, corrective actions, admin object screens, the audit trail)
# and further cases on URLs declared above, with other records (tests/security/object_cases.py).
CASES.update(object_cases.CASES)
# The inbox (its owner's alone) and the notification admin (tests/security/notification_cases.py).
CASES.update(notification_cases.CASES)
OBJECT_CASES = dict(object_cases.OBJECT_CASES)

# The REST API: every operation × every role, with API tokens (tests/security/api_cases.py).
CASES.update(api_cases.CASES)
# API tokens (Settings → API tokens): everyone who works in the admin keeps their own; the
# portal-only roles have no admin. Another person's token is out of reach (a 404).
CASES.update(
    {
        "wagtailusers_api_tokens:index": Case(
            url("wagtailusers_api_tokens:index"), only(*ADMIN_ROLES)
        ),
        "wagtailusers_api_tokens:add": Case(url("wagtailusers_api_tokens:add"), only(*ADMIN_ROLES)),
        "wagtailusers_api_tokens:edit": Case(
            url("wagtailusers_api_tokens:edit", "hr_token"), only("hr")
        ),
        "wagtailusers_api_tokens:delete": Case(
            url("wagtailusers_api_tokens:delete", "hr_token"), only("hr")
        ),
    }
)

# HR staff files from the HR system (lms.hr_sync): HR's alone.
CASES.update(
    {
        "lms_hr_sync:index": Case(url("lms_hr_sync:index"), only("hr")),
        "lms_hr_sync:detail": Case(url("lms_hr_sync:detail", "hr_sync_run"), only("hr")),
        "lms_hr_sync:apply": Case(
            url("lms_hr_sync:apply", "hr_sync_run"), only("hr"), method="POST"
        ),
    }
)

# The employee chooser (lms.choosers: a plan item's trainer, an exam's per-employee override):
# for those who edit plans and exams.
CASES.update(
    {
        "employee_chooser:choose": Case(url("employee_chooser:choose"), only("trainer", "hr")),
        "employee_chooser:choose_results": Case(
            url("employee_chooser:choose_results"), only("trainer", "hr")
        ),
        "employee_chooser:chosen": Case(
            url("employee_chooser:chosen", "employee"), only("trainer", "hr")
        ),
        "employee_chooser:chosen_multiple": Case(
            url("employee_chooser:chosen_multiple"), only("trainer", "hr")
        ),
    }
)

# Departments and positions: HR edits, the rest of the admin may not.
for model in ("departments", "positions"):
    CASES.update(
        {
            f"{model}:index": Case(url(f"{model}:index"), only("hr")),
            f"{model}:index_results": Case(url(f"{model}:index_results"), only("hr")),
            f"{model}:add": Case(url(f"{model}:add"), only("hr")),
        }
    )

# Every admin screen not declared above — Wagtail's own and each app's viewsets — lives behind
# the admin's sign-in, and the portal-only roles (no admin access) are refused all of them.
ADMIN_SCREEN = {
    **{role: ANY for role in expect()},
    "anonymous": LOGIN,
    "employee": DENY,
    "other_employee": DENY,
    "evaluator": DENY,
}
# Every other page not declared above is for signed-in users only: an anonymous visitor is sent
# to sign in (or refused outright when the view checks the object or method first).
SIGNED_IN_ONLY = {"anonymous": (LOGIN, DENY)}

RULES = [Rule("admin/", ADMIN_SCREEN), Rule("", SIGNED_IN_ONLY)]
