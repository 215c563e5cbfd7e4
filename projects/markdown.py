"""Markdown for every user-written text: rendered once on write, sanitized with nh3.

Raw HTML in the source is escaped rather than passed through (the renderer runs with
``html`` off), and nh3 then keeps only an allow-list of tags, attributes and URL
schemes, so that nothing a user writes can run script in another user's browser.
"""

import html

import nh3
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    """Markdown source -> sanitized HTML, safe to mark safe in a template."""
    return nh3.clean(
        _renderer.render(source),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )


def markdown_to_text(source: str) -> str:
    """Markdown source -> plain text on one line: links become their text, markup goes."""
    text = nh3.clean(_renderer.render(source), tags=set())
    return " ".join(html.unescape(text).split())


def with_rendered_field(update_fields, source: str, rendered: str):
    """Widen a save's ``update_fields`` so that a rendered HTML field is saved with its source."""
    if update_fields is not None and source in update_fields:
        return {*update_fields, rendered}
    return update_fields
