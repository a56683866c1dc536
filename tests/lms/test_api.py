"""The REST API (lms.api) and its organisation endpoints (lms.org_api): tokens, scope, paging
for incremental sync, rate limits, the bulk upsert by employee number, and the schema."""

import datetime
import json
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken, ModelLogEntry

from lms import audit, services
from lms.models import Employee
from tests import factories as f
from tests.conftest import login

API = "/api/v1"


def token_client(user) -> Client:
    """A client that speaks to the API with a fresh token of ``user``."""
    _token, key = APIToken.create_token(user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def hr_api(people):
    return token_client(people["hr"].user)


def upsert(client, rows, **options):
    return client.post(
        f"{API}/employees/bulk-upsert",
        {"employees": rows, **options},
        content_type="application/json",
    )


def row(number, name="新员工", department="C-A-1", position="POS-1", **fields):
    return {
        "number": number,
        "name": name,
        "department": department,
        "position": position,
        **fields,
    }


# --- tokens and authentication --------------------------------------------------------------


def test_no_token_or_a_wrong_one_is_refused(people):
    assert Client().get(f"{API}/employees/").status_code == HTTPStatus.UNAUTHORIZED
    wrong = Client(headers={"Authorization": "Bearer wagtail_notatoken"})
    assert wrong.get(f"{API}/employees/").status_code == HTTPStatus.UNAUTHORIZED


def test_a_signed_in_session_is_not_a_token(client, people):
    """The API takes tokens only: a browser session (and its cookie) opens nothing."""
    login(client, people["hr"])
    assert client.get(f"{API}/employees/").status_code == HTTPStatus.UNAUTHORIZED


def test_a_revoked_token_and_a_deactivated_owner_are_refused(people):
    token, key = APIToken.create_token(user=people["hr"].user, name="sync")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get(f"{API}/employees/").status_code == HTTPStatus.OK
    token.revoke()
    assert api.get(f"{API}/employees/").status_code == HTTPStatus.UNAUTHORIZED

    _token, key = APIToken.create_token(user=people["colleague"].user, name="sync")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    services.employee_update(employee=people["colleague"], status=Employee.Status.LEFT)
    assert api.get(f"{API}/employees/").status_code == HTTPStatus.UNAUTHORIZED


def test_the_key_is_kept_only_as_a_digest(people):
    token, key = APIToken.create_token(user=people["hr"].user, name="sync")
    stored = APIToken.objects.get(pk=token.pk)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == APIToken.hash_token(key)


def test_admin_roles_make_and_revoke_their_own_tokens_in_the_admin(client, people):
    """Settings → API tokens: the key is shown once, then only its first characters."""
    login(client, people["manager"])
    response = client.post(
        reverse("wagtailusers_api_tokens:add"),
        {"name": "团队报表", "user": people["manager"].user.pk},
    )
    assert response.status_code == HTTPStatus.OK
    token = APIToken.objects.get(user=people["manager"].user)
    page = response.content.decode()
    keys = [word for word in page.replace('"', " ").split() if word.startswith("wagtail_")]
    assert keys and APIToken.hash_token(keys[0]) == token.key_hash
    edit = client.get(reverse("wagtailusers_api_tokens:edit", args=[token.pk])).content.decode()
    assert keys[0] not in edit
    response = client.post(reverse("wagtailusers_api_tokens:delete", args=[token.pk]))
    assert response.status_code == HTTPStatus.FOUND
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_manager_cannot_make_a_token_for_someone_else(client, people):
    login(client, people["manager"])
    response = client.post(
        reverse("wagtailusers_api_tokens:add"), {"name": "x", "user": people["hr"].user.pk}
    )
    assert response.status_code == HTTPStatus.OK  # the form again, with the choice refused
    assert not APIToken.objects.exists()


def test_portal_roles_have_no_token_screens(client, people):
    login(client, people["employee"])
    response = client.get(reverse("wagtailusers_api_tokens:index"))
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_rate_limit_per_token(settings, people):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    first, second = token_client(people["hr"].user), token_client(people["hr"].user)
    statuses = [first.get(f"{API}/positions/").status_code for _ in range(4)]
    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]
    response = first.get(f"{API}/positions/")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert second.get(f"{API}/positions/").status_code == HTTPStatus.OK


# --- scope -------------------------------------------------------------------------------


def numbers(response):
    assert response.status_code == HTTPStatus.OK, response.content
    return sorted(item["number"] for item in response.json()["results"])


