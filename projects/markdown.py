"""Markdown for every user-written text: rendered once on write, sanitized with nh3.

Raw HTML in the source is escaped rather than passed through (the renderer runs with
``html`` off), and nh3 then keeps only an allow-list of tags, attributes and URL
schemes, so that nothing a user writes can run script in another user's browser.
"""

import html
from typing import ClassVar

import nh3
from django.db import models
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
    return html_to_text(_renderer.render(source))


def html_to_text(rendered: str) -> str:
    """Rendered HTML -> plain text on one line (every tag dropped, entities decoded)."""
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())


class RenderedMarkdown(models.Model):
    """A model with markdown sources whose sanitized HTML is rendered once, on save.

    ``markdown_fields`` maps each source field to the field that holds its HTML. A save
    limited by ``update_fields`` renders (and writes) only the sources it names.
    """

    markdown_fields: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Save, rendering the HTML of every markdown source that is written."""
        update_fields = kwargs.get("update_fields")
        for source, rendered in self.markdown_fields.items():
            if update_fields is None or source in update_fields:
                setattr(self, rendered, render_markdown(getattr(self, source)))
                if update_fields is not None:
                    update_fields = {*update_fields, rendered}
        if update_fields is not None:
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)
