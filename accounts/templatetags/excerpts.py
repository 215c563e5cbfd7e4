"""Excerpts of sanitized HTML that cut between blocks, and never inside a code block.

Django's ``truncatewords_html`` collapses whitespace, which flattens the lines of a
``<pre>`` block even when nothing is cut, and it may cut a code block in the middle.
"""

from html.parser import HTMLParser

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

register = template.Library()

VOID_TAGS = {"br", "hr", "img", "input", "wbr"}
MORE = "<p>…</p>"


class _TopLevelBlocks(HTMLParser):
    """Collects the source text of each top-level element of a piece of HTML."""

    def __init__(self, source: str) -> None:
        """Parse ``source`` at once; the blocks are then in ``self.blocks``, in order."""
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_offsets = [0]
        for line in source.splitlines(keepends=True):
            self.line_offsets.append(self.line_offsets[-1] + len(line))
        self.depth = 0
        self.start = 0
        self.blocks: list[str] = []
        self.feed(source)
        self.close()

    def _offset(self) -> int:
        """Where the parser is in the source, as an index into the string."""
        line, column = self.getpos()
        return self.line_offsets[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Open an element; a void element at the top level is a block by itself."""
        if self.depth == 0:
            self.start = self._offset()
            if tag in VOID_TAGS:
                self.blocks.append(self.get_starttag_text())
                return
        if tag not in VOID_TAGS:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        """Close an element; closing a top-level one completes a block."""
        if tag in VOID_TAGS:
            return
        self.depth -= 1
        if self.depth == 0:
            end = self.source.index(">", self._offset()) + 1
            self.blocks.append(self.source[self.start : end])


@register.filter(is_safe=True)
def excerpt(html: str, words: int = 40) -> SafeString:
    """Whole blocks of sanitized HTML up to about ``words`` words; code blocks stay whole.

    A paragraph or list that crosses the limit is cut at a word; a code block is kept
    whole if it comes first and left out otherwise. A cut ends with an ellipsis.
    """
    kept: list[str] = []
    used = 0
    for block in _TopLevelBlocks(html).blocks:
        count = len(strip_tags(block).split())
        is_code = "<pre" in block
        if used + count <= words or (is_code and not kept):
            kept.append(block)
            used += count
            continue
        if is_code or used >= words:
            kept.append(MORE)
        else:
            kept.append(Truncator(block).words(words - used, html=True))
        break
    # The input is sanitized HTML, and only whole elements of it (or Truncator's
    # well-formed cut of one) are kept.
    return mark_safe("\n".join(kept))
