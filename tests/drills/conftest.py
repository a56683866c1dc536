import pytest
from django.utils import translation

from lms.roles import Role
from tests import factories as f
from tests.factories import drills as df


@pytest.fixture(autouse=True)
def _empty_cache():
    """The portal summary is cached; every test starts without it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the English source strings; test_refusal_message_is_translated checks zh."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def plan(people, company):
    return df.plan(department=company["branch"], code="YA-TF-01", title="台风电网故障专项预案")


@pytest.fixture
def evaluator2(company):
    return f.employee(
        number="V2", name="评估员乙", department=company["root"], roles=[Role.EVALUATOR]
    )


@pytest.fixture
def drill(plan, people, evaluator2, company):
    """A planned drill in the branch: two evaluators, a commander and a player from team A."""
    return df.drill(
        plan=plan,
        coordinator=people["coordinator"],
        evaluators=[people["evaluator"], evaluator2],
        participants=[(people["manager"], "commander"), (people["employee"], "player")],
        department=company["branch"],
    )
