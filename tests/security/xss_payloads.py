"""The stored-XSS corpus: strings a hostile customer, partner or colleague might type
into any field Portico keeps and shows to somebody else.

Written for Portico, by category. Every payload is numbered, and each one that could run
script calls ``__xss(n)`` / ``alert(n)`` with its own number or asks for
``/__xss__/n…`` from the server, so a finding names the payload that caused it.
``test_stored_xss`` defines ``__xss`` in every page and frame before any of the page's
own script runs, listens for dialogs, for requests to ``/__xss__/`` and for CSP
violations, and inspects the DOM for markup that escaped the escaping.

Template-syntax payloads would print ``TPLEVAL`` (a word that appears in none of them
as written) if anything ever compiled user text as a Django template.
"""

from __future__ import annotations

from typing import Final, NamedTuple

#: Replaced by the payload's number in each template below.
N: Final = "§"
#: What a template-syntax payload would print if it were evaluated.
TEMPLATE_SENTINEL: Final = "TPLEVAL"


class Payload(NamedTuple):
    number: int
    category: str
    text: str

    def __str__(self) -> str:
        return f"#{self.number} [{self.category}] {self.text!r}"


_CORPUS: Final[dict[str, tuple[str, ...]]] = {
    "script tag": (
        "<script>__xss(§)</script>",
        "<SCRIPT>alert(§)</SCRIPT>",
        '<script src="/__xss__/§.js"></script>',
        "<script type=module>__xss(§)</script>",
        "<script>eval('__xss(§)')</script>",
        "<scr<script>ipt>__xss(§)</scr</script>ipt>",
        '"><script>__xss(§)</script>',
        "'><script>__xss(§)</script>",
        "</textarea><script>__xss(§)</script>",
        "</title><script>__xss(§)</script>",
        "</style><script>__xss(§)</script>",
        "</script><script>__xss(§)</script>",
        '<script nonce="guess">__xss(§)</script>',
        "<script>document.write('<img src=/__xss__/§>')</script>",
        "<script\t>__xss(§)</script\t>",
        "<script/src=data:,__xss(§)></script>",
        "<script>setTimeout('__xss(§)')</script>",
        "<script>fetch('/__xss__/§')</script>",
        '<noscript><p title="</noscript><script>__xss(§)</script>">',
    ),
    "event handler": (
        "<img src=x onerror=__xss(§)>",
        '<img src="x" onerror="alert(§)">',
        "<img/src/onerror=__xss(§)>",
        "<IMG SRC=x OnErRoR=__xss(§)>",
        "<img src=x onerror=`__xss(§)`>",
        '<img src=x onerror="&#95;&#95;xss(&#40;§&#41;)">',
        "<svg onload=__xss(§)>",
        "<body onload=__xss(§)>",
        "<input autofocus onfocus=__xss(§)>",
        "<details open ontoggle=__xss(§)>x</details>",
        "<video><source onerror=__xss(§)></video>",
        "<audio src=x onerror=__xss(§)>",
        "<marquee onstart=__xss(§)>m</marquee>",
        "<iframe onload=__xss(§)></iframe>",
        '<a href="#" onclick="__xss(§)">click me</a>',
        "<div onpointerenter=__xss(§)>hover</div>",
        "<select autofocus onfocus=__xss(§)></select>",
        "<textarea autofocus onfocus=__xss(§)></textarea>",
        "<x contenteditable autofocus onfocus=__xss(§)>x</x>",
        "<object data=x onerror=__xss(§)></object>",
        "<style onload=__xss(§)></style>",
        "<form><button formaction=javascript:__xss(§)>go</button></form>",
        "<image src=x onerror=__xss(§)>",
        "<body onpageshow=__xss(§)>",
        "<dialog open onclose=__xss(§)>d</dialog>",
        "<input type=image src=x onerror=__xss(§)>",
        "<img src onerror=__xss(§)//",
        "<div onmouseover=\n__xss(§)>x</div>",
    ),
    "markdown link": (
        "[click](javascript:__xss(§))",
        "[click](JaVaScRiPt:__xss(§))",
        "[click](javascript&#58;__xss(§))",
        "[click](&#106;avascript:__xss(§))",
        "[click](&#x6A;&#x61;vascript:__xss(§))",
        "[click]( javascript:__xss(§))",
        "[click](<javascript:__xss(§)>)",
        "[click](javascript://%0a__xss(§))",
        "[click](javascript:alert&#40;§&#41;)",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#§)",
        "[click](data:text/html,<script>__xss(§)</script>)",
        "[click](vbscript:msgbox(§))",
        "<javascript:__xss(§)>",
        "[click][r§]\n\n[r§]: javascript:__xss(§)",
        '[click][r§]\n\n[r§]: javascript:__xss(§) "title"',
        "![pic](javascript:__xss(§))",
        "![pic](/__xss__/§.png)",
        "![pic](https://evil.example/__xss__/§.png)",
        "[click](\u202ejavascript:__xss(§))",
        "[click](%E2%80%AEjavascript:__xss(§))",
        '[click](https://example.com "a\\" onmouseover=\\"__xss(§)")',
        '[click](#" onclick="__xss(§))',
        "[<img src=x onerror=__xss(§)>](https://example.com)",
        "[[inner](javascript:__xss(§))](https://example.com)",
        "[click](jav&#x09;ascript:__xss(§))",
        "[click](\\javascript:__xss(§))",
        "[click](javascript:__xss(§) 'title')",
        "[click](java\nscript:__xss(§))",
        "[click](file:///etc/passwd#§)",
    ),
    "html url": (
        '<a href="javascript:__xss(§)">link</a>',
        '<a href="&#x6A;avascript:__xss(§)">link</a>',
        '<a href="data:text/html,<script>__xss(§)</script>">link</a>',
        '<form action="javascript:__xss(§)"><input type=submit></form>',
        '<iframe src="javascript:__xss(§)"></iframe>',
        '<embed src="javascript:__xss(§)">',
        '<object data="javascript:__xss(§)"></object>',
        '<base href="javascript:/__xss__/§/">',
        '<meta http-equiv="refresh" content="0;url=javascript:__xss(§)">',
        '<meta http-equiv="refresh" content="0;url=/__xss__/§">',
        "<link rel=stylesheet href=/__xss__/§.css>",
        "<link rel=prefetch href=/__xss__/§>",
        '<img srcset="/__xss__/§ 1x">',
        "<picture><source srcset=/__xss__/§><img></picture>",
        '<a ping="/__xss__/§" href="#">ping</a>',
        "<img src=/__xss__/§ loading=eager>",
        '<isindex action="javascript:__xss(§)" type=image>',
    ),
    "svg": (
        "<svg><script>__xss(§)</script></svg>",
        '<svg><a xlink:href="javascript:__xss(§)"><text x=0 y=20>svg link</text></a></svg>',
        "<svg><foreignObject><img src=x onerror=__xss(§)></foreignObject></svg>",
        "<svg><set attributeName=onload to=__xss(§) /></svg>",
        "<svg><animate attributeName=href values=javascript:__xss(§) /></svg>",
        "<svg><animate onbegin=__xss(§) attributeName=x dur=1s /></svg>",
        "<svg><image href=/__xss__/§.png /></svg>",
        "<svg><style>@import '/__xss__/§.css';</style></svg>",
        "<svg><desc><![CDATA[</desc><script>__xss(§)</script>]]></svg>",
        "<svg/onload=__xss(§)//",
        '<svg><script href="/__xss__/§.js"/></svg>',
        '<svg><use href="data:image/svg+xml,<svg id=x onload=__xss(§)/>#x"/></svg>',
        '<math><maction actiontype=statusline xlink:href="javascript:__xss(§)">m</maction></math>',
        '<math href="javascript:__xss(§)">m</math>',
    ),
    "frame": (
        '<iframe srcdoc="<script>__xss(§)</script>"></iframe>',
        '<iframe srcdoc="&lt;img src=x onerror=__xss(§)&gt;"></iframe>',
        '<iframe src="data:text/html,<script>__xss(§)</script>"></iframe>',
        '<iframe src="/__xss__/§"></iframe>',
        '<object data="data:text/html;base64,PHNjcmlwdD5fX3hzcygxKTwvc2NyaXB0Pg==#§"></object>',
        '<embed src="/__xss__/§.swf">',
        "<frameset onload=__xss(§)></frameset>",
        "<portal src=/__xss__/§></portal>",
        "<object data=/__xss__/§></object>",
    ),
    "css": (
        "<style>body{background:url(/__xss__/§)}</style>",
        '<div style="background:url(/__xss__/§)">styled</div>',
        '<p style="width:expression(__xss(§))">ie</p>',
        "<style>@import url(/__xss__/§.css);</style>",
        '<link rel=stylesheet href="data:text/css,body{background:url(/__xss__/§)}">',
        '<div style="behavior:url(/__xss__/§.htc)">htc</div>',
        "<style>*{-moz-binding:url(/__xss__/§#x)}</style>",
        '<p style="position:fixed;inset:0;background:white">overlay §</p>',
        "<style>@font-face{font-family:x;src:url(/__xss__/§)}</style>",
        "<style>input[value^=a]{background:url(/__xss__/§)}</style>",
        "</style><style>*{background:url(/__xss__/§)}</style>",
        '<span style="background-image:url(&quot;/__xss__/§&quot;)">s</span>',
    ),
    "template syntax": (
        '{{ "TPL"|add:"EVAL§" }}',
        "{% filter upper %}tpleval§{% endfilter %}",
        '{% firstof "TPL"|add:"EVAL" §' + " %}",
        "{% debug %}§",
        "{{ request.user.password }}§",
        "{{ settings.SECRET_KEY }}§",
        '{% include "base.html" %}§',
        "{% load static %}{% static 'x' %}§",
        "{% csrf_token %}§",
        "{% autoescape off %}<script>__xss(§)</script>{% endautoescape %}",
        "{% verbatim %}<img src=x onerror=__xss(§)>{% endverbatim %}",
        "{{7*7}}§ ${7*7} #{7*7} <%= 7*7 %>",
        "${__xss(§)}",
        "{{constructor.constructor('__xss(§)')()}}",
        "<div ng-app>{{constructor.constructor('__xss(§)')()}}</div>",
        "[[__xss(§)]]",
        "{{ '<script>__xss(§)</script>'|safe }}",
        "{% templatetag openvariable %} csrf_token {% templatetag closevariable %}§",
    ),
    "unicode": (
        "\u202e<script>__xss(§)</script>",
        "\u202egpj.exe §",
        "<scr\u200bipt>__xss(§)</scr\u200bipt>",
        "<img src=x on\u200berror=__xss(§)>",
        "\uff1cscript\uff1e__xss(§)\uff1c/script\uff1e",
        "\uff1cimg src=x onerror=__xss(§)\uff1e",
        "\u02ba><script>__xss(§)</script>",
        "</script>\u2028<script>__xss(§)</script>",
        "\u2029__xss(§)",
        "<scr\x00ipt>__xss(§)</script>",
        "\ufeff<script>__xss(§)</script>",
        "<\u0338script>__xss(§)</script>",
        "<\u0455cript>__xss(§)</\u0455cript>",
        "<\u0130MG src=x onerror=__xss(§)>",
        "[click](\U0001d4bfavascript:__xss(§))",
        "[click](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:__xss(§))",
        "\u2066<img src=x onerror=__xss(§)>\u2069",
        "a\u0300\u0301\u0302\u0303\u0304<script>__xss(§)</script>",
        "<img src=x onerror=__xss\u2044§>",
        "\u180e<svg onload=__xss(§)>",
        "\U000e0041<script>__xss(§)</script>",
    ),
    "entity encoded": (
        "&lt;script&gt;__xss(§)&lt;/script&gt;",
        "&#60;script&#62;__xss(§)&#60;/script&#62;",
        "&#x3C;img src=x onerror=__xss(§)&#x3E;",
        "%3Cscript%3E__xss(§)%3C/script%3E",
        "\\u003cscript\\u003e__xss(§)\\u003c/script\\u003e",
        "\\x3cscript\\x3e__xss(§)\\x3c/script\\x3e",
        "&#0000060;script&#0000062;__xss(§)&#0000060;/script&#0000062;",
        "&LT;script&GT;__xss(§)&LT;/script&GT;",
        "+ADw-script+AD4-__xss(§)+ADw-/script+AD4-",
        "&amp;lt;script&amp;gt;__xss(§)&amp;lt;/script&amp;gt;",
        "`&lt;img src=x onerror=__xss(§)&gt;`",
        "&lt;img src=x onerror=__xss(§)",
        "PHNjcmlwdD5fX3hzcyjCpyk8L3NjcmlwdD4= §",
    ),
    "broken tag": (
        '<img src="x\n" onerror="__xss(§)">',
        "<<script>script>__xss(§)<</script>/script>",
        "<img src=x onerror=__xss(§)",
        '<a href="javascript:__xss(§)"',
        "<!--><img src=x onerror=__xss(§)>-->",
        "<![CDATA[<script>__xss(§)</script>]]>",
        '<?xml version="1.0"?><script>__xss(§)</script>',
        '<!DOCTYPE x [<!ENTITY e "<script>__xss(§)</script>">]>&e;',
        "<div <img src=x onerror=__xss(§)>>",
        '<img """><script>__xss(§)</script>">',
        "<title><img src=x onerror=__xss(§)></title>",
        '<textarea><img title="</textarea><img src=x onerror=__xss(§)>">',
        "<table><td><math><mtext><table><mglyph><style><img src=x onerror=__xss(§)>",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=__xss(§)>",
        "<select><template><style><img src=x onerror=__xss(§)>",
        '<noembed><img title="</noembed><img src onerror=__xss(§)>">',
        '<xmp><img title="</xmp><img src=x onerror=__xss(§)>">',
        "<plaintext><script>__xss(§)</script>",
        "<listing>&lt;img src=x onerror=__xss(§)&gt;</listing>",
        "<!-- --!><img src=x onerror=__xss(§)> -->",
        "</p></li></ol></section></main><script>__xss(§)</script>",
        "<img src=x\x0conerror=__xss(§)>",
    ),
    "htmx": (
        '<div hx-get="/__xss__/§" hx-trigger="load">htmx</div>',
        '<div hx-on:htmx:load="__xss(§)">htmx</div>',
        '<div hx-on::load="__xss(§)">htmx</div>',
        '<button hx-post="/__xss__/§" hx-trigger="load">htmx</button>',
        '<a hx-get="/__xss__/§" hx-trigger="revealed">htmx</a>',
        '<div data-hx-get="/__xss__/§" data-hx-trigger="load">htmx</div>',
        "<div hx-vals='js:{a:__xss(§)}' hx-get=/__xss__/§ hx-trigger=load>htmx</div>",
        '<div hx-trigger="load[__xss(§)]" hx-get="/__xss__/§">htmx</div>',
        '<img src=x hx-on:error="__xss(§)">',
        '<div hx-swap-oob="true" id="main">replaced by §</div>',
        '<meta name="htmx-config" content=\'{"allowEval":true}\'>§',
        "<div hx-headers='js:{x:__xss(§)}' hx-get=/__xss__/§ hx-trigger=load>htmx</div>",
        "<form hx-post=/__xss__/§ hx-trigger=load>htmx</form>",
        '<div _="on load call __xss(§)">hyperscript</div>',
        '<div x-data x-init="__xss(§)">alpine</div>',
        "<div v-html=\"'<img src=x onerror=__xss(§)>'\">vue</div>",
        '<div hx-get="/__xss__/§" hx-trigger="every 1s" hx-swap="outerHTML">htmx</div>',
        '<a href="/__xss__/§" hx-boost="true">boosted</a>',
    ),
    "attribute breakout": (
        '" autofocus onfocus="__xss(§)',
        "' autofocus onfocus='__xss(§)",
        '"><img src=x onerror=__xss(§)>',
        "`><img src=x onerror=__xss(§)>",
        '" style="background:url(/__xss__/§)',
        '"/><svg onload=__xss(§)>',
        "</option></select><img src=x onerror=__xss(§)>",
        '</a><a href="javascript:__xss(§)">x</a>',
        '" hx-get="/__xss__/§" hx-trigger="load',
        "javascript:__xss(§)",
        "data:text/html,<script>__xss(§)</script>",
        "x' onmouseover='__xss(§)' y='",
    ),
    "script context": (
        "';__xss(§);'",
        '";__xss(§);"',
        '\\";__xss(§);//',
        "-__xss(§)-",
        '{"a":"</script><script>__xss(§)</script>"}',
        "*/__xss(§);/*",
        "</script><svg onload=__xss(§)>",
    ),
    "markdown": (
        "`<script>__xss(§)</script>`",
        "```html\n<script>__xss(§)</script>\n```",
        "| a | b |\n|---|---|\n| <img src=x onerror=__xss(§)> | [x](javascript:__xss(§)) |",
        "# <svg onload=__xss(§)>",
        "***<img src=x onerror=__xss(§)>***",
        "> <script>__xss(§)</script>",
        "*<img src=x onerror=*__xss(§)*>*",
        "Heading §\n<script>__xss(§)</script>\n===",
        "    <script>__xss(§)</script>",
        "- [ ] <img src=x onerror=__xss(§)>\n- [x] done",
        "~~<script>__xss(§)</script>~~",
        "<https://example.com/__xss__/§>",
        "<mailto:a@example.com?body=<script>__xss(§)</script>>",
        "1. <details open ontoggle=__xss(§)>\n2. two",
        "\\<script\\>__xss(§)\\</script\\>",
        "[a](https://example.com/)<img src=x onerror=__xss(§)>",
    ),
}


def _expand() -> tuple[Payload, ...]:
    found: list[Payload] = []
    for category, templates in _CORPUS.items():
        for template in templates:
            number = len(found)
            found.append(Payload(number, category, template.replace(N, str(number))))
    return tuple(found)


PAYLOADS: Final[tuple[Payload, ...]] = _expand()


def by_number(number: int | str) -> Payload | None:
    try:
        return PAYLOADS[int(number)]
    except (ValueError, IndexError):
        return None
