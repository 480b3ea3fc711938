"""The safety rules for user content: a corpus of hostile Markdown that must come out
inert, ordinary Markdown that must still work, file names that try to lie or inject
headers, content types judged from bytes, and the Content-Disposition built from both."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from hypothesis import given, settings
from hypothesis import strategies as st

from portico.service.content import (
    INLINE_CONTENT_TYPES,
    SNIFF_BYTES,
    display_name,
    disposition_for,
    render_markdown,
    sniff_content_type,
)

# --- Markdown: what the output may contain ---------------------------------------------

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "hr", "a"),
        *("ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
SAFE_SCHEMES = frozenset({"", "http", "https", "mailto"})
FORBIDDEN_TAG_OPENINGS = (
    "<script",
    "<svg",
    "<math",
    "<iframe",
    "<img",
    "<style",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<base",
    "<meta",
    "<link",
    "<details",
    "<div",
    "<span",
)
# A quoted attribute value, removed before looking for attribute names so that a title
# reading ' onclick=' does not count as an attribute. nh3 always double-quotes values
# and writes any '"' inside one as &quot;, so this is exact on its output.
QUOTED_VALUE = re.compile(r'"[^"]*"')
EVENT_OR_STYLE_ATTRIBUTE = re.compile(r"\s(on[a-z]*|style)\s*=", re.IGNORECASE)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def elements(html: str) -> list[tuple[str, dict[str, str | None], str]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def href_scheme(href: str) -> str:
    # Browsers drop ASCII tab and newline anywhere in a URL and trim C0 controls and
    # spaces at either end before finding the scheme; judge the href the same way.
    return urlsplit(re.sub(r"[\x00-\x20]", "", href)).scheme.lower()


def assert_inert(html: str) -> None:
    lowered = html.lower()
    for opening in FORBIDDEN_TAG_OPENINGS:
        assert opening not in lowered, opening
    for tag, attrs, raw in elements(html):
        assert tag in ALLOWED_TAGS, tag
        assert not EVENT_OR_STYLE_ATTRIBUTE.search(QUOTED_VALUE.sub('""', raw)), raw
        if tag == "a":
            assert set(attrs) <= {"href", "title", "rel"}, raw
            assert attrs["rel"] == "noopener noreferrer nofollow", raw
            href = attrs.get("href")
            if href is not None:
                assert href_scheme(href) in SAFE_SCHEMES, raw
                assert "javascript:" not in href.lower().replace("\t", "").replace("\n", "")
        else:
            assert not attrs, raw


# --- Markdown: the hostile corpus ------------------------------------------------------

HOSTILE_MARKDOWN = [
    # Raw HTML must be shown as text, whatever it is.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<div onclick="alert(1)">click</div>',
    '<details open ontoggle="alert(1)">x</details>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
    '<p style="position:fixed;inset:0;background:white">pay here</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name="password"></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!-- --><script>alert(1)</script><!-- -->",
    # SVG and MathML, including the namespace-confusion mXSS shape.
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # Inline links with hostile schemes, spelled every which way.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](&#0000106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java%0ascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](java\u200bscript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    # Reference-style links and autolinks.
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x][r]\n\n[r]: JAVASCRIPT:alert(1) "title"',
    "[x][r]\n\n[r]: &#x6a;avascript:alert(1)",
    "[r][]\n\n[r]: <javascript:alert(1)>",
    "[r]\n\n[r]: data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    # Attribute breakout through a link title or URL.
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "[x](https://ok.example 'a\" style=\"color:red')",
    '<https://ok.example/" onmouseover="alert(1)>',
    '[x](https://ok.example/"onmouseover="alert(1))',
    # Images: never an <img>, not even a harmless-looking one (tracking pixels).
    "![pixel](https://tracker.example/p.gif)",
    "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![x](javascript:alert(1))",
    '![x](https://ok.example/a.png "t" onerror="alert(1)")',
    # HTML inside Markdown structures.
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "> <img src=x onerror=alert(1)>\n> <script>alert(1)</script>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <svg onload=alert(1)> |",
    "- <iframe src=//evil.example>\n- [x](javascript:alert(1))",
    "# <img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\n<b>x</b>\n```',
    # Template syntax must be plain text.
    "{{ request.user.password }}",
    "{% debug %}",
    "{% load static %}{{ settings.SECRET_KEY }}",
    "{{ 7*7 }} ${7*7} <%= 7*7 %> #{7*7}",
    "[{{ x }}](https://ok.example/{% url 'admin:index' %})",
    # Unicode tricks.
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\u202e[gnp.exe](javascript:alert(1))",
    "<scr\u200bipt>alert(1)</script>",
    "[x](\u202ejavascript:alert(1))",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
]


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
def test_hostile_markdown_comes_out_inert(source: str) -> None:
    html = render_markdown(source)

    assert isinstance(html, SafeString)
    assert_inert(html)


def test_the_hostile_corpus_is_large() -> None:
    assert len(HOSTILE_MARKDOWN) >= 40


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:image/png;base64,iVBORw0KGgo=)",
        "[x](file:///etc/passwd)",
        "[x](\x00javascript:alert(1))",
        "[x](\u202ejavascript:alert(1))",
        "[x](java\u200bscript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](tel:+441234567890)",
    ],
)
def test_a_link_with_a_forbidden_scheme_has_no_href(source: str) -> None:
    for tag, attrs, _raw in elements(render_markdown(source)):
        if tag == "a":
            assert "href" not in attrs


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_raw_html_is_shown_as_text(source: str, shown: str) -> None:
    assert shown in render_markdown(source)


@pytest.mark.parametrize(
    "source",
    ["{{ request.user.password }}", "{% debug %}", "{{ x }} and {% x %}"],
)
def test_template_syntax_stays_text(source: str) -> None:
    html = render_markdown(source)

    assert source in html
    # Shown through a template, the value is inserted as it is, never compiled.
    shown = Template("{{ body }}").render(Context({"body": html, "x": "EVALUATED"}))
    assert shown == html
    assert "EVALUATED" not in shown


def test_an_image_becomes_a_link_the_reader_must_follow() -> None:
    html = render_markdown("![logo](https://cdn.example/logo.png)")

    assert "<img" not in html
    assert (
        '<a href="https://cdn.example/logo.png" rel="noopener noreferrer nofollow">logo</a>'
    ) in html


@given(st.lists(st.sampled_from([*HOSTILE_MARKDOWN, "\n", "\n\n", " ", "**", "[", "](", ")"])))
@settings(max_examples=150, deadline=None)
def test_hostile_fragments_in_any_combination_come_out_inert(parts: list[str]) -> None:
    assert_inert(render_markdown("".join(parts)))


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_any_text_comes_out_inert(source: str) -> None:
    assert_inert(render_markdown(source))


# --- Markdown: ordinary use ------------------------------------------------------------


@pytest.mark.parametrize("source", ["", "   ", "\n\t\n"])
def test_empty_input_renders_empty(source: str) -> None:
    html = render_markdown(source)

    assert html == ""
    assert isinstance(html, SafeString)


def test_bold_and_italic() -> None:
    assert render_markdown("Some **bold** and *italic* text.") == (
        "<p>Some <strong>bold</strong> and <em>italic</em> text.</p>\n"
    )


def test_lists() -> None:
    html = render_markdown("- one\n- two\n\n1. first\n2. second\n")

    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_a_code_block_keeps_its_text_escaped() -> None:
    html = render_markdown('```python\nif a < b and c > "d":\n    pass\n```\n')

    assert html == ('<pre><code>if a &lt; b and c &gt; "d":\n    pass\n</code></pre>\n')


def test_inline_code() -> None:
    assert render_markdown("Run `make test`.") == "<p>Run <code>make test</code>.</p>\n"


def test_a_table() -> None:
    html = render_markdown("| Ticket | State |\n|:-------|------:|\n| T-1 | open |\n")

    assert "<table>" in html
    assert "<thead>\n<tr>\n<th>Ticket</th>\n<th>State</th>\n</tr>\n</thead>" in html
    assert "<tbody>\n<tr>\n<td>T-1</td>\n<td>open</td>\n</tr>\n</tbody>" in html
    # Column alignment would need style=, which is never allowed.
    assert "style" not in html


def test_strikethrough() -> None:
    assert render_markdown("~~old~~ new") == "<p><s>old</s> new</p>\n"


def test_an_https_link() -> None:
    html = render_markdown('See [the docs](https://example.com/help?a=1&b=2 "Help").')

    assert html == (
        '<p>See <a href="https://example.com/help?a=1&amp;b=2" title="Help" '
        'rel="noopener noreferrer nofollow">the docs</a>.</p>\n'
    )


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[mail](mailto:help@example.com)", "mailto:help@example.com"),
        ("[plain](http://example.com/)", "http://example.com/"),
        ("<https://example.com/a>", "https://example.com/a"),
        ("[ticket](/console/tickets/5/)", "/console/tickets/5/"),
        ("[kb](/kb/error:42)", "/kb/error:42"),
        ("[section](#step:2)", "#step:2"),
        ("[search](?q=a:b)", "?q=a:b"),
        ("[upper](HTTPS://example.com/)", "HTTPS://example.com/"),
        ("[ref][1]\n\n[1]: https://example.com/ref", "https://example.com/ref"),
    ],
)
def test_allowed_links_keep_their_href(source: str, href: str) -> None:
    anchors = [attrs for tag, attrs, _raw in elements(render_markdown(source)) if tag == "a"]

    assert anchors == [{"href": href, "rel": "noopener noreferrer nofollow"}]


def test_headings_quotes_and_rules() -> None:
    html = render_markdown("# Title\n\n> quoted\n\n---\n\nline  \nbreak")

    assert "<h1>Title</h1>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html
    assert "line<br>\nbreak" in html


def test_the_result_is_not_escaped_again() -> None:
    html = render_markdown("**x**")

    assert conditional_escape(html) == html


# --- display_name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("C:\\x\\y.txt", "y.txt"),
        ("/home/user/Documents/Quote 2024.xlsx", "Quote 2024.xlsx"),
        ("a\x00b.txt", "ab.txt"),
        ("report.pdf\x00.exe", "report.pdf.exe"),
        ("a\r\nb.txt", "a b.txt"),
        ("x.txt\r\nSet-Cookie: session=evil", "x.txt Set-Cookie: session=evil"),
        ("line\u2028break\u2029para\x85next.txt", "line break para next.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066photo\u2069\u2067gpj.exe\u2069", "photogpj.exe"),
        ("in\u200bvoice\u200d.pdf\ufeff", "invoice.pdf"),
        ("bell\x07 and del\x7f.txt", "bell and del.txt"),
        ("  My   report \t 2024.pdf  ", "My report 2024.pdf"),
        (".bashrc", "bashrc"),
        (". . .hidden", "hidden"),
        ("Überweisung 日本語.pdf", "Überweisung 日本語.pdf"),
        ("...", "file"),
        ("..", "file"),
        ("", "file"),
        ("   ", "file"),
        ("\x00\r\n", "file"),
        ("\u202e", "file"),
        ("folder/", "file"),
        ("\ud800.txt", "txt"),
    ],
)
def test_display_name(name: str, shown: str) -> None:
    assert display_name(name) == shown


def test_a_long_name_keeps_its_extension() -> None:
    shown = display_name("a" * 300 + ".pdf")

    assert len(shown) == 150
    assert shown == "a" * 146 + ".pdf"


def test_a_long_name_without_an_extension_is_cut() -> None:
    assert display_name("b" * 300) == "b" * 150


def test_a_long_extension_is_not_kept_at_the_cost_of_the_name() -> None:
    shown = display_name("name." + "x" * 295)

    assert len(shown) == 150
    assert shown.startswith("name.")


def test_a_cut_does_not_leave_a_dangling_space_before_the_extension() -> None:
    shown = display_name("a" * 145 + "     bcdefgh.pdf")

    assert shown == "a" * 145 + ".pdf"


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_display_names_are_always_plain(name: str) -> None:
    shown = display_name(name)

    assert 0 < len(shown) <= 150
    assert "/" not in shown
    assert "\\" not in shown
    assert not shown.startswith((".", " "))
    assert shown == shown.strip()
    assert "  " not in shown
    for ch in shown:
        assert unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Zl", "Zp"}, ascii(ch)
    assert display_name(shown) == shown


# --- sniff_content_type ----------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def minimal_png() -> bytes:
    """A complete 1x1 greyscale PNG."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + _png_chunk(b"IEND", b"")
    )


