"""Portico's own settings with one change: the URLconf adds the two floor views.

The whole benchmark run (workloads and floor) is served with this module, so every
figure comes from the same process configuration.

`BENCH_VARIANT=pool` (from `python -m bench --variant pool`) is an experiment, not the
baseline: it serves PostgreSQL through psycopg's connection pool (Django's
OPTIONS["pool"], needs the psycopg-pool package) instead of CONN_MAX_AGE, to measure a
proposed settings change before making it. The run's report names the variant.
"""

import os

from portico.settings import *  # noqa: F403
from portico.settings import DATABASES

ROOT_URLCONF = "bench.floor_urls"

# Only in the served processes: the harness's own process restarts the cluster under its
# connections, which a pool opened before the restart does not survive.
if (
    os.environ.get("BENCH_VARIANT") == "pool"
    and os.environ.get("BENCH_SERVER") == "1"
    and "postgresql" in DATABASES["default"]["ENGINE"]
):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 4, "max_size": 16, "timeout": 10}}
