"""The markdown renderer: formatting survives, every XSS trick dies (web/markdown.py)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from reef.web.markdown import ALLOWED_TAGS, render_markdown

# Payloads from the usual lists (OWASP filter evasion, PortSwigger XSS cheat sheet): raw tags,
# event attributes, dangerous schemes (also disguised with case, entities and whitespace), and
# elements that run or load things.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="window.__pwned=1">',
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<object data=javascript:alert(1)>",
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    "<body onload=alert(1)>",
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>alert(1)//<</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;avascript&#x3A;alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[ref][x]\n\n[x]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '![x](https://example.com/a.png "title" onerror=alert(1))',
    '[a](https://example.com/"onmouseover="alert(1))',
    "<a href='https://example.com' onclick='alert(1)'>x</a>",
    "<form action=https://evil.example><button>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href=https://evil.example/>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<style>body{display:none}</style>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "javascript:alert(1)",  # bare, as linkify sees it
    "see javascript://example.com/%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    'https://example.com/"onmouseover="alert(1)',
    "https://example.com/<script>alert(1)</script>",
]


class _Elements(HTMLParser):
    """Every element the browser would build from the HTML, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_inert(html: str) -> None:
    """Only allow-listed tags, no event, style or src attributes, only http(s)/mailto links."""
    for tag, attributes in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name in attributes:
            assert not name.startswith("on") and name not in ("style", "src", "srcdoc"), (name, html)
        href = attributes.get("href")
        if href is not None:
            assert href.startswith(("http://", "https://", "mailto:")), html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload: str) -> None:
    html = str(render_markdown(payload))
    assert_inert(html)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<iframe" not in html.lower()
    assert "<svg" not in html.lower()


def test_markdown_formats() -> None:
    html = str(render_markdown("# Title\n\nSome **bold**, *em*, `code`, ~~gone~~.\n\n- one\n- two\n\n> quoted"))
    assert "<h3>Title</h3>" in html  # demoted: the page's h1 and h2 stay on top
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html and "<code>code</code>" in html
    assert "<s>gone</s>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html


def test_code_block_keeps_its_text_escaped() -> None:
    html = str(render_markdown("```\n<b>x</b> & y\n```"))
    assert "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y" in html


def test_raw_html_is_shown_as_text() -> None:
    html = str(render_markdown("Hello <b>world</b> <script>alert(1)</script>"))
    assert "&lt;b&gt;world&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_safe_links_get_rel() -> None:
    html = str(render_markdown("[site](https://example.com/a?b=1&c=2) and <mailto:someone@example.com>"))
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">site</a>' in html
    assert 'href="mailto:someone@example.com"' in html


def test_bare_addresses_become_safe_links() -> None:
    html = str(render_markdown("Read https://example.com/a?b=1&c=2. Or write to someone@example.com."))
    assert (
        '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.com/a?b=1&amp;c=2</a>.'
        in html
    )
    assert '<a href="mailto:someone@example.com" rel="nofollow ugc noopener">someone@example.com</a>' in html


def test_words_that_merely_look_like_domains_stay_text() -> None:
    """Only addresses with their scheme are linked: main.py ends in Paraguay's domain."""
    html = str(render_markdown("Edit main.py and config.io, see www.example.com"))
    assert "<a" not in html


def test_addresses_in_code_and_in_other_schemes_are_not_links() -> None:
    html = str(render_markdown("`https://example.com/in-code` and ftp://files.example.com/x"))
    assert "<code>https://example.com/in-code</code>" in html
    assert "href" not in html


def test_javascript_link_is_not_a_link() -> None:
    html = str(render_markdown("[click](javascript:alert(1))"))
    assert "<a" not in html
    assert "click" in html


def test_relative_links_lose_their_address() -> None:
    """Only absolute http(s)/mailto survive: a relative address could be made to look like ours."""
    html = str(render_markdown("[here](/logout)"))
    assert "href" not in html
    assert "here" in html


def test_images_become_links_and_are_never_loaded() -> None:
    html = str(render_markdown("![a cat](https://example.com/cat.png)"))
    assert "<img" not in html
    assert '<a href="https://example.com/cat.png" rel="nofollow ugc noopener">image: a cat</a>' in html


def test_image_with_dangerous_source_is_not_a_link() -> None:
    html = str(render_markdown("![x](data:image/png;base64,AAAA)"))
    assert "<img" not in html and "data:" not in html.split(">", 1)[0]
    assert_inert(html)


def test_tables_render() -> None:
    html = str(render_markdown("| a | b |\n|---|---:|\n| 1 | 2 |"))
    assert "<table>" in html and "<th>a</th>" in html and "<td>1</td>" in html
    assert "style" not in html


def test_line_breaks_are_kept() -> None:
    assert "<br>" in str(render_markdown("line one\nline two"))


def test_blank_and_none_render_nothing() -> None:
    assert render_markdown(None) == Markup("")
    assert render_markdown("   \n ") == Markup("")


def test_result_is_markup_so_jinja_does_not_escape_it_twice() -> None:
    assert isinstance(render_markdown("*x*"), Markup)


def test_filter_is_registered_in_the_page_environment() -> None:
    from reef.web.rendering import templates

    template = templates.env.from_string("{{ text | markdown }}")
    assert template.render(text="**hi** <i>x</i>") == "<p><strong>hi</strong> &lt;i&gt;x&lt;/i&gt;</p>\n"


def test_headings_never_outrank_the_page() -> None:
    html = str(render_markdown("# one\n\n## two\n\n#### four\n\n###### six"))
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>one</h3>" in html and "<h4>two</h4>" in html and "<h6>four</h6>" in html and "<h6>six</h6>" in html
