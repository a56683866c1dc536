import pytest

from lms.models import Employee
from tests.conftest import login  # noqa: F401


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("employee", {"E1"}),
        ("colleague", {"E2"}),
        ("evaluator", {"V1"}),
        # The branch manager heads the branch: both its teams and the manager themself.
        ("manager", {"E1", "E2", "M1"}),
        ("other_manager", {"E3", "M2"}),
        ("hr", "all"),
        ("trainer", "all"),
        ("coordinator", "all"),
    ],
)
def test_employee_visible_to_by_role(people, who, sees):
    user = people[who].user
    visible = set(Employee.objects.visible_to(user).values_list("number", flat=True))
    if sees == "all":
        assert visible == set(Employee.objects.values_list("number", flat=True))
    else:
        assert visible == sees


def test_superuser_sees_everyone(people, superuser):
    assert Employee.objects.visible_to(superuser).count() == Employee.objects.count()


def test_anonymous_and_inactive_see_nothing(people):
    from django.contrib.auth.models import AnonymousUser

    assert not Employee.objects.visible_to(AnonymousUser()).exists()
    user = people["hr"].user
    user.is_active = False
    assert not Employee.objects.visible_to(user).exists()
