"""Markdown for every user-written text: rendered once on write, sanitized with nh3.

``render_markdown`` is the one way in. Raw HTML in the source is escaped rather than passed
through (the renderer runs with ``html`` off), and nh3 then keeps only an allow-list of
tags, attributes, classes and URL schemes, so that nothing a user writes can run script in
another user's browser.

The renderer is CommonMark with tables and strikethrough, and a pass per feature, each a
markdown-it plugin in a module of its own that also names what it adds to the allow-lists:

- ``math``: ``$...$`` and ``$$...$$`` as MathML (``MATH_TAGS``, ``MATH_ATTRIBUTES``);
- ``links``: bare addresses become links; links to the board's projects are marked, and
  get their current title and standing when a page is served (``fill_board_links``);
- ``mentions``: ``@username`` links to an active account's page (``MENTION_CLASS``), one
  query per text for all its names.

A new pass is one more plugin in ``_PLUGINS`` and its tags, attributes and
classes in the lists below. Stored HTML is re-rendered by ``manage.py rerender_markdown``.
"""

import html
import re
from typing import ClassVar

import nh3
from django.db import models
from markdown_it import MarkdownIt

from projects.markdown.links import BARE_CLASS, BOARD_LINK_CLASS, links_plugin
from projects.markdown.math import MATH_ATTRIBUTES, MATH_TAGS, math_plugin
from projects.markdown.mentions import MENTION_CLASS, mentions_plugin

_PLUGINS = (math_plugin, links_plugin, mentions_plugin)


def _build_renderer() -> MarkdownIt:
    """CommonMark, raw HTML off, with tables, strikethrough and each pass's plugin."""
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    for plugin in _PLUGINS:
        plugin(md)
    return md


_renderer = _build_renderer()

TEXT_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_TAGS = TEXT_TAGS | MATH_TAGS
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "span": {"tabindex"},
    "math": {"display", "alttext"},
    **{tag: set(MATH_ATTRIBUTES) for tag in MATH_TAGS - {"math"}},
}
# Classes only the renderer writes (nobody can write a class in markdown).
ALLOWED_CLASSES = {
    "a": {BOARD_LINK_CLASS, BARE_CLASS, MENTION_CLASS},
    "span": {"math-display", "math-source", "math-note"},
}
# Values an attribute may only take from a list.
ALLOWED_VALUES = {"span": {"tabindex": {"0"}}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Every link, the board's own included: links in what people write are theirs, not the
# board's (ugc), earn nothing from search engines (nofollow), and open nothing with a
# handle back to the page (noopener).
LINK_REL = "nofollow ugc noopener"

_sanitizer = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes={tag: names - {"tabindex"} for tag, names in ALLOWED_ATTRIBUTES.items()},
    tag_attribute_values=ALLOWED_VALUES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel=LINK_REL,
)


def render_markdown(source: str) -> str:
    """Markdown source -> sanitized HTML, safe to mark safe in a template."""
    return sanitize(_renderer.render(source, {}))


def sanitize(rendered: str) -> str:
    """HTML -> only the allowed tags, attributes, classes, values and URL schemes, with
    ``LINK_REL`` on every link."""
    return _sanitizer.clean(rendered)


def markdown_to_text(source: str) -> str:
    """Markdown source -> plain text on one line: links become their text, formulas their
    TeX source (unconverted: this runs for each row of a search's results), markup goes."""
    return html_to_text(_renderer.render(source, {"plain": True}))


# A formula as the math pass writes it (its TeX source is in alttext), and the note beside
# one it could not show.
_MATH = re.compile(r'<math[^>]*? alttext="(?P<tex>[^"]*)"[^>]*>.*?</math>', re.DOTALL)
_MATH_NOTE = re.compile(r' ?<span class="math-note">[^<]*</span>')


def html_to_text(rendered: str) -> str:
    """Rendered HTML -> plain text on one line (every tag dropped, entities decoded; a
    formula becomes its TeX source between dollars)."""
    rendered = _MATH_NOTE.sub("", rendered)
    rendered = _MATH.sub(lambda m: html.escape(f"${html.unescape(m['tex'])}$"), rendered)
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