def test_employees_are_scoped_as_the_directory_is(people):
    everyone = sorted(e.number for e in Employee.objects.all())
    assert numbers(token_client(people["hr"].user).get(f"{API}/employees/")) == everyone
    assert numbers(token_client(people["trainer"].user).get(f"{API}/employees/")) == everyone
    # The manager heads the branch: themself and the two teams below it.
    assert numbers(token_client(people["manager"].user).get(f"{API}/employees/")) == [
        "E1",
        "E2",
        "M1",
    ]
    assert numbers(token_client(people["employee"].user).get(f"{API}/employees/")) == ["E1"]


def test_each_reader_sees_only_the_fields_of_their_tier(people):
    services.employee_update(employee=people["employee"], phone="13900000001")
    hr = token_client(people["hr"].user).get(f"{API}/employees/E1").json()
    assert hr["phone"] == "13900000001" and hr["status"] == "active"
    manager = token_client(people["manager"].user).get(f"{API}/employees/E1").json()
    assert manager["phone"] is None and manager["status"] == "active"
    trainer = token_client(people["trainer"].user).get(f"{API}/employees/").json()["results"]
    assert {item["phone"] for item in trainer} == {None}
    assert {item["position"] for item in trainer} == {None}
    own = token_client(people["employee"].user).get(f"{API}/employees/E1").json()
    assert own["phone"] == "13900000001"


def test_reading_someone_out_of_scope_is_not_found(people):
    api = token_client(people["other_manager"].user)
    assert api.get(f"{API}/employees/E1").status_code == HTTPStatus.NOT_FOUND
    assert api.get(f"{API}/employees/NOBODY").status_code == HTTPStatus.NOT_FOUND


def test_departments_and_positions_are_hrs(people, hr_api):
    for role in ("employee", "manager", "trainer", "coordinator"):
        api = token_client(people[role].user)
        assert api.get(f"{API}/departments/").status_code == HTTPStatus.FORBIDDEN
        assert api.get(f"{API}/positions/POS-1").status_code == HTTPStatus.FORBIDDEN
    branch = hr_api.get(f"{API}/departments/C-A").json()
    assert branch["parent"] == "C" and branch["manager"] == "M1"
    assert hr_api.get(f"{API}/positions/POS-1").json()["name"] == "配电线路工"
    assert hr_api.get(f"{API}/departments/NOPE").status_code == HTTPStatus.NOT_FOUND


# --- paging and incremental sync ----------------------------------------------------------


def test_cursor_pages_through_every_row_once(people, hr_api):
    for n in range(7):
        f.employee(number=f"P{n}", department=people["employee"].department)
    seen, url = [], f"{API}/employees/?page_size=3"
    pages = 0
    while url:
        body = hr_api.get(url).json()
        seen += [item["number"] for item in body["results"]]
        url = f"{API}/employees/?page_size=3&cursor={body['next']}" if body["next"] else None
        pages += 1
    assert sorted(seen) == sorted(Employee.objects.values_list("number", flat=True))
    assert len(seen) == len(set(seen)) == 16 and pages == 6


def test_a_bulk_change_at_one_instant_is_paged_without_loss(people, hr_api):
    """An import stamps hundreds of rows with one updated_at: the cursor's tie-breaker (id)
    keeps paging exact."""
    upsert(hr_api, [row(f"B{n:03d}") for n in range(25)])
    response = upsert(hr_api, [row(f"B{n:03d}", name="改名") for n in range(25)])
    assert response.json()["updated"] == 25
    stamped = set(Employee.objects.filter(number__startswith="B").values_list("updated_at"))
    assert len(stamped) == 1
    seen, cursor = [], ""
    while True:
        body = hr_api.get(f"{API}/employees/?page_size=4&cursor={cursor}").json()
        seen += [item["number"] for item in body["results"]]
        if not body["next"]:
            break
        cursor = body["next"]
    assert len(seen) == len(set(seen)) == Employee.objects.count()


def test_updated_since_returns_what_changed(people, hr_api, clock):
    clock.shift(datetime.timedelta(hours=1))
    since = timezone.now()
    services.employee_update(employee=people["colleague"], name="改过名")
    upsert(hr_api, [row("NEW1")])
    response = hr_api.get(f"{API}/employees/", {"updated_since": since.isoformat()})
    assert numbers(response) == ["E2", "NEW1"]
    departments = hr_api.get(f"{API}/departments/", {"updated_since": since.isoformat()})
    assert departments.json()["results"] == []


