"""Portico's own settings with one change: the URLconf adds the two floor views.

The whole benchmark run (workloads and floor) is served with this module, so every
figure comes from the same process configuration.

`BENCH_VARIANT=persistent` (from `python -m bench --variant persistent`) is an
experiment, not the baseline: it serves PostgreSQL with the connections Portico used
before its pool (CONN_MAX_AGE=60, one connection kept per thread), to compare the two.
The run's report names the variant.
"""

import os

from portico.settings import *  # noqa: F403
from portico.settings import DATABASES

ROOT_URLCONF = "bench.floor_urls"

if (
    os.environ.get("BENCH_VARIANT") == "persistent"
    and os.environ.get("BENCH_SERVER") == "1"
    and "postgresql" in DATABASES["default"]["ENGINE"]
):
    DATABASES["default"]["OPTIONS"].pop("pool", None)
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
