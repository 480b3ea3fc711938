"""Reading messages as they come from real clients, and broken ones: never an exception,
what can be read, and a list of what could not."""

from __future__ import annotations

from pathlib import Path

from portico.mail import parsing

MESSAGES = Path(__file__).parent / "messages"


def read(name: str) -> parsing.Parsed:
    return parsing.parse((MESSAGES / name).read_bytes())


def test_an_outlook_reply_gives_its_address_text_and_inline_image() -> None:
    parsed = read("outlook_reply.eml")
    # The address only, lower-cased; the display name is not who sent it.
    assert parsed.from_address == "ewan.grant@harbourfoods.example"
    assert parsed.subject == "RE: [SI-REPLACE] Dosing pump alarm"
    assert parsed.message_id.startswith("<AM9PR04MB8412C0FFEE@")
    assert parsed.text.startswith("Hello,\n\nThe alarm came back")
    assert [(a.name, a.content_type) for a in parsed.attachments] == [("image001.png", "image/png")]
    assert parsed.attachments[0].data.startswith(b"\x89PNG")
    assert parsed.problems == []


def test_threading_headers_and_delivered_to() -> None:
    parsed = read("gmail_reply.eml")
    assert parsed.in_reply_to == ["<REFERENCE-ID>"]
    assert parsed.references == ["<REFERENCE-ID>"]
    assert parsed.delivered_to == ["support@portico.example"]
    assert parsed.attachments[0].name == "controller.log"
    assert b"ALARM dosing pump" in parsed.attachments[0].data
    assert parsed.date is not None
    assert parsed.date.year == 2026


def test_a_calendar_invite_is_kept_as_a_file() -> None:
    parsed = read("calendar_invite.eml")
    assert parsed.text.strip() == "Could your technician come on Thursday 10 December at 10:00?"
    types = [a.content_type for a in parsed.attachments]
    assert "text/calendar" in types
    invite = next(a for a in parsed.attachments if a.content_type == "text/calendar")
    assert invite.name.endswith(".ics")
    assert b"SUMMARY:Site visit for the dosing pump" in invite.data


def test_a_broken_message_with_an_unknown_charset_is_read_as_far_as_it_goes() -> None:
    parsed = read("broken.eml")
    # Encoded words in two charsets make one subject.
    assert parsed.subject == "Problème avec la pompe — urgent"
    assert parsed.from_name == "Ewan Gränt"
    # The unknown charset is read with replacement characters, not refused.
    assert parsed.text.startswith("La pompe fait un bruit")
    assert "\ufffd" in parsed.text
    assert any("x-mystery-8" in p for p in parsed.problems)
    assert any("Malformed" in p for p in parsed.problems)


def test_garbage_and_missing_headers_never_raise() -> None:
    for raw in (b"", b"\x00\xff\xfe garbage", b"Subject: only a subject\n\n", b"From: <>\n\nx"):
        parsed = parsing.parse(raw)
        assert parsed.from_address == ""
        assert "No sender address (From)." in parsed.problems


def test_a_display_name_that_looks_like_an_address_is_not_the_address() -> None:
    raw = b'From: "ceo@portico.example" <mallory@evil.example>\nSubject: hi\n\nx'
    assert parsing.parse(raw).from_address == "mallory@evil.example"


def test_html_only_mail_becomes_text_without_script_or_style() -> None:
    raw = (
        b"From: a@b.example\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        b"<body><p>First &amp; second</p><p>Line<br>two</p>"
        b"<blockquote>quoted</blockquote></body></html>"
    )
    text = parsing.parse(raw).text
    assert "alert" not in text
    assert "color" not in text
    assert text.splitlines()[0] == "First & second"
    assert "Line\ntwo" in text
    assert "> quoted" in text


def test_a_delivery_status_notification_is_read() -> None:
    parsed = read("dsn.eml")
    assert parsing.is_report(parsed.message)
    report = parsing.bounce_report(parsed)
    assert report.recipients[0][:2] == ("ewan.grant@harbourfoods.example", "5.1.1")
    assert report.original_ids == ["<DELIVERY-KEY@portico.example>"]
