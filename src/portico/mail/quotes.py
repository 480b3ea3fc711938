"""Cutting a reply down to what its writer wrote: the quoted history their mail client
added below (or above) it, and their signature. The staff read the conversation on the
transaction already; the whole message stays attached to the note for anything cut.

What is cut, and why it is safe:
- A history the client added without quote marks, from its first line to the end: an
  attribution ("On <date>, <name> wrote:", also wrapped over lines and in a few other
  languages), Outlook's "-----Original Message-----", a header block of three or more
  fields with a From among them ("From: … Sent: … To: …", webmail's "Date: … From: …",
  in a few languages) and the "________________" rule above it. Nothing written after
  such a history is the writer's (clients put it last).
- A ">"-quoted block at the end (top-posting) or at the start with no other quote after
  it (bottom-posting), with its attribution (above a quote, any line that ends with a
  colon and names an address or a time). Quoted blocks between the writer's own
  lines are kept: they are the questions inline answers answer.
- The signature: from a "-- " line to the end, and "Sent from my iPhone"-style lines
  at the end.
A message with none of these comes back as it was. A forwarded message is not a quote:
its writer sent it to be read."""

from __future__ import annotations

import re

# An attribution line: "On Mon, Apr 2, 2012 at 6:26 PM, Megan <m@x> wrote:", and its
# common translations. Matched on one line or two joined (clients wrap it).
_WROTE = re.compile(
    r"^\s*(-{1,3}\s*)?(on|am|le|el|il|op|den|dne)\b.{0,250}\b"
    r"(wrote|schrieb|a écrit|escribió|ha scritto|scrisse|schreef|skrev|napsal|написал)\s*:\s*$",
    re.IGNORECASE,
)
# Attributions that name no "on", e.g. "02.04.2012 14:20 пользователь … написал:".
_WROTE_ANY = re.compile(
    r"^\s*\d.{0,250}\b(wrote|schrieb|a écrit|escribió|scrisse|schreef|skrev|написал)\s*:\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_FROM = re.compile(r"^\s*\*?(from|von|de|da|van|от)\s*:\*?\s", re.IGNORECASE)
_HEADER_FIELD = re.compile(
    r"^\s*\*?(from|sent|date|to|subject|cc|von|gesendet|an|betreff|datum|de|envoyé|à|objet|"
    r"enviado|para|asunto|от|отправлено|кому|тема|дата)\s*:",
    re.IGNORECASE,
)
# Right above a quoted block, a line that ends with a colon and names an address or a
# time is its attribution in any language ('26.06.2014, 14:41, "Alexander" <a@b>:').
_ATTRIBUTION_ABOVE_QUOTE = re.compile(r"(@|\d{1,2}:\d{2}).{0,200}:\s*$")
_FORWARDED = re.compile(
    r"^\s*(-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:)", re.IGNORECASE
)
_SIGNATURE = re.compile(r"^-- ?$")
_SENT_FROM = re.compile(
    r"^\s*(sent from my \w[\w ]{0,40}|sent from (mail|outlook) for \w+|"
    r"get outlook for (ios|android)|sent (via|with) \w[\w ]{0,30})\s*\.?\s*$",
    re.IGNORECASE,
)


def reply_text(text: str) -> str:
    """What the writer wrote: the quotes cut, then the signature."""
    return cut_signature(cut_quotes(text))


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _blank(line: str) -> bool:
    return not line.strip()


def cut_quotes(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _history_start(lines)
    if start is not None:
        lines = lines[:start]
    lines = _cut_quoted_blocks(lines)
    return "\n".join(lines).strip("\n").rstrip() if lines else ""


def _forward_at(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if _FORWARDED.match(line)), len(lines))


def _history_start(lines: list[str]) -> int | None:
    """Where an unquoted history starts (an attribution not followed by a quoted block,
    an Original Message line, an Outlook header block), if before any forwarded message."""
    forward = _forward_at(lines)
    for i in range(forward):
        line = lines[i]
        if _quoted(line):
            continue
        if _ORIGINAL.match(line):
            return i
        if _RULE.match(line) and _header_block(lines, i + 1):
            return i
        if _HEADER_FIELD.match(line) and _header_block(lines, i) and i > 0:
            return i
        span = _attribution_span(lines, i)
        if span and not _followed_by_quote(lines, i + span) and i > 0:
            return i
    return None


def _header_block(lines: list[str], at: int) -> bool:
    """A history's header block (Outlook's, webmail's): at least three header fields in
    a row, one of them From, starting at `at` (blank lines before it skipped)."""
    while at < len(lines) and _blank(lines[at]):
        at += 1
    run = []
    for line in lines[at : at + 8]:
        if not _HEADER_FIELD.match(line):
            break
        run.append(line)
    return len(run) >= 3 and any(_FROM.match(line) for line in run)


def _attribution_span(lines: list[str], at: int) -> int:
    """How many lines (1 or 2) make an attribution starting at `at`; 0 if none."""
    line = lines[at].strip()
    if not line:
        return 0
    if _is_attribution(line):
        return 1
    wrapped = at + 1 < len(lines) and not _quoted(lines[at + 1])
    if (
        wrapped
        and not line.endswith((".", "!", "?"))
        and _is_attribution(f"{line} {lines[at + 1].strip()}")
    ):
        return 2
    return 0


def _is_attribution(line: str) -> bool:
    return len(line) < 300 and bool(_WROTE.match(line) or _WROTE_ANY.match(line))


def _followed_by_quote(lines: list[str], at: int) -> bool:
    while at < len(lines) and _blank(lines[at]):
        at += 1
    return at < len(lines) and _quoted(lines[at])


def _cut_quoted_blocks(lines: list[str]) -> list[str]:
    """Cut the quoted block at the end, and the one at the start if no other follows,
    each with its attribution. Blocks between the writer's lines stay."""
    forward = _forward_at(lines)
    head, tail = lines[:forward], lines[forward:]
    blocks = _quoted_blocks(head)
    if not blocks:
        return lines
    own = [i for i, line in enumerate(head) if not _quoted(line) and not _blank(line)]
    last_own = own[-1] if own else -1
    cut: set[int] = set()
    start, end = blocks[-1]
    if start > last_own:  # the last block ends the message: a top-posted reply's quote
        cut |= set(range(start, end)) | _attribution_before(head, start)
    elif len(blocks) == 1:
        before = _attribution_before(head, start)
        if not [i for i in own if i < start and i not in before]:
            # The only quote comes first, the answer below it (bottom-posting).
            cut |= set(range(start, end)) | before
    if not cut:
        return lines
    kept = [line for i, line in enumerate(head) if i not in cut]
    return _trim(kept) + tail


def _quoted_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of quoted lines; blank lines inside a run belong to it."""
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if _quoted(lines[i]):
            start = i
            end = i + 1
            j = i + 1
            while j < len(lines) and (_quoted(lines[j]) or _blank(lines[j])):
                if _quoted(lines[j]):
                    end = j + 1
                j += 1
            blocks.append((start, end))
            i = end
        else:
            i += 1
    return blocks


def _attribution_before(lines: list[str], start: int) -> set[int]:
    """The attribution lines right above a quoted block (blank lines between allowed)."""
    i = start - 1
    while i >= 0 and _blank(lines[i]):
        i -= 1
    for span in (2, 1):
        first = i - span + 1
        if first >= 0 and _attribution_span(lines, first) == span:
            return set(range(first, start))
    if i >= 0 and len(lines[i]) < 300 and _ATTRIBUTION_ABOVE_QUOTE.search(lines[i]):
        return set(range(i, start))
    return set()


def _trim(lines: list[str]) -> list[str]:
    while lines and _blank(lines[-1]):
        lines.pop()
    while lines and _blank(lines[0]):
        lines.pop(0)
    return lines


def cut_signature(text: str) -> str:
    lines = text.split("\n")
    forward = _forward_at(lines)
    for i in range(forward - 1, -1, -1):
        if _SIGNATURE.match(lines[i]) and i > 0:
            lines = lines[:i] + lines[forward:]
            break
    lines = _trim(lines)
    while lines and _SENT_FROM.match(lines[-1]):
        lines = _trim(lines[:-1])
    result = "\n".join(lines)
    # Nothing left but a signature: keep the text rather than a note with nothing in it.
    return result if result.strip() else text.strip("\n")