def test_a_hostile_cursor_or_filter_is_a_clear_refusal(hr_api):
    for cursor in ("!!!", "W10=", "WyJ4IiwgMV0=", "bnVsbA==", "0" * 5000):
        response = hr_api.get(f"{API}/employees/", {"cursor": cursor})
        assert response.status_code == HTTPStatus.BAD_REQUEST, cursor
    for value in ("yesterday", "2026-13-45", "\x00"):
        response = hr_api.get(f"{API}/employees/", {"updated_since": value})
        assert response.status_code in (HTTPStatus.BAD_REQUEST, 422), value
    assert hr_api.get(f"{API}/employees/", {"page_size": 0}).status_code == 422
    body = hr_api.get(f"{API}/employees/", {"page_size": 10**9}).json()
    assert "results" in body


# --- bulk upsert by employee number -------------------------------------------------------


def test_upsert_creates_updates_and_is_idempotent(people, hr_api):
    rows = [row("N1", hire_date="2024-07-01", phone="13800000000"), row("E1", name="改名甲")]
    first = upsert(hr_api, rows).json()
    assert (first["created"], first["updated"], first["unchanged"]) == (1, 1, 0)
    assert first["created_numbers"] == ["N1"] and first["updated_numbers"] == ["E1"]
    created = Employee.objects.get(number="N1")
    assert created.hire_date == datetime.date(2024, 7, 1)
    assert created.user.username == "N1" and created.user.groups.filter(name="Employee").exists()
    assert Employee.objects.get(number="E1").name == "改名甲"
    again = upsert(hr_api, rows).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_upsert_is_all_or_nothing_and_names_every_bad_row(people, hr_api):
    rows = [
        row("N1"),
        row("N2", department="NOPE"),
        row("N3", hire_date="2024-02-30"),
        row("N1"),
        row("", name="无工号"),
    ]
    response = upsert(hr_api, rows)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert errors[0].startswith("第 2 行：部门编码:") and "NOPE" in errors[0]
    assert errors[1].startswith("第 3 行：入职日期:")
    assert errors[2].startswith("第 4 行：工号:") and "首次出现在第 1 行" in errors[2]
    assert errors[3].startswith("第 5 行：工号:")
    assert not Employee.objects.filter(number__startswith="N").exists()


def test_upsert_errors_are_worded_as_the_spreadsheet_import_words_them(people, hr_api):
    """Same rules, same words: the import's report for the same sheet lists the same reasons."""
    from lms.importing import read_dataset, report_problems, run_import
    from lms.resources import EmployeeResource
    from tests.factories.spreadsheets import xlsx_bytes

    bad = row("N1", position="NOPE", status="退休")
    api_errors = upsert(hr_api, [bad]).json()["errors"]
    sheet = xlsx_bytes(
        ["工号", "姓名", "部门编码", "岗位编码", "状态"],
        [["N1", "新员工", "C-A-1", "NOPE", "退休"]],
    )
    report = run_import(EmployeeResource(), read_dataset(sheet, name="x.xlsx"), dry_run=True)
    sheet_errors = report_problems(report)
    # The sheet's row 2 is the API's row 1 (row 1 of a sheet holds the column names).
    assert [e.split("：", 1)[1] for e in api_errors] == [e.split("：", 1)[1] for e in sheet_errors]


def test_answers_speak_the_token_owners_language(people, hr_api):
    """Chinese by default, as the screens are; English for an owner who chose it."""
    body = upsert(hr_api, [row("N1", department="NOPE")]).json()
    assert body["detail"] == "未保存任何内容。"
    assert body["errors"][0].startswith("第 1 行")
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(people["hr"].user)
    profile.preferred_language = "en"
    profile.save()
    body = upsert(hr_api, [row("N1", department="NOPE")]).json()
    assert body["detail"] == "Nothing was saved."


def test_departures_deactivate_and_sign_out(people, hr_api):
    colleague = people["colleague"]
    response = upsert(hr_api, [row("E2", department="C-A-2", status="离职")])
    assert response.json()["updated"] == 1
    colleague.refresh_from_db()
    colleague.user.refresh_from_db()
    assert colleague.status == Employee.Status.LEFT and not colleague.user.is_active