def minimal_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    return buffer.getvalue()


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
GIF_HEAD = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
WEBP_HEAD = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
SVG_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>\n"
)
HTML_DOCUMENT = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (minimal_png(), "image/png"),
        (JPEG_HEAD, "image/jpeg"),
        (GIF_HEAD, "image/gif"),
        (WEBP_HEAD, "image/webp"),
        (PDF_HEAD, "application/pdf"),
        (minimal_zip(), "application/zip"),
        ("Grüße aus Glasgow, 日本語も\n".encode(), "text/plain"),
        (b"plain ascii\r\nwith lines\r\n", "text/plain"),
        (b"", "text/plain"),
        (b"hello\x00world", "application/octet-stream"),
        (bytes(range(256)) * 4, "application/octet-stream"),
        (b"caf\xe9 au lait", "application/octet-stream"),
        (b"\xff\xfeh\x00i\x00", "application/octet-stream"),
    ],
)
def test_sniff_content_type(head: bytes, content_type: str) -> None:
    assert sniff_content_type(head) == content_type


def test_text_cut_in_the_middle_of_a_character_is_still_text() -> None:
    text = ("x" * (SNIFF_BYTES - 2) + "日本").encode()
    head = text[:SNIFF_BYTES]

    with pytest.raises(UnicodeDecodeError):
        head.decode()
    assert sniff_content_type(head) == "text/plain"


