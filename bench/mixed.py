"""The mixed load run (issue "Reliability proof", item 4): 500 portal customers and 50
agents, each with a session of their own, use Portico at once for a bounded time.

What it is, exactly: `connections` client threads (32 by default) each keep one
keep-alive connection to the production server and, request after request with no
think time, act as a person drawn at random from the 550 (500 customers of as many
organisations as the dataset has, and 50 staff sessions spread over the staff people).
Customers open their portal home, their list, one of their transactions, search the
knowledge base, and sometimes log a new request; agents open the queue, a filtered
queue, a transaction, their task list, and sometimes add a note.

Every portal answer is checked for what it shows: each transaction number linked from
it must belong to the customer's own organisation (a marker in every payload that the
database can check afterwards). Loopback only; bounded by `seconds`; it stops by itself.
"""

from __future__ import annotations

import http.client
import random
import re
import secrets
import statistics
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

# Links to a portal transaction page carry its number: the marker checked afterwards.
PORTAL_NUMBER = re.compile(r'href="/portal/t/([A-Z]+-\d+)/"')
SEARCHES = ("E42 alarm", "reset my password", "chlorine sensor", "gateway offline")


@dataclass
class Person:
    kind: str  # "portal" or "agent"
    cookie: str
    csrf: str
    organization: int = 0
    numbers: list[str] = field(default_factory=list)  # transactions it may open


@dataclass
class Outcome:
    kind: str
    action: str
    seconds: float
    ok: bool
    shown: tuple[str, ...] = ()
    person: int = 0


