import os

import pytest

from .declarations import CASES
from .matrix import ROLES, judge


@pytest.mark.skipif(not os.environ.get("MATRIX_DISCOVER"), reason="discovery only")
@pytest.mark.parametrize("name", sorted(CASES))
def test_discover(name, world, client_for):
    case = CASES[name]
    url = case.url(world)
    row = []
    for role in ROLES:
        client = client_for(role)
        data = case.data(world) if case.data else {}
        response = client.post(url, data) if case.method == "POST" else client.get(url)
        row.append(f"{role}={judge(response, signed_in=role != 'anonymous')}")
    print(f"\nDISCOVER {name}: " + " ".join(row))
