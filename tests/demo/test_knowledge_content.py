"""The demo knowledge base states no support hours of its own: customers read the hours
the SLA clock counts from the calendar, on the portal (issue 19: a FAQ and an article
said 08:00–18:00 while the calendar said 09:00–17:30)."""

from __future__ import annotations

import re
from datetime import date, datetime

from portico.demo import knowledge_content as demo
from portico.service.calendar import BusinessHours, closed_days
from portico.service.models import BusinessCalendar

# Any statement of opening hours: a range of clock times, a clock time with am/pm, or
# "always open".
HOURS = re.compile(
    r"\d{1,2}[:.]\d{2}\s*(?:–|-|to|until)\s*\d{1,2}[:.]\d{2}"
    r"|\b\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b(?:24|twenty-four) hours a day|\b24/7|\bround the clock"
    r"|\b(?:Mon|Monday)\s*(?:–|-|to)\s*(?:Fri|Friday)\b",
    re.IGNORECASE,
)
# A clock time in the same paragraph as the desk, support or opening hours.
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
ABOUT_THE_DESK = re.compile(
    r"service desk|support hours|opening hours|office hours|(?:we are|we.re|desk is) open|reach us",
    re.IGNORECASE,
)


def _texts() -> list[tuple[str, str]]:
    found = []
    for article in demo.ARTICLES:
        found += [(article.slug, article.title), (article.slug, article.summary)]
        found += [(article.slug, article.body)]
    for faq in demo.FAQS:
        found += [(faq.question, faq.question), (faq.question, faq.answer)]
    for news in demo.NEWS:
        found += [(news.title, news.title), (news.title, news.body)]
    for document in demo.DOCUMENTS:
        found += [(document.title, document.description), (document.title, document.content)]
    return found


def test_no_demo_content_states_support_hours() -> None:
    stated = [(where, match.group()) for where, text in _texts() for match in HOURS.finditer(text)]
    beside_the_desk = [
        (where, paragraph)
        for where, text in _texts()
        for paragraph in text.split("\n\n")
        if CLOCK.search(paragraph) and ABOUT_THE_DESK.search(paragraph)
    ]
    assert stated == []
    assert beside_the_desk == []


def test_the_detector_finds_what_the_old_content_said() -> None:
    # The FAQ and the article before issue 19: each would have been caught.
    old = [
        "The service desk is open Monday to Friday, 08:00 to 18:00, except Scottish bank",
        "- Emergency line for contract customers: 24 hours a day, every day.",
        "Call us 8am-6pm.",
    ]
    assert all(HOURS.search(text) for text in old)
    assert ABOUT_THE_DESK.search(old[0])
    assert CLOCK.search(old[0])


def test_the_holiday_calendar_document_lists_the_calendars_closures() -> None:
    # The employees' 2027 holiday list names the days the desk is closed; those must be
    # the days the SLA clock skips, or the two would disagree as the hours did.
    document = next(d for d in demo.DOCUMENTS if d.filename == "holiday-calendar-2027.txt")
    listed = {
        datetime.strptime(f"{m.group(1)} 2027", "%A %d %B %Y").date()  # noqa: DTZ007 (a date)
        for m in re.finditer(r"^(\w+day \d{1,2} \w+)\s{2,}", document.content, re.MULTILINE)
    }
    defaults = {f.name: f.get_default() for f in BusinessCalendar._meta.concrete_fields}
    hours = BusinessHours(
        time_zone=defaults["time_zone"],
        opens=defaults["opens"],
        closes=defaults["closes"],
        workdays=frozenset(int(d) for d in defaults["workdays"]),
        country=defaults["country"],
        subdivision=defaults["subdivision"],
    )
    assert listed == {d for d, _ in closed_days(hours, date(2027, 1, 1), 365)}
