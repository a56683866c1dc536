"""Running the suite on several processes (pytest-xdist, ``make test`` uses ``-n auto``).

Loaded early (``-p tests.workers`` in pyproject.toml), before Django reads its settings, so that
each worker gets what it must not share: pytest-django already gives each worker its own test
database (``test_<name>_gw0``, ``_gw1``…); here each worker also gets its own Redis database
(the URL's number minus the worker's index), since tests empty the cache with FLUSHDB.
"""

import os
import re

worker = os.environ.get("PYTEST_XDIST_WORKER", "")
redis_url = os.environ.get("REDIS_URL", "")
if worker.startswith("gw") and redis_url:
    index = int(worker[2:])
    match = re.search(r"/(\d+)$", redis_url)
    base = int(match.group(1)) if match else 0
    if index > base:
        raise RuntimeError(f"REDIS_URL {redis_url} leaves no Redis database for worker {worker}")
    database = base - index
    os.environ["REDIS_URL"] = (
        redis_url[: match.start()] if match else redis_url.rstrip("/")
    ) + f"/{database}"
