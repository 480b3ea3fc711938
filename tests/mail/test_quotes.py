"""Cutting quoted history and signatures, against real mail clients' replies (talon's
fixtures, fetched by `make test-deps`) and our own messages from the wild."""

from __future__ import annotations

from pathlib import Path

import pytest

from portico.mail import parsing, quotes

TALON = (
    Path(__file__).resolve().parents[2] / "var/talon/talon-1.4.4/tests/fixtures/standard_replies"
)
MESSAGES = Path(__file__).parent / "messages"


def talon_replies() -> list[Path]:
    if not TALON.is_dir():
        pytest.fail(f"{TALON} is missing: `make test-deps` fetches talon's fixtures.")
    return sorted(TALON.glob("*.eml"))


@pytest.mark.parametrize("path", talon_replies(), ids=lambda p: p.stem)
def test_real_clients_replies_lose_their_quote_and_keep_the_reply(path: Path) -> None:
    parsed = parsing.parse(path.read_bytes())
    cut = quotes.cut_quotes(parsed.text)
    expected = path.with_name(f"{path.stem}_reply_text")
    if expected.exists():
        # talon's expected text: the quote cut, the signature still there.
        assert cut.strip() == expected.read_text().strip()
    else:
        # The first line the writer wrote (above the quote, or below it when they
        # answered at the bottom) is where the reply starts.
        own = [
            line.strip()
            for line in parsed.text.splitlines()
            if line.strip() and not line.startswith(">") and not line.endswith("wrote:")
        ]
        assert cut.splitlines()[0].strip() == own[0]
    assert " wrote:" not in cut
    assert "Original Message" not in cut
    assert "написал" not in cut
    assert "\nFrom:" not in cut
    assert ">" not in cut
    # Every one of these replies says "Hello" and nothing else, once the signature goes.
    assert quotes.reply_text(parsed.text).strip() == "Hello"


def talon_html_replies() -> list[Path]:
    folder = TALON.parent / "html_replies"
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing: `make test-deps` fetches talon's fixtures.")
    return sorted(folder.glob("*.html"))


@pytest.mark.parametrize("path", talon_html_replies(), ids=lambda p: p.stem)
def test_real_clients_html_replies_made_text_lose_their_quote(path: Path) -> None:
    # Mail with only an HTML part (Outlook, webmail) is made text, then cut the same way.
    html = path.read_text(encoding="utf-8", errors="replace")
    assert "How are you?" in parsing.html_to_text(html)
    text = quotes.reply_text(parsing.html_to_text(html))
    assert text.startswith("Hi. I am fine.")
    assert text.replace("\n\n", "\n") == "Hi. I am fine.\nThanks,\nAlex"


def test_talons_other_replies() -> None:
    # Yahoo's "--- On … wrote:" over an unquoted history, and a history under a rule.
    shared = parsing.parse((TALON.parent / "reply-quotations-share-block.eml").read_bytes())
    text = quotes.reply_text(shared.text)
    assert text.startswith("Hi Katharine.")
    assert text.endswith("Joe XXX")
    html = (TALON.parent / "reply-separated-by-hr.html").read_text()
    assert quotes.reply_text(parsing.html_to_text(html)) == "Hi\nthere\n\nBob"


def test_text_with_no_quote_is_unchanged() -> None:
    text = "Hello,\n\nThe pump is fine now.\n> not a quote at all? It is: but inside\nThanks"
    plain = "Hello,\n\nThe pump is fine now.\n\nThanks,\nEwan"
    assert quotes.reply_text(plain) == plain
    # Words that look like a header are not a history unless they are a header block.
    delivery = "Hello,\nFrom: our warehouse in Aberdeen\nTo: you, three units were sent.\nBye"
    assert quotes.reply_text(delivery) == delivery
    # A quoted line between the writer's own lines is theirs to keep.
    assert quotes.reply_text(text) == text


def test_inline_answers_keep_the_questions_they_answer() -> None:
    text = (
        "On Mon, 30 Nov 2026 at 16:02, Support <support@portico.example> wrote:\n"
        "> Which model is it?\n"
        "ClearFlow 200.\n"
        "> When did it start?\n"
        "Monday morning.\n"
    )
    assert quotes.reply_text(text) == text.strip()


def test_a_two_line_attribution_and_its_quote_are_cut() -> None:
    text = (
        "It works now.\n\nOn Mon, 30 Nov 2026 at 16:02, Brightwater Support <s@x.example>\n"
        "wrote:\n\n> Dear Ewan,\n> did it work?\n"
    )
    assert quotes.reply_text(text) == "It works now."


def test_outlook_header_block_underscores_and_sent_from() -> None:
    text = (
        "Fine, thanks.\n\nSent from my Android\n\n________________________________\n"
        "From: Brightwater Support <support@portico.example>\nSent: Monday, 30 November "
        "2026 16:02\nTo: Ewan Grant\nSubject: Re: pump\n\nOld text"
    )
    assert quotes.reply_text(text) == "Fine, thanks."


def test_a_signature_goes_but_a_text_that_is_only_a_signature_stays() -> None:
    assert quotes.reply_text("Done.\n\n-- \nEwan Grant\nHarbour Foods") == "Done."
    assert quotes.reply_text("-- \nEwan") == "-- \nEwan"


def test_a_forwarded_message_is_kept_whole() -> None:
    parsed = parsing.parse((MESSAGES / "forwarded.eml").read_bytes())
    text = quotes.reply_text(parsed.text)
    assert text.startswith("Our warehouse received two filter units")
    assert "Order 88213: 3 x ClearFlow filter unit" in text


def test_our_outlook_reply_keeps_its_words_and_loses_the_original() -> None:
    parsed = parsing.parse((MESSAGES / "outlook_reply.eml").read_bytes())
    text = quotes.reply_text(parsed.text)
    assert text.endswith("Regards,\nEwan")
    assert "Original Message" not in text
    assert "reset the pump" not in text
