"""Reading a message as it came off the wire: its addresses, threading headers, text
and files. Mail from the wild is often broken (bad MIME, charsets nobody knows, missing
headers), so nothing here raises on bad input: `parse` returns what could be read and,
in `problems`, what could not."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Part:
    """A file carried by the message: an attachment, an inline image, an invitation."""

    name: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    message_id: str = ""
    from_address: str = ""  # the address only: a display name proves nothing
    from_name: str = ""  # used only to name a person created from mail
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    auto_submitted: str = ""
    text: str = ""
    attachments: list[Part] = field(default_factory=list)
    date: datetime.datetime | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    message: Message | None = None

    def header(self, name: str) -> str:
        """The first header of that name, as text ("" if there is none)."""
        return next(iter(self.header_all(name)), "")

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.delivered_to]


def clean_text(text: str) -> str:
    """Text without the lone surrogates a bad byte leaves behind, with one kind of line
    break. Control characters other than tab and newline are dropped: a note refuses them."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or (ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0))


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def parse(raw: bytes) -> Parsed:
    parsed = Parsed()
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:  # the parser is meant never to fail; belt and braces
        parsed.problems.append(f"Unreadable message: {error}")
        return parsed
    parsed.message = message
    parsed.problems.extend(_defects(message))
    parsed.headers = [
        (name, _header_text(message, name, value)) for name, value in _raw_items(message)
    ]
    parsed.message_id = next(iter(message_ids(parsed.header("Message-ID"))), "")
    if not parsed.message_id:
        parsed.problems.append("No Message-ID.")
    senders = _addresses(parsed.header_all("From"))
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    else:
        parsed.problems.append("No sender address (From).")
    parsed.to = [a for _, a in _addresses(parsed.header_all("To"))]
    parsed.cc = [a for _, a in _addresses(parsed.header_all("Cc"))]
    parsed.delivered_to = [a for _, a in _addresses(parsed.header_all("Delivered-To"))]
    parsed.subject = " ".join(clean_text(parsed.header("Subject")).split())
    parsed.in_reply_to = message_ids(parsed.header("In-Reply-To"))
    parsed.references = message_ids(" ".join(parsed.header_all("References")))
    parsed.auto_submitted = parsed.header("Auto-Submitted").strip().lower()
    if parsed.header("Date"):
        try:
            parsed.date = parsedate_to_datetime(parsed.header("Date"))
        except (TypeError, ValueError, IndexError):
            parsed.problems.append("Unreadable Date.")
    _read_parts(message, parsed)
    return parsed


def _raw_items(message: Message) -> list[tuple[str, str]]:
    try:
        return [(name, str(value)) for name, value in message.raw_items()]
    except Exception:
        return []


def _header_text(message: Message, name: str, raw: str) -> str:
    """A header decoded (encoded words and all), else as it came."""
    try:
        # The policy's header classes decode RFC 2047 words; a broken one raises.
        return clean_text(str(policy.default.header_fetch_parse(name, raw)))
    except Exception:
        return clean_text(raw)


def _addresses(values: Iterable[str]) -> list[tuple[str, str]]:
    """(display name, address) pairs, the address lower-cased; junk left out."""
    found = []
    for name, address in getaddresses(list(values)):
        address = clean_text(address).strip().strip("<>").lower()
        if "@" in address and " " not in address:
            found.append((clean_text(name).strip(), address))
    return found


def _defects(message: Message) -> list[str]:
    seen = []
    for part in message.walk():
        for defect in part.defects:
            text = type(defect).__name__
            if text not in seen:
                seen.append(text)
    return [f"Malformed: {', '.join(seen)}."] if seen else []


def _text_of(part: Message, parsed: Parsed) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return clean_text(payload.decode(charset, errors="replace"))
    except LookupError:
        parsed.problems.append(f"Unknown charset {charset!r}: read as UTF-8 with replacements.")
        return clean_text(payload.decode("utf-8", errors="replace"))


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(part.get_filename())


_EXTENSIONS = {
    "text/calendar": "invite.ics",
    "message/rfc822": "message.eml",
    "image/png": "image.png",
    "image/jpeg": "image.jpg",
    "image/gif": "image.gif",
    "application/pdf": "document.pdf",
}


def _read_parts(message: Message, parsed: Parsed) -> None:
    plain: str | None = None
    html: str | None = None
    for index, part in enumerate(_leaves(message), start=1):
        content_type = part.get_content_type()
        if content_type in {"text/plain", "text/html"} and not _is_attachment(part):
            text = _text_of(part, parsed)
            if content_type == "text/plain" and plain is None:
                plain = text
            elif content_type == "text/html" and html is None:
                html = text
            continue
        if content_type in {"message/delivery-status", "text/rfc822-headers"}:
            continue  # a bounce's report, read by `bounce_report`
        data = _bytes_of(part)
        if not data:
            continue
        name = _file_name(part) or _EXTENSIONS.get(content_type, f"part-{index}.bin")
        parsed.attachments.append(Part(name=name, content_type=content_type, data=data))
    if plain is not None and plain.strip():
        parsed.text = plain
    elif html is not None:
        parsed.text = html_to_text(html)
    else:
        parsed.text = plain or ""


