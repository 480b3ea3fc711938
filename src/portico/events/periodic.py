"""Jobs the worker runs on a schedule (the SLA watch, digests, retention, the sweeps
that pick up what a dead worker left half done).

An app registers a plain function with `@periodic("name", every=...)`; `portico worker`
runs each when it falls due, and any number of workers may run: a job's next run time
is claimed with one conditional UPDATE, so each run happens on one worker only. Every
job must be idempotent: a worker killed mid-job leaves it to run again at its next time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

Job = Callable[[], object]


@dataclass(frozen=True)
class Periodic:
    name: str
    every: datetime.timedelta
    function: Job


JOBS: dict[str, Periodic] = {}


def periodic(name: str, *, every: datetime.timedelta) -> Callable[[Job], Job]:
    """Run the function every `every`, on one worker at a time."""

    def register(function: Job) -> Job:
        JOBS[name] = Periodic(name=name, every=every, function=function)
        return function

    return register