def test_a_broken_character_before_the_end_is_not_text() -> None:
    assert sniff_content_type("日本".encode()[:2] + b" and more") == "application/octet-stream"


@pytest.mark.parametrize("document", [SVG_DOCUMENT, HTML_DOCUMENT])
def test_svg_and_html_are_never_judged_inline_images(document: bytes) -> None:
    content_type = sniff_content_type(document)

    assert content_type != "image/svg+xml"
    assert content_type not in INLINE_CONTENT_TYPES
    assert disposition_for(content_type, "picture.svg").startswith("attachment;")


def test_a_misleading_name_or_declared_type_plays_no_part() -> None:
    # The signature takes only the bytes: an HTML file called "photo.png" is text.
    assert sniff_content_type(HTML_DOCUMENT) == "text/plain"


def test_sniff_bytes() -> None:
    assert SNIFF_BYTES == 8192


# --- disposition_for -------------------------------------------------------------------


def filenames(value: str) -> tuple[str, str]:
    """The quoted fallback and the decoded filename* of a Content-Disposition value."""
    match = re.fullmatch(
        r"(?:inline|attachment); filename=\"([^\"\\]*)\"; "
        r"filename\*=UTF-8''([A-Za-z0-9%._~-]*)",
        value,
    )
    assert match, value
    return match[1], unquote(match[2], encoding="utf-8", errors="strict")