def test_the_whole_roster_marks_those_missing_as_left(people, hr_api):
    staying = Employee.objects.exclude(number__in=["E3", "V1"]).select_related(
        "department", "position"
    )
    rows = [row(e.number, e.name, e.department.code, e.position.code) for e in staying]
    dry = upsert(hr_api, rows, deactivate_missing=True, dry_run=True).json()
    assert dry["dry_run"] and dry["deactivated_numbers"] == ["E3", "V1"]
    assert Employee.objects.get(number="E3").status == Employee.Status.ACTIVE
    done = upsert(hr_api, rows, deactivate_missing=True).json()
    assert done["deactivated_numbers"] == ["E3", "V1"] and done["unchanged"] == len(rows)
    left = Employee.objects.select_related("user").get(number="V1")
    assert left.status == Employee.Status.LEFT and not left.user.is_active


def test_every_upsert_leaves_one_audit_entry(people, hr_api):
    before = ModelLogEntry.objects.filter(action=audit.EMPLOYEES_SYNCED).count()
    upsert(hr_api, [row("N1"), row("N2")])
    upsert(hr_api, [row("N3")], dry_run=True)
    upsert(hr_api, [row("N4", department="NOPE")])
    entries = ModelLogEntry.objects.filter(action=audit.EMPLOYEES_SYNCED)
    assert entries.count() == before + 1
    entry = entries.latest("pk")
    assert entry.user == people["hr"].user
    assert entry.data["after"]["created"] == 2


def test_only_hr_upserts(people):
    for role in ("manager", "trainer", "employee", "coordinator"):
        response = upsert(token_client(people[role].user), [row("N1")])
        assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Employee.objects.filter(number="N1").exists()


def test_upsert_limits(settings, people, hr_api):
    settings.API_MAX_UPSERT_ROWS = 2
    assert upsert(hr_api, []).status_code == HTTPStatus.BAD_REQUEST
    assert upsert(hr_api, [row("A"), row("B"), row("C")]).status_code == HTTPStatus.BAD_REQUEST
    response = hr_api.post(
        f"{API}/employees/bulk-upsert", "{not json", content_type="application/json"
    )
    assert response.status_code in (HTTPStatus.BAD_REQUEST, 422)
    response = upsert(hr_api, [{"number": 12, "name": ["x"]}])
    assert response.status_code in (HTTPStatus.BAD_REQUEST, 422)
    response = upsert(hr_api, [row("N\x00")])
    assert response.status_code == 422 and "NUL" in response.content.decode()
    too_long = upsert(hr_api, [row("N1", name="长" * 51)])
    assert too_long.status_code == HTTPStatus.BAD_REQUEST
    assert "姓名" in too_long.json()["errors"][0]


# --- the schema and its docs page ----------------------------------------------------------


def test_openapi_schema_is_valid_3_1(client, people):
    from openapi_spec_validator import validate

    login(client, people["employee"])
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == HTTPStatus.OK
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.1")
    validate(schema)
    assert "/api/v1/employees/bulk-upsert" in schema["paths"]
    assert schema["components"]["securitySchemes"]


def test_docs_page_is_for_signed_in_people(client, people):
    assert client.get(f"{API}/docs/").status_code == HTTPStatus.FOUND
    login(client, people["employee"])
    response = client.get(f"{API}/docs/")
    assert response.status_code == HTTPStatus.OK
    assert b"swagger-ui" in response.content


# --- exact query counts at N and 10×N -----------------------------------------------------

# Every request: the token with its owner (1) and the owner's roles (1). Employees add the
# reader's own profile (1) and, for a manager, the departments they head (1); a page is one
# query (its departments and positions joined, departments' parents by a subquery).
LIST_QUERIES = {
    ("employees", "hr"): 3,
    ("employees", "manager"): 5,
    ("departments", "hr"): 3,
    ("positions", "hr"): 3,
}


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("what, role", sorted(LIST_QUERIES))
def test_list_query_counts(people, company, django_assert_num_queries, count, what, role):
    position = f.position(code="QP")
    for n in range(count):
        f.department(code=f"QD{n}", parent=company["team_a"])
        f.position(code=f"QP{n}")
        f.employee(number=f"Q{n}", department=company["team_a"], position=position)
    api = token_client(people[role].user)
    api.get(f"{API}/{what}/")  # the token's first use records when it was used
    with django_assert_num_queries(LIST_QUERIES[what, role]):
        response = api.get(f"{API}/{what}/", {"page_size": 1000})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) >= count
