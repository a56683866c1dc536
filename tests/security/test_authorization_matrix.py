"""Every URL × every role has a declared outcome, and the site behaves as declared."""

import uuid

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, path, reverse

from .declarations import CASES, OBJECT_CASES, RULES
from .matrix import ANY, DENY, LOGIN, Case, all_url_patterns, check

COUNTED = {"cases": 0}


def rule_for(pattern):
    for rule in RULES:
        if rule.covers(pattern):
            return rule
    return None


def test_every_url_is_declared():
    missing = []
    for pattern in all_url_patterns():
        if pattern.name not in CASES and rule_for(pattern) is None:
            missing.append(f"{pattern.name}  {pattern.route}")
    assert not missing, "URLs without a declared outcome:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("name", sorted(CASES))
def test_declared_case(name, world, client_for):
    case = CASES[name]
    COUNTED["cases"] += sum(1 for outcome in case.outcomes.values() if outcome != ANY)
    problems = check(client_for, case, world)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("label", sorted(OBJECT_CASES))
def test_object_case(label, world, client_for):
    case = OBJECT_CASES[label]
    COUNTED["cases"] += sum(1 for outcome in case.outcomes.values() if outcome != ANY)
    problems = check(client_for, case, world)
    assert not problems, "\n".join(problems)


SAMPLES = {"int": 999999, "slug": "x", "str": "x", "path": "x", "uuid": uuid.UUID(int=1)}


def _sample_url(pattern):
    converters = (
        pattern.pattern.pattern.converters if hasattr(pattern.pattern.pattern, "converters") else {}
    )
    kwargs = {}
    for arg in pattern.argument_names:
        converter = converters.get(arg)
        kind = type(converter).__name__.replace("Converter", "").lower() if converter else "int"
        kwargs[arg] = SAMPLES.get(kind, 1)
    try:
        return reverse(pattern.name, kwargs=kwargs or None)
    except NoReverseMatch:
        try:
            return reverse(pattern.name, args=[1] * len(pattern.argument_names))
        except NoReverseMatch:
            return reverse(pattern.name, args=["x"] * len(pattern.argument_names))


def _rule_members():
    """Named URLs that no Case declares, each once (unnamed ones cannot be reversed)."""
    members = {}
    for pattern in all_url_patterns():
        if pattern.name and pattern.name not in CASES:
            members.setdefault(pattern.name, pattern)
    return sorted(members.values(), key=lambda p: p.name)


@pytest.mark.parametrize("pattern", _rule_members(), ids=lambda p: p.name)
def test_undeclared_screens_follow_their_rule(pattern, client_for):
    outcomes = rule_for(pattern).outcomes
    case = Case(lambda w: _sample_url(pattern), outcomes)
    COUNTED["cases"] += sum(1 for outcome in outcomes.values() if outcome != ANY)
    problems = check(client_for, case, {})
    assert not problems, "\n".join(problems)


def unprotected_view(request):
    return HttpResponse("every archive, for anyone")


urlpatterns = [path("leak/", unprotected_view, name="leak")]


@pytest.mark.urls("tests.security.test_authorization_matrix")
def test_an_unprotected_view_fails_the_matrix(client_for):
    case = Case(lambda w: "/leak/", {"anonymous": LOGIN, "employee": DENY})
    problems = check(client_for, case, {})
    assert problems == [
        "GET /leak/ as anonymous: expected login, got ok",
        "GET /leak/ as employee: expected deny, got ok",
    ]


def test_a_new_undeclared_url_is_reported(monkeypatch):
    from tests.security import declarations

    monkeypatch.setattr(declarations, "RULES", [])
    monkeypatch.setattr("tests.security.test_authorization_matrix.RULES", [])
    monkeypatch.delitem(declarations.CASES, "healthz")
    with pytest.raises(AssertionError, match="healthz"):
        test_every_url_is_declared()


def test_every_api_operation_is_declared():
    """Each (URL name, method) the API object serves has a case with that method, so that an
    endpoint added to any app's router, or a second method on a path, fails until declared."""
    from .api_cases import operations

    missing = [
        f"{method} {path} ({name})"
        for name, method, path in sorted(operations())
        if name not in CASES or CASES[name].method != method or not CASES[name].token
    ]
    assert not missing, "API operations without a declared token case:\n" + "\n".join(missing)
