"""Greetings (issue 22): a birthday or customer-anniversary card on the day in the
person's own time zone, from 09:00 there, once a year each however often the job runs;
29 February falls on the 28th in other years; the anniversary counts the years."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from portico.automations import greetings
from portico.automations.models import Greeting
from portico.events import periodic
from portico.mail import preferences
from portico.notify import delivery as outbox
from portico.notify.models import Delivery
from portico.parties.models import Individual, UserGroup
from tests.mail.conftest import SmtpServer

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


MakePerson = Callable[..., Individual]


@pytest.fixture
def make_person(demo_people: None) -> MakePerson:
    group = UserGroup.objects.get(name="Customers")

    def make(email: str, **fields: object) -> Individual:
        return Individual.objects.create(
            first_name=email.split("@")[0].title(),
            last_name="Reader",
            email=email,
            user_group=group,
            **fields,
        )

    return make


def cards(kind: str = "birthday") -> list[str]:
    return list(Delivery.objects.filter(kind=kind).values_list("address", flat=True))


def test_a_birthday_comes_on_the_day_in_the_persons_time_zone_once(
    make_person: MakePerson, smtp_server: SmtpServer
) -> None:
    born = datetime.date(1980, 3, 5)
    make_person("aroha@kiwi.example", birthday=born, time_zone="Pacific/Auckland")
    make_person("ana@utc.example", birthday=born, time_zone="UTC")
    # 19:30 UTC on the 4th is 08:30 on the 5th in Auckland (NZDT, +13): not yet.
    assert greetings.send_due(now=at("2026-03-04T19:30")) == 0
    # 20:00 UTC is 09:00 there: Aroha's card; in UTC it is still the 4th.
    assert greetings.send_due(now=at("2026-03-04T20:00")) == 1
    assert cards() == ["aroha@kiwi.example"]
    # The hourly job again, and again the next (UTC) morning: Aroha's once, Ana's now.
    assert greetings.send_due(now=at("2026-03-04T21:00")) == 0
    assert greetings.send_due(now=at("2026-03-05T08:59")) == 0
    assert greetings.send_due(now=at("2026-03-05T09:00")) == 1
    assert greetings.send_due(now=at("2026-03-05T23:00")) == 0
    assert sorted(cards()) == ["ana@utc.example", "aroha@kiwi.example"]
    assert Greeting.objects.filter(kind="birthday", year=2026).count() == 2
    outbox.sweep()
    [got] = smtp_server.to("aroha@kiwi.example")
    assert got.message["Subject"] == "Happy birthday, Aroha Reader"
    assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = got.message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "wishes you a very happy birthday" in html
    assert "To add to this request" not in html
    # The worker runs it hourly: each person's day starts at their own midnight.
    assert periodic.discover()["automations.greetings"].every == datetime.timedelta(hours=1)
    # Next year, again once each (at 10:00 UTC it is the 5th in both places).
    assert greetings.send_due(now=at("2027-03-05T10:00")) == 2
    assert greetings.send_due(now=at("2027-03-05T11:00")) == 0


def test_the_29th_of_february_falls_on_the_28th_in_other_years(make_person: MakePerson) -> None:
    make_person("leap@utc.example", birthday=datetime.date(2000, 2, 29), time_zone="UTC")
    assert greetings.send_due(now=at("2027-02-28T10:00")) == 1
    assert greetings.send_due(now=at("2027-03-01T10:00")) == 0
    # 2028 has a 29th: not on the 28th, on the 29th.
    assert greetings.send_due(now=at("2028-02-28T10:00")) == 0
    assert greetings.send_due(now=at("2028-02-29T10:00")) == 1


def test_an_anniversary_counts_the_years(make_person: MakePerson) -> None:
    make_person("old@utc.example", customer_since=datetime.date(2021, 6, 10), time_zone="UTC")
    make_person("new@utc.example", customer_since=datetime.date(2026, 6, 10), time_zone="UTC")
    assert greetings.send_due(now=at("2026-06-10T12:00")) == 1
    [card] = Delivery.objects.filter(kind="anniversary")
    assert card.address == "old@utc.example"
    assert card.subject == "Thank you for 5 years with us"
    assert "It is 5 years today since you became our customer" in card.body


def test_no_card_to_whom_asked_for_no_mail_or_has_left(make_person: MakePerson) -> None:
    born = datetime.date(1990, 7, 1)
    quiet = make_person("quiet@utc.example", birthday=born, time_zone="UTC")
    preferences.set_opted_out(person=quiet, opted_out=True, via="profile")
    make_person("left@utc.example", birthday=born, time_zone="UTC", active=False)
    make_person("", birthday=born, time_zone="UTC")
    make_person("site@london.example", birthday=born)  # the site's zone: London, BST
    # 08:30 UTC is 09:30 in London: only the one in the site's time zone.
    assert greetings.send_due(now=at("2026-07-01T08:30")) == 1
    assert cards() == ["site@london.example"]
