"""Factories that build data through the real services (see tests/README in STYLE.md)."""

import itertools

from lms import services
from lms.models import Department, Position

_counter = itertools.count(1)

PASSWORD = "test-pass-123"


def department(*, code=None, name=None, parent=None, kind=Department.Kind.TEAM, manager=None):
    n = next(_counter)
    return services.department_create(
        code=code or f"D{n:04d}",
        name=name or f"部门{n}",
        kind=kind,
        parent=parent,
        manager=manager,
    )


def position(*, code=None, name=None, category=Position.Category.SKILLED):
    n = next(_counter)
    return services.position_create(
        code=code or f"P{n:04d}", name=name or f"岗位{n}", category=category
    )


def employee(*, number=None, name=None, department=None, position=None, roles=(), **fields):
    n = next(_counter)
    from tests import factories as f

    return services.employee_create(
        number=number or f"E{n:05d}",
        name=name or f"员工{n}",
        department=department or f.department(),
        position=position or f.position(),
        password=PASSWORD,
        roles=roles,
        **fields,
    )
