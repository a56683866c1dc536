"""No 500 from the REST API: every operation of its OpenAPI schema, every query parameter and
path parameter and body field, each hostile value of ``hostile.HOSTILE`` (NUL, a lone surrogate,
100,000 characters, wrong types, SQL syntax, huge numbers), with a superuser's token (the role
that reaches every operation). Generated from the schema, so a new endpoint is covered."""

import json
from urllib.parse import quote_from_bytes

import pytest
from django.db import transaction
from django.test import Client
from wagtail.models import APIToken

from lms.api import api

from .hostile import HOSTILE, encode

pytestmark = pytest.mark.django_db

# JSON can carry what a query string cannot: values of every JSON type.
HOSTILE_JSON = [
    "a\x00b",
    "\ud800",
    "x" * 100_000,
    -(10**20),
    10**20,
    1.5e308,
    None,
    True,
    [],
    {},
    "1' OR \"*) NEAR(a b --",
]


def schema():
    return api.get_openapi_schema(path_prefix="/api/v1")


def operations():
    """``(path, method)`` of every operation in the schema."""
    return [
        (path, method) for path, methods in sorted(schema()["paths"].items()) for method in methods
    ]


def _request(client, method, url, **kwargs):
    """A status code, or the server error raised (the test client re-raises them)."""
    try:
        with transaction.atomic():
            return getattr(client, method)(url, **kwargs).status_code
    except Exception as error:  # noqa: BLE001 — every server error is what this test reports
        return f"{type(error).__name__}: {str(error)[:200]}"


def _body_fields(operation, document):
    """The body's own fields and those of one of its rows (the bulk upsert's shape)."""
    components = document["components"]["schemas"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = components[ref.rsplit("/", 1)[-1]]
    item_ref = body["properties"]["employees"]["items"]["$ref"]
    item = components[item_ref.rsplit("/", 1)[-1]]
    return list(body["properties"]), list(item["properties"])


RAW_BODIES = (b"{", b"\xff\xfe", b"[" * 10_000, b'{"employees": [' + b"{}," * 20_000 + b"{}]}")


@pytest.mark.parametrize("path, method", operations(), ids=lambda v: str(v))
def test_no_hostile_value_makes_a_server_error(path, method, people, superuser):
    _token, key = APIToken.create_token(user=superuser, name="hostile")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    document = schema()
    operation = document["paths"][path][method]
    failures = []
    parameters = operation.get("parameters", [])
    query = [p["name"] for p in parameters if p["in"] == "query"]
    path_names = [p["name"] for p in parameters if p["in"] == "path"]
    for label, value in HOSTILE.items():
        url = path
        for name in path_names:
            url = url.replace("{" + name + "}", quote_from_bytes(value[:2000]))
        url = url.replace("{", "x").replace("}", "x")
        if query:
            url += "?" + encode(query, value)
        if method == "get":
            status = _request(client, "get", url)
            if not isinstance(status, int) or status >= 500:
                failures.append(f"GET {url[:120]} ({label}): {status}")
    if method == "post":
        top, fields = _body_fields(operation, document)
        for value in HOSTILE_JSON:
            bodies = [{"employees": [{name: value for name in fields}]}]
            bodies += [{"employees": [{"number": "N1"}], name: value} for name in top]
            bodies += [{"employees": value}, value]
            for body in bodies:
                status = _request(
                    client, "post", path, data=json.dumps(body), content_type="application/json"
                )
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"POST {path} {json.dumps(body)[:120]}: {status}")
        for raw in RAW_BODIES:
            status = _request(client, "post", path, data=raw, content_type="application/json")
            if not isinstance(status, int) or status >= 500:
                failures.append(f"POST {path} {raw[:40]!r}: {status}")
    assert not failures, "\n".join(failures)
