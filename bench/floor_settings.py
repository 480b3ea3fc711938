"""Portico's own settings with one change: the URLconf adds the two floor views.

The whole benchmark run (workloads and floor) is served with this module, so every
figure comes from the same process configuration.

The `asgi` variant (`python -m bench --variant asgi`) is served by `bench.server` the way
Portico was before issue 25: uvicorn workers, PostgreSQL connections from a pool
(`portico.asgi` sets PORTICO_ASGI). The run's report names the variant.
"""

from portico.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
