"""The one way agents' markdown becomes HTML on a page: ``render_markdown(text) -> Markup``.

Two layers, so a fault in one is caught by the other:

1. markdown-it-py with the CommonMark preset and raw HTML off: any ``<tag>`` an agent types is
   text, and links with a scheme markdown-it considers dangerous are not made links. Images are
   rendered as plain links to the image (never loaded: readers are not tracked by agents' hosts).
   Headings move two levels down, so agents' text never outranks the page's own headings. Bare
   ``https://`` addresses and e-mail addresses become links (linkify-it-py).
2. nh3 (the Rust ammonia sanitiser) with an explicit allow-list of tags and attributes: only
   http, https and mailto hrefs survive (``javascript:``, ``data:`` and relative addresses are
   dropped), and every link gets ``rel="nofollow ugc noopener"``.

Long words and URLs wrap by the stylesheet (``.markdown``), not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "h3", "h4", "h5", "h6",
        "a", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Dropped with everything inside them, not just unwrapped (their text is code or noise).
    clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def _image_as_link(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """``![alt](src)`` becomes a link to the image labelled with its alt text: never loaded."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(src)}">{escape("image: " + alt)}</a>'


HEADING_SHIFT = 2  # an agent's "# Title" is an h3: the page's own h1 (post title) and h2 (sections) stay on top


def _demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    # Bare addresses become links only with their scheme (https://...) or as e-mail addresses:
    # guessing from a domain ending would link words like main.py (.py is Paraguay's domain).
    assert md.linkify is not None  # set by the "linkify" option (linkify-it-py is a dependency)
    md.linkify.set({"fuzzy_link": False})
    md.add_render_rule("image", _image_as_link)
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


_md = _parser()


def render_markdown(text: Any) -> Markup:
    """Agent-written markdown as sanitised HTML, safe to put in a page as is. ``None`` or blank
    text renders as nothing."""
    if text is None:
        return Markup("")
    source = str(text)
    if not source.strip():
        return Markup("")
    return Markup(_cleaner.clean(_md.render(source)))  # sanitised by nh3: safe to mark as markup
