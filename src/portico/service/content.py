"""The safety rules for what people write and upload: Markdown turned into HTML that is
safe to show to somebody else, file names that cannot lie about what a file is, content
types judged from the bytes rather than from the sender's claim, and Content-Disposition
headers that decide which uploads a browser may show inline.

Everything here is a pure function of its arguments, so the rules can be tested on their
own and applied the same way wherever content is shown or served.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from typing import Final
from urllib.parse import quote

import filetype  # type: ignore[import-untyped]
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

__all__ = [
    "DISPLAY_NAME_MAX",
    "INLINE_CONTENT_TYPES",
    "SNIFF_BYTES",
    "display_name",
    "disposition_for",
    "render_markdown",
    "sniff_content_type",
]

# --- Markdown -------------------------------------------------------------------------

# Raw HTML in the source is shown as text (html=False): a customer's message is read by
# staff in the console, so any markup that reached the page would be stored XSS against
# the people with the most rights. Images are switched off at the parser, so
# `![alt](url)` shows as "!" and a link the reader must choose to follow, rather than an
# <img> that would load a remote URL when the message is opened (tracking pixels, IP and
# read-time leaks). The sanitiser below drops <img> as well in case that ever changes.
_MARKDOWN: Final = (
    MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")
)

# markdown-it has its own link check, but it is a deny-list and the parser's output is
# not the last word: nh3 (ammonia + html5ever) re-parses the HTML the way a browser does,
# decodes entities, and keeps only what is on these allow-lists. That catches the
# `JaVaScRiPt:`, `&#106;avascript:`, `java\tscript:` and `data:` tricks whatever the
# Markdown layer did with them, because the scheme is judged after WHATWG URL parsing.
_ALLOWED_TAGS: Final = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        # markdown-it writes ~~strike~~ as <s>; <del> is kept for the same meaning.
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
# No class, id or style anywhere: style= allows UI redressing (an invisible overlay
# link, text that hides the real message), and ids/classes could hook into the page's
# own CSS and scripts. Table column alignment is lost with style; that is accepted.
_ALLOWED_ATTRIBUTES: Final = {"a": frozenset({"href", "title"})}
_URL_SCHEMES: Final = frozenset({"http", "https", "mailto"})
# nofollow: links in user content should not lend the portal's standing to spam;
# noopener/noreferrer: the target page gets no handle on this window and no Referer
# that could carry ticket URLs out of the portal.
_LINK_REL: Final = "noopener noreferrer nofollow"

_FIRST_SEGMENT_END: Final = re.compile(r"[/?#]")


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    # nh3 only judges the scheme of a URL that parses as absolute; anything else counts
    # as relative and is kept, such as "%E2%80%AEjavascript:alert(1)" (an RLO in front)
    # or "\ufffdjavascript:". Browsers resolve those as harmless paths as well, but a
    # relative reference whose first segment has a colon is never what a person meant
    # (RFC 3986 section 4.2) and reads like a hidden javascript: link, so it is dropped:
    # every href left either names an allowed scheme or has no colon before its path.
    if attribute == "href":
        first_segment = _FIRST_SEGMENT_END.split(value, maxsplit=1)[0]
        scheme, colon, _rest = first_segment.partition(":")
        if colon and scheme.strip().lower() not in _URL_SCHEMES:
            return None
    return value


_CLEANER: Final = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_attribute,
    url_schemes=_URL_SCHEMES,
    link_rel=_LINK_REL,
    strip_comments=True,
)


def render_markdown(text: str) -> SafeString:
    """Render user-written Markdown to HTML that may be put in a page unescaped.

    The result is only marked safe after the allow-list sanitiser has run, so nothing
    from the Markdown layer reaches a template without passing it. Template syntax such
    as ``{{ x }}`` comes out as plain text: the result is inserted as a value, never
    compiled as a template.
    """
    if not text.strip():
        return SafeString()
    if len(text) <= _REMEMBERED_LENGTH:
        return _remembered(text)
    return _rendered(text)


def _rendered(text: str) -> SafeString:
    html = _MARKDOWN.render(text)
    return mark_safe(_CLEANER.clean(html))  # noqa: S308 - sanitised by nh3 just above


# The same notes are drawn on every view of their transaction, and rendering and
# cleaning one took longer than reading it (about 0.3 ms a short note). The result
# depends on the text alone; only short texts are kept, so the memory stays bounded
# (2,048 × 4 kB of text and its HTML, well under 50 MB).
_REMEMBERED_LENGTH: Final = 4096
_remembered = functools.lru_cache(maxsize=2048)(_rendered)


# --- File names -----------------------------------------------------------------------

DISPLAY_NAME_MAX: Final = 150
# An extension longer than this is more likely part of the name than a file type, and
# keeping it whole would leave too little of the rest.
_EXTENSION_MAX: Final = 16
_PATH_SEPARATORS: Final = re.compile(r"[/\\]")
_WHITESPACE: Final = re.compile(r"\s")
# Cc: C0/C1 controls, including NUL, CR and LF (header injection, truncation in C
# libraries). Cf: format characters, including the bidi overrides and isolates
# U+202A-202E, U+2066-2069 and zero-width characters, which make "invoice<RLO>fdp.exe"
# display as "invoiceexe.pdf" and so disguise an executable as a document. Cs: lone
# surrogates, which a str may carry (surrogateescape) but UTF-8 cannot encode.
_DROPPED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs"})


def display_name(name: str) -> str:
    """The name of an uploaded file as a person may see it, in a page or a header.

    Never used to store the file; stored names are generated elsewhere.
    """
    # The client chooses the name; old browsers send a full local path and an attacker
    # sends "../../etc/passwd". Only the last component is ever a file name.
    last = _PATH_SEPARATORS.split(name)[-1]
    # Tabs and line breaks (CR, LF, U+0085, U+2028, ...) become spaces first, so that
    # "a\r\nb" reads "a b"; every other control or format character is then dropped, and
    # no line break of any kind is left to split a header.
    spaced = _WHITESPACE.sub(" ", last)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    collapsed = " ".join(kept.split())
    # A leading dot would make a hidden file when saved, and "." or ".." mean a directory.
    cleaned = collapsed.lstrip(". ")
    return _truncate(cleaned) or "file"


def _truncate(name: str) -> str:
    if len(name) <= DISPLAY_NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= _EXTENSION_MAX and " " not in extension:
        suffix = "." + extension
        return name[: DISPLAY_NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return name[:DISPLAY_NAME_MAX].rstrip(" ")


# --- Content types --------------------------------------------------------------------

#: How many leading bytes of an upload callers should pass to `sniff_content_type`.
SNIFF_BYTES: Final = 8192

# Only raster formats a browser decodes as pictures and never as documents. SVG is
# absent on purpose: it is XML that may hold <script> and event handlers, and served
# inline from the portal's origin it runs with the viewer's session (stored XSS through
# an "image"). HTML, PDF and everything else are downloaded, never rendered in place.
# Callers must also send `X-Content-Type-Options: nosniff`, so a polyglot (a PNG header
# in front of HTML) is still only ever treated as an image.
INLINE_CONTENT_TYPES: Final[frozenset[str]] = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp"}
)


def sniff_content_type(head: bytes) -> str:
    """The content type of an upload, judged from its first bytes only.

    The type the client declared and the file's name are not trusted: either may claim
    "image/png" for an HTML or SVG document. Pass the first `SNIFF_BYTES` bytes.
    """
    guessed: str | None = filetype.guess_mime(head)
    if guessed:
        return guessed
    if b"\x00" not in head and _is_utf8_prefix(head):
        return "text/plain"
    return "application/octet-stream"


def _is_utf8_prefix(head: bytes) -> bool:
    # `head` is a prefix of the file, so it may end part-way through a multi-byte
    # character. An incremental decoder that is not told the input is final keeps such
    # a tail back instead of failing; anything invalid before it still fails.
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


# --- Content-Disposition --------------------------------------------------------------

_ASCII_FALLBACK_DROPPED: Final = str.maketrans("", "", '"\\')


def disposition_for(content_type: str, name: str) -> str:
    """The whole Content-Disposition header value for serving a stored upload.

    `content_type` should come from `sniff_content_type`, not from the client.
    """
    essence = content_type.split(";", 1)[0].strip().lower()
    kind = "inline" if essence in INLINE_CONTENT_TYPES else "attachment"
    # display_name has removed every control character and line break, so nothing the
    # uploader chose can end this header and start another (header injection).
    shown = display_name(name)
    # The quoted fallback for clients without RFC 6266 support: ASCII only, and without
    # the quote and backslash that could end or escape the quoted-string early.
    fallback = "".join(ch if ch.isascii() else "_" for ch in shown)
    fallback = fallback.translate(_ASCII_FALLBACK_DROPPED).strip() or "file"
    # RFC 5987 ext-value: with safe="", quote() leaves only letters, digits and "_.-~",
    # all of which are attr-char, so the value needs no quoting of its own.
    encoded = quote(shown, safe="", encoding="utf-8", errors="strict")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