def _leaves(message: Message) -> Iterable[Message]:
    """The parts that hold content. A forwarded message (message/rfc822) is one file,
    not parts of this one."""
    if message.is_multipart():
        payload = message.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                if child.get_content_type() == "message/rfc822":
                    yield child
                else:
                    yield from _leaves(child)
        return
    yield message


def _bytes_of(part: Message) -> bytes:
    try:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0].as_bytes(policy=policy.SMTP)
            return b""
        payload = part.get_payload(decode=True)
    except Exception:
        return b""
    return payload if isinstance(payload, bytes) else b""


def _file_name(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        return ""
    return clean_text(name).strip()


# --- a bounce's report -------------------------------------------------------------------


@dataclass(frozen=True)
class Bounce:
    """What a delivery status notification (RFC 3464) says: per failed recipient, its
    status (5.x.x permanent, 4.x.x transient), and the message it returns."""

    recipients: list[tuple[str, str, str]]  # (address, status, diagnostic)
    original_ids: list[str]  # Message-IDs of the returned message
    delivery_keys: list[str]  # its X-Portico-Delivery


def is_report(message: Message | None) -> bool:
    if message is None:
        return False
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


_FIELD = re.compile(r"^([A-Za-z-]+):[ \t]*(.*(?:\n[ \t]+.*)*)", re.MULTILINE)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def bounce_report(parsed: Parsed) -> Bounce:
    """The report of a DSN, or what can be found in a bounce that is not one (a status
    code in its text). Never raises."""
    recipients: list[tuple[str, str, str]] = []
    ids: list[str] = []
    keys: list[str] = []
    message = parsed.message
    if message is not None:
        for part in message.walk():
            content_type = part.get_content_type()
            if content_type == "message/delivery-status":
                recipients.extend(_status_fields(_part_text(part)))
            elif content_type in {"message/rfc822", "text/rfc822-headers"}:
                ids_here, keys_here = _returned(part)
                ids += ids_here
                keys += keys_here
    if not recipients:
        status = _STATUS.search(parsed.text)
        if status:
            recipients.append(("", status[1], ""))
    return Bounce(recipients=recipients, original_ids=ids, delivery_keys=keys)


def _part_text(part: Message) -> str:
    inner = part.get_payload()
    if isinstance(inner, list):
        # The parser reads a delivery-status body as header blocks, one a recipient.
        return "\n\n".join(
            "\n".join(f"{k}: {v}" for k, v in block.items())
            for block in inner
            if isinstance(block, Message)
        )
    data = part.get_payload(decode=True)
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(inner)


def _status_fields(text: str) -> list[tuple[str, str, str]]:
    found = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields = {name.lower(): " ".join(value.split()) for name, value in _FIELD.findall(block)}
        if "status" not in fields:
            continue
        recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
        address = (
            recipient.partition(";")[2].strip().strip("<>").lower()
            if ";" in recipient
            else recipient.strip().lower()
        )
        status = _STATUS.search(fields["status"])
        found.append(
            (address, status[1] if status else fields["status"], fields.get("diagnostic-code", ""))
        )
    return found


def _returned(part: Message) -> tuple[list[str], list[str]]:
    """The Message-ID and delivery key of the message a bounce returns (whole, or its
    headers only)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        headers = (
            inner[0]
            if isinstance(inner, list) and inner and isinstance(inner[0], Message)
            else None
        )
        if headers is None:
            return [], []
        ids = message_ids(str(headers.get("Message-ID", "")))
        key = str(headers.get("X-Portico-Delivery", "")).strip()
        return ids, [key] if key else []
    text = _part_text(part)
    fields = {name.lower(): value.strip() for name, value in _FIELD.findall(text)}
    ids = message_ids(fields.get("message-id", ""))
    key = fields.get("x-portico-delivery", "")
    return ids, [key] if key else []


# --- HTML to text --------------------------------------------------------------------------


class _TextMaker(HTMLParser):
    """Text from HTML, as a reader sees it. Only the text is taken: no script, style or
    head content, no attribute ever; a blockquote's lines are marked "> " so that the
    quote cutting finds them as it does in plain text."""

    _BREAKS = frozenset(
        {
            "br",
            "p",
            "div",
            "li",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "table",
            "blockquote",
            "pre",
        }
    )
    _HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.depth = 0
        self.hidden = 0

    def _break(self) -> None:
        self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag == "blockquote":
            self._break()
            self.depth += 1
        elif tag in self._BREAKS:
            self._break()
        elif tag == "td":
            self.lines[-1] += " "

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote":
            self.depth = max(0, self.depth - 1)
            self._break()
        elif tag in {"p", "div", "li", "tr", "table", "pre"} or (
            tag.startswith("h") and tag[1:].isdigit()
        ):
            self._break()

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        text = " ".join(data.split())
        if not text:
            return
        if not self.lines[-1] and self.depth:
            self.lines[-1] = "> " * self.depth
        elif self.lines[-1] and not self.lines[-1].endswith(" "):
            text = " " + text
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    maker = _TextMaker()
    try:
        maker.feed(html)
        maker.close()
    except Exception:
        return clean_text(re.sub(r"<[^>]*>", " ", html))
    lines = [line.rstrip() for line in maker.lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