def _session_cookie(user: Any) -> str:
    """A logged-in session made the way Django's test client's force_login makes one,
    so 550 people need no 550 password hashes before the run."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def _user_for(individual: Any) -> Any:
    from portico.parties.models import User

    if individual.user_id is None:
        individual.user = User.objects.create_user(email=individual.email, password=None)
        individual.save(update_fields=["user"])
    return individual.user


def people(*, portal_users: int, agents: int) -> list[Person]:
    from django.conf import settings

    from portico import access
    from portico.parties.models import Individual, UserGroup

    customers = UserGroup.objects.get(name="Customers")
    staff = UserGroup.objects.get(name="Staff")
    found: list[Person] = []
    # The first individuals of the dataset are one per organisation; then the rest.
    for individual in Individual.objects.filter(
        user_group=customers, organization__kind="customer", active=True
    ).order_by("id")[:portal_users]:
        user = _user_for(individual)
        numbers = list(
            access.visible_transactions(user).order_by("-id").values_list("number", flat=True)[:5]
        )
        csrf = secrets.token_hex(16)
        found.append(
            Person(
                "portal",
                f"{settings.SESSION_COOKIE_NAME}={_session_cookie(user)}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                csrf,
                organization=individual.organization_id,
                numbers=numbers,
            )
        )
    staff_people = list(Individual.objects.filter(user_group=staff, active=True).order_by("id"))
    any_numbers: list[str] = []
    for person in found:
        any_numbers.extend(person.numbers)
    for n in range(agents):
        user = _user_for(staff_people[n % len(staff_people)])
        csrf = secrets.token_hex(16)
        found.append(
            Person(
                "agent",
                f"{settings.SESSION_COOKIE_NAME}={_session_cookie(user)}; "
                f"{settings.CSRF_COOKIE_NAME}={csrf}",
                csrf,
                numbers=any_numbers[n::agents][:20] or any_numbers[:20],
            )
        )
    return found


def _portal_request(person: Person, rng: random.Random, create_body: str) -> tuple[str, str, str]:
    roll = rng.random()
    if roll < 0.35:
        return "portal home", "GET", "/portal/"
    if roll < 0.60:
        return "portal list", "GET", "/portal/transactions/"
    if roll < 0.85 and person.numbers:
        return "portal transaction", "GET", f"/portal/t/{rng.choice(person.numbers)}/"
    if roll < 0.95:
        query = urllib.parse.urlencode({"q": rng.choice(SEARCHES)})
        return "knowledge search", "GET", f"/help/search/?{query}"
    return "portal create", "POST", "/portal/new/"


def _agent_request(person: Person, rng: random.Random) -> tuple[str, str, str]:
    roll = rng.random()
    if roll < 0.30:
        return "console queue", "GET", "/console/transactions/"
    if roll < 0.40:
        return "filtered queue", "GET", "/console/transactions/?status=open"
    if roll < 0.75 and person.numbers:
        return "console transaction", "GET", f"/console/transactions/{rng.choice(person.numbers)}/"
    if roll < 0.90 or not person.numbers:
        return "task list", "GET", "/console/"
    return "add note", "POST", f"/console/transactions/{rng.choice(person.numbers)}/notes/"


def _bodies(priority_id: int) -> dict[str, str]:
    return {
        "portal create": urllib.parse.urlencode(
            {
                "application": "service-issue",
                "title": "Dosing pump alarm on line 2",
                "description": "Alarm E42 since this morning; line 2 on manual dosing.",
                "priority": str(priority_id),
                "profile_issue-type": "fault",
                "profile_product": "aquasense-controller",
            }
        ),
        "add note": urllib.parse.urlencode(
            {
                "channel": "phone",
                "direction": "in",
                "visibility": "internal",
                "contact": "",
                "body": "Customer called back: the alarm cleared at 10:15.",
            }
        ),
    }


def _drive(
    host: str,
    port: int,
    crowd: list[Person],
    deadline: float,
    seed: int,
    bodies: dict[str, str],
    out: list[Outcome],
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.monotonic() < deadline:
        index = rng.randrange(len(crowd))
        person = crowd[index]
        if person.kind == "portal":
            action, method, path = _portal_request(person, rng, bodies["portal create"])
        else:
            action, method, path = _agent_request(person, rng)
        headers = {"Cookie": person.cookie}
        body = None
        if method == "POST":
            body = f"{bodies[action]}&csrfmiddlewaretoken={person.csrf}"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            page = response.read()
            ok = response.status == (302 if method == "POST" else 200)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            out.append(Outcome(person.kind, action, time.monotonic() - started, False))
            continue
        shown: tuple[str, ...] = ()
        if ok and person.kind == "portal" and method == "GET":
            shown = tuple(set(PORTAL_NUMBER.findall(page.decode(errors="replace"))))
        out.append(
            Outcome(person.kind, action, time.monotonic() - started, ok, shown, person=index)
        )
    conn.close()


def _leaks(crowd: list[Person], outcomes: list[Outcome]) -> tuple[int, int]:
    """(numbers checked, numbers of another organisation's transactions shown)."""
    from portico.service.models import Transaction

    shown: dict[int, set[str]] = defaultdict(set)
    for o in outcomes:
        shown[o.person].update(o.shown)
    checked = leaked = 0
    for index, numbers in shown.items():
        if not numbers:
            continue
        checked += len(numbers)
        own = set(
            Transaction.objects.filter(
                number__in=numbers, organization_id=crowd[index].organization
            ).values_list("number", flat=True)
        )
        leaked += len(numbers - own)
    return checked, leaked


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@dataclass(frozen=True)
class Mixed:
    text: str
    requests_per_s: float
    errors: int


def run(
    host: str,
    port: int,
    *,
    seconds: float = 60.0,
    portal_users: int = 500,
    agents: int = 50,
    connections: int = 32,
    priority_id: int,
    log: Any = print,
) -> Mixed:
    """Run the mixed load: its report as Markdown, its rate and its errors."""
    crowd = people(portal_users=portal_users, agents=agents)
    portal = sum(1 for p in crowd if p.kind == "portal")
    log(
        f"mixed load: {portal} portal sessions, {len(crowd) - portal} agent sessions, "
        f"{connections} connections, {seconds:.0f} s"
    )
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    bodies = _bodies(priority_id)
    threads = []
    per_thread: list[list[Outcome]] = [[] for _ in range(connections)]
    for n in range(connections):
        thread = threading.Thread(
            target=_drive,
            args=(host, port, crowd, deadline, 1000 + n, bodies, per_thread[n]),
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=seconds + 60)
    with lock:
        for part in per_thread:
            outcomes.extend(part)
    checked, leaked = _leaks(crowd, outcomes)
    rows = [
        "| action | who | requests | req/s | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    groups: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.action, o.kind)].append(o)
        groups[("all", "everyone")].append(o)
    for (action, kind), items in sorted(groups.items(), key=lambda kv: (kv[0][0] == "all", kv[0])):
        times = [o.seconds * 1000 for o in items]
        rows.append(
            f"| {action} | {kind} | {len(items):,} | {len(items) / seconds:.1f} | "
            f"{statistics.median(times):.0f} | {_percentile(times, 0.99):.0f} | "
            f"{sum(1 for o in items if not o.ok)} |"
        )
    errors = sum(1 for o in outcomes if not o.ok)
    lines = [
        "",
        f"### Mixed load: {portal} portal customers and {len(crowd) - portal} agents, "
        f"{seconds:.0f} s",
        "",
        f"{connections} client connections, no think time, each request as a person drawn "
        "at random (bench/mixed.py). "
        f"Errors: {errors}. Portal answers checked for other organisations' transactions: "
        f"{checked:,} transaction numbers shown, {leaked} of another organisation.",
        "",
        *rows,
    ]
    return Mixed("\n".join(lines), len(outcomes) / seconds, errors)
