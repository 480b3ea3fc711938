"""Jobs the worker runs on a schedule (digests, retention, the sweeps that pick up what
a dead worker left half done).

An app registers a plain function with `@periodic("name", every=...)` in its `tasks`
module (the worker imports every installed app's `tasks`); `portico worker` runs each
when it falls due, and any number of workers may run: a job's next run time is claimed
with one conditional UPDATE, so each run happens on one worker only. Every job must be
idempotent: a worker killed mid-job leaves it to run again at its next time.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)

Job = Callable[[], object]


@dataclass(frozen=True)
class Periodic:
    name: str
    every: datetime.timedelta
    function: Job


JOBS: dict[str, Periodic] = {}


def periodic(name: str, *, every: datetime.timedelta) -> Callable[[Job], Job]:
    """Run the function every `every`, on one worker at a time."""
    if every <= datetime.timedelta(0):
        raise ValueError(f"Periodic job {name} needs a positive interval.")

    def register(function: Job) -> Job:
        JOBS[name] = Periodic(name=name, every=every, function=function)
        return function

    return register


def discover() -> dict[str, Periodic]:
    """Every registered job: importing each installed app's `tasks` module registers
    its jobs, so a new app's job needs no line anywhere else."""
    autodiscover_modules("tasks")
    return JOBS


@dataclass(frozen=True)
class Run:
    """One run of a job by this worker."""

    name: str
    seconds: float
    result: object = None
    error: str = ""


def schedule(jobs: dict[str, Periodic], *, now: datetime.datetime) -> None:
    """Give each job a row, due now, unless it has one (any worker may do this)."""
    from portico.events.models import PeriodicRun

    PeriodicRun.objects.bulk_create(
        [PeriodicRun(name=name, next_run_at=now) for name in jobs], ignore_conflicts=True
    )


def due(
    jobs: dict[str, Periodic], *, now: datetime.datetime
) -> list[tuple[Periodic, datetime.datetime]]:
    """The jobs due now, each with the next run time read (one query, whatever the
    number of jobs: an idle worker asks it every round)."""
    from portico.events.models import PeriodicRun

    seen = dict(PeriodicRun.objects.filter(name__in=list(jobs)).values_list("name", "next_run_at"))
    if len(seen) < len(jobs):
        schedule(jobs, now=now)
        seen = {name: seen.get(name, now) for name in jobs}
    # Due, or scheduled further ahead than the job's interval (its interval was
    # shortened since): either way, run it now.
    return [
        (job, seen[name]) for name, job in jobs.items() if not now < seen[name] <= now + job.every
    ]


def take(job: Periodic, *, seen: datetime.datetime, worker_id: str, now: datetime.datetime) -> bool:
    """Claim the run due at `seen`: the conditional UPDATE succeeds on one worker only,
    the first; for the others the row has moved on."""
    from portico.events.models import PeriodicRun

    taken = PeriodicRun.objects.filter(name=job.name, next_run_at=seen).update(
        next_run_at=now + job.every, last_started_at=now, last_worker=worker_id
    )
    return taken == 1


def claim(job: Periodic, *, worker_id: str, now: datetime.datetime) -> bool:
    """Take this job's run if it is due: True on exactly one worker, however many ask."""
    return any(
        take(job, seen=seen, worker_id=worker_id, now=now)
        for job, seen in due({job.name: job}, now=now)
    )


def run(job: Periodic) -> Run:
    """Run a claimed job, and write down how it went. A failure is logged and kept on
    the job's row; the job runs again at its next time."""
    from portico.events.models import PeriodicRun

    started = time.monotonic()
    try:
        result = job.function()
    except Exception as error:
        log.exception("periodic job %s failed", job.name)
        outcome = Run(
            job.name, time.monotonic() - started, error=f"{type(error).__name__}: {error}"
        )
    else:
        outcome = Run(job.name, time.monotonic() - started, result=result)
    PeriodicRun.objects.filter(name=job.name).update(
        last_finished_at=timezone.now(), last_error=outcome.error[:2000]
    )
    return outcome


def run_due(*, worker_id: str, now: datetime.datetime | None = None) -> list[Run]:
    """Run every job that is due and that this worker claims. Returns what it ran."""
    now = now or timezone.now()
    return [
        run(job)
        for job, seen in due(discover(), now=now)
        if take(job, seen=seen, worker_id=worker_id, now=now)
    ]
