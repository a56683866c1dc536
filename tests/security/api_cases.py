"""Authorisation-matrix declarations for the REST API (``/api/v1/``), every operation × every
role, requested with each role's API token (``Case(token=True)``).

``operations()`` lists every (URL name, method) the API object serves, from the routers the
apps registered; ``test_every_api_operation_is_declared`` fails for one without a case here.
The records are ``world["employee"]``'s (E1, in the subtree ``world["manager"]`` heads).
"""

from django.urls import reverse

from .matrix import DENY, OK, Case, expect

NAMESPACE = "api-v1"


def api_url(name, *args):
    return lambda world: reverse(f"{NAMESPACE}:{name}", args=[a(world) for a in args])


def only(*roles):
    return expect(DENY, **{role: OK for role in roles})


# Everyone with a token gets an answer (their own rows, or none); anonymous callers get 401.
ANY_TOKEN = expect(OK)
PUBLIC = {role: OK for role in expect()}
SIGNED_IN = expect(OK)


def _certificate_code(world):
    from tests.assessments.security_cases import assessment_world

    return assessment_world(world)["certificate"].code


def _upsert(world):
    """A dry run, so that a role that may write changes nothing either."""
    employee = world["employee"]
    return {
        "employees": [
            {
                "number": employee.number,
                "name": employee.name,
                "department": employee.department.code,
                "position": employee.position.code,
            }
        ],
        "dry_run": True,
    }


CASES = {
    # The schema and the docs page: for signed-in people (a session, as the docs page is a
    # page people read).
    f"{NAMESPACE}:openapi-json": Case(api_url("openapi-json"), SIGNED_IN),
    f"{NAMESPACE}:openapi-view": Case(api_url("openapi-view"), SIGNED_IN),
    # The API's root answers nothing (django-ninja's placeholder for reversing the base URL).
    f"{NAMESPACE}:api-root": Case(api_url("api-root"), {role: DENY for role in expect()}),
    # Organisation: departments and positions are HR's; the directory as its screen scopes it.
    f"{NAMESPACE}:department_list": Case(api_url("department_list"), only("hr"), token=True),
    f"{NAMESPACE}:department_detail": Case(
        api_url("department_detail", lambda w: w["company"]["branch"].code),
        only("hr"),
        token=True,
    ),
    f"{NAMESPACE}:position_list": Case(api_url("position_list"), only("hr"), token=True),
    f"{NAMESPACE}:position_detail": Case(
        api_url("position_detail", lambda w: w["employee"].position.code),
        only("hr"),
        token=True,
    ),
    f"{NAMESPACE}:employee_list": Case(api_url("employee_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:employee_detail": Case(
        api_url("employee_detail", lambda w: w["employee"].number),
        only("employee", "manager", "trainer", "hr", "coordinator"),
        token=True,
    ),
    f"{NAMESPACE}:employee_bulk_upsert": Case(
        api_url("employee_bulk_upsert"), only("hr"), method="POST", data=_upsert, token=True
    ),
    # Training, exams, drills: lists scoped to the reader (tests/security/test_api_scope.py
    # checks whose rows each role gets).
    f"{NAMESPACE}:completion_list": Case(api_url("completion_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:training_hours": Case(
        lambda w: reverse(f"{NAMESPACE}:training_hours") + "?year=2026", ANY_TOKEN, token=True
    ),
    f"{NAMESPACE}:exam_result_list": Case(api_url("exam_result_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:certificate_list": Case(api_url("certificate_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:certificate_verify": Case(
        api_url("certificate_verify", _certificate_code), PUBLIC, token=True
    ),
    f"{NAMESPACE}:qualification_list": Case(api_url("qualification_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:drill_list": Case(api_url("drill_list"), ANY_TOKEN, token=True),
    f"{NAMESPACE}:corrective_action_list": Case(
        api_url("corrective_action_list"), ANY_TOKEN, token=True
    ),
    # Appraisal results, published or not: HR's alone.
    f"{NAMESPACE}:appraisal_result_list": Case(
        api_url("appraisal_result_list"), only("hr"), token=True
    ),
}


def operations():
    """Every (URL name, method) the API serves, read from the API object itself."""
    from lms.api import api

    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add((f"{NAMESPACE}:{operation.url_name}", method, prefix + path))
    return found
