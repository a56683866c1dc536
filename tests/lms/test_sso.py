"""Single sign-on pieces that need no provider process: switched off, hostile logout tokens,
and the claim → employee/role mapping (the browser test, tests/e2e/test_single_sign_on.py,
runs the whole flow against a real provider)."""

from http import HTTPStatus

import jwt
import pytest
from django.contrib.auth import get_user_model

from lms.directory import directory_account_apply
from lms.models import DirectoryAccount
from lms.roles import Role, user_roles
from lms.sso import BACKCHANNEL_EVENT, person_from_claims
from tests import factories as f
from tests.slapd import GROUP_ROLES

URLS = ["/accounts/sso/", "/accounts/sso/callback/?code=x&state=y"]


@pytest.fixture
def sso_on(settings, company):
    settings.OIDC_RP_CLIENT_ID = "grid-academy"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"http://127.0.0.1:9/{name.lower()}")
    settings.DIRECTORY_GROUP_ROLES = GROUP_ROLES
    settings.DIRECTORY_DEFAULT_POSITION = f.position(code="SSO-P").code
    return settings


@pytest.mark.parametrize("path", URLS)
def test_while_off_the_sso_urls_do_not_exist(client, db, path):
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_while_off_backchannel_logout_does_not_exist(client, db):
    response = client.post("/accounts/sso/backchannel-logout/", {"logout_token": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_sign_in_page_offers_single_sign_on_when_on(client, sso_on):
    page = client.get("/accounts/login/?next=/my/archive/").content.decode()
    assert 'href="/accounts/sso/?next=/my/archive/"' in page
    response = client.get("/accounts/sso/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("http://127.0.0.1:9/authorization?")
    assert "code_challenge=" in response["Location"]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        # Signed with a shared secret instead of the provider's RS256 key.
        jwt.encode(
            {
                "iss": "http://127.0.0.1:9",
                "aud": "grid-academy",
                "iat": 1,
                "sub": "zhangwei",
                "events": {BACKCHANNEL_EVENT: {}},
            },
            "secret-secret-secret-secret-secret",
            algorithm="HS256",
        ),
    ],
)
def test_a_forged_or_broken_logout_token_is_refused_and_ends_nothing(client, sso_on, token):
    employee = f.employee(number="S9")
    client.force_login(employee.user)
    response = client.post("/accounts/sso/backchannel-logout/", {"logout_token": token})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert client.get("/my/archive/").status_code == HTTPStatus.OK


def test_claims_make_the_employee_and_groups_make_the_roles(sso_on):
    claims = {
        "sub": "abc-123",
        "employee_number": " s3001 ",
        "name": "刘洋",
        "email": "liu@grid.test",
        "phone_number": "139",
        "department": "线路班",
        "groups": ["ga-hr", "ga-managers", "unrelated"],
    }
    user, outcome = directory_account_apply(person=person_from_claims(claims), source="oidc")
    assert outcome == "created"
    assert user.username == "S3001"
    assert user.employee.department.code == "C-A-2"
    assert set(user_roles(user)) == {Role.EMPLOYEE, Role.HR, Role.MANAGER}
    assert DirectoryAccount.objects.get(user=user).subject == "abc-123"
    # "139" is no phone number: it is left out, and never keeps the person from signing in.
    assert user.employee.phone == ""
    claims["groups"] = "ga-trainers"  # a provider that sends one group as a string
    user, outcome = directory_account_apply(person=person_from_claims(claims), source="oidc")
    assert outcome == "updated"
    user = get_user_model().objects.get(pk=user.pk)
    assert set(user_roles(user)) == {Role.EMPLOYEE, Role.TRAINER}


def test_one_person_through_the_directory_and_the_provider_keeps_both_identities(sso_on):
    claims = {"sub": "abc-123", "employee_number": "S3002", "name": "周敏", "department": "C"}
    user, _ = directory_account_apply(person=person_from_claims(claims), source="oidc")
    person = person_from_claims(claims)
    person.subject = "uid=S3002,ou=people,dc=grid,dc=test"
    again, outcome = directory_account_apply(person=person, source="ldap")
    assert (again.pk, outcome) == (user.pk, "unchanged")
    # The directory sync still owns the account; back-channel logout still finds it by sub.
    assert dict(DirectoryAccount.objects.filter(user=user).values_list("source", "subject")) == {
        "oidc": "abc-123",
        "ldap": "uid=S3002,ou=people,dc=grid,dc=test",
    }