@pytest.mark.parametrize("content_type", sorted(INLINE_CONTENT_TYPES))
def test_raster_images_are_inline(content_type: str) -> None:
    assert disposition_for(content_type, "cat.png") == (
        "inline; filename=\"cat.png\"; filename*=UTF-8''cat.png"
    )


def test_inline_content_types() -> None:
    assert frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"}) == (
        INLINE_CONTENT_TYPES
    )


def test_the_content_type_is_read_without_case_or_parameters() -> None:
    assert disposition_for("Image/PNG; charset=binary", "a.png").startswith("inline;")


@pytest.mark.parametrize(
    "content_type",
    [
        "image/svg+xml",
        "text/html",
        "application/xhtml+xml",
        "text/xml",
        "application/pdf",
        "text/plain",
        "application/octet-stream",
        "image/apng",
        "image/bmp",
        "image/x-icon",
        "",
        "image/png2",
        "image/pngx",
    ],
)
def test_everything_else_is_an_attachment(content_type: str) -> None:
    assert disposition_for(content_type, "x.svg") == (
        "attachment; filename=\"x.svg\"; filename*=UTF-8''x.svg"
    )


@pytest.mark.parametrize(
    "name",
    [
        "a.txt\r\nSet-Cookie: session=evil",
        "a.txt\nContent-Type: text/html\n\n<script>alert(1)</script>",
        "a.txt\rLocation: https://evil.example/",
        "a.txt\u2028X-Injected: 1",
        "a.txt\x85X-Injected: 1",
        "\"; filename*=UTF-8''evil.html; x=\"",
    ],
)
def test_a_name_cannot_split_or_extend_the_header(name: str) -> None:
    value = disposition_for("image/png", name)

    assert "\r" not in value
    assert "\n" not in value
    assert value.isascii()
    # Whatever the name holds stays inside the one quoted fallback and the one
    # percent-encoded filename*: the value as a whole still has the expected shape.
    fallback, full = filenames(value)
    assert '"' not in fallback
    assert full == display_name(name)
    response = HttpResponse()
    response["Content-Disposition"] = value
    assert response["Content-Disposition"] == value


def test_a_non_ascii_name_gets_filename_star() -> None:
    value = disposition_for("application/pdf", "Überweisung 日本.pdf")

    assert value == (
        'attachment; filename="_berweisung __.pdf"; '
        "filename*=UTF-8''%C3%9Cberweisung%20%E6%97%A5%E6%9C%AC.pdf"
    )
    assert filenames(value) == ("_berweisung __.pdf", "Überweisung 日本.pdf")


def test_quotes_and_backslashes_leave_the_fallback() -> None:
    value = disposition_for("text/plain", 'say "hi".txt')

    assert filenames(value) == ("say hi.txt", 'say "hi".txt')
    assert "%22" in value


def test_a_fallback_with_nothing_left_says_file() -> None:
    assert filenames(disposition_for("text/plain", '"""')) == ("file", '"""')


def test_the_disposition_name_is_the_display_name() -> None:
    value = disposition_for("application/octet-stream", "../../invoice\u202efdp.exe")

    assert filenames(value) == ("invoicefdp.exe", "invoicefdp.exe")


@given(st.text(), st.sampled_from(["image/png", "image/svg+xml", "text/html", "x"]))
@settings(max_examples=300, deadline=None)
def test_any_name_gives_one_well_formed_header(name: str, content_type: str) -> None:
    value = disposition_for(content_type, name)

    assert value.isascii()
    assert not any(ch in value for ch in "\r\n\x00")
    fallback, full = filenames(value)
    assert full == display_name(name)
    assert fallback
    response = HttpResponse()
    response["Content-Disposition"] = value
