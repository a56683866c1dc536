"""Hypothesis profiles for the fuzz tests: a bounded number of examples, no per-example deadline
(the machine is shared), no example database in the work tree.

``HYPOTHESIS_PROFILE=ci`` (what ``.ci/run`` may set) runs a fixed, derandomised set so that a
CI failure reproduces; the default profile draws new examples on every run.
"""

import os

from hypothesis import HealthCheck, settings

COMMON = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    "print_blob": True,
}
settings.register_profile("dev", max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)), **COMMON)
settings.register_profile("ci", max_examples=20, derandomize=True, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
