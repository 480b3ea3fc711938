"""A worker's time-rule run in a process of its own, for the race in test_timers.py:
`python -m tests.automations.racer NAME GATE MOMENT...` runs `timers.run(now=MOMENT)`
for each moment in turn, each step only once every racer has reached it (a file per
racer and step in the GATE directory), and prints how many actions it fired."""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

RACERS = 2


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
    import django

    django.setup()
    from portico.automations import timers

    name, gate, *moments = sys.argv[1:]
    for step, moment in enumerate(moments):
        (Path(gate) / f"{name}-{step}").touch()
        deadline = time.monotonic() + 30
        while len(list(Path(gate).glob(f"*-{step}"))) < RACERS:
            if time.monotonic() > deadline:
                sys.exit(f"step {step}: the other racer never came")
            time.sleep(0.002)
        fired = timers.run(now=datetime.datetime.fromisoformat(moment))
        print(f"{step} {fired}", flush=True)


if __name__ == "__main__":
    main()
