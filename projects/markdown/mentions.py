"""Mentions: ``@username`` in what people write links to that person's page.

A name is a mention when it follows no letter, digit or ``.+-_@/`` (so an e-mail address
``a@b.org`` or a path ``/@name`` is none), sits outside code and outside a link's text,
and names an active account: one query for every candidate name of a text, whatever their
number. Unknown names and deactivated accounts stay plain text. The stored HTML holds the
link (``/people/<username>/``, class ``mention``), so pages that show it ask nothing.

A rename leaves stored links with the old name (which then leads nowhere) until
``manage.py rerender_markdown`` renders the texts again. ``mentioned_names`` reads the
names back from stored HTML, which is how an edit tells only the people it adds.

A claim's check-in note is one line of plain text, not markdown: the people it mentions
are told (``names_in_text``), and it shows as written, with no link.

Plain text (``markdown_to_text``, run for every row of a search's results) asks nothing
and keeps ``@username`` as written.
"""

from __future__ import annotations

import re

from django.urls import reverse
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MENTION_CLASS = "mention"

# A candidate: @ and a name as usernames are made (ASCII letters, digits, - and _), not
# inside a word, an address or a path, and not followed by more of an address.
_CANDIDATE = re.compile(r"(?<![\w.+\-@/])@(?P<name>[A-Za-z0-9_-]+)(?![\w@-])")
# A mention as the sanitizer writes it: href first, then the class (the renderer's order).
_STORED = re.compile(r'<a href="/people/(?P<name>[A-Za-z0-9_-]+)/" class="mention"')


def mentions_plugin(md: MarkdownIt) -> None:
    """Link the mentions of active accounts in ``md``'s text (after bare links are made,
    so that an address holding ``@name`` stays one link)."""
    md.core.ruler.after("board_links", "mentions", _link_mentions)


def _active_usernames(names: set[str]) -> set[str]:
    """Which of ``names`` belong to active accounts: one query."""
    # Imported here: the models import this package (RenderedMarkdown) to define themselves.
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=names, is_active=True)
    return set(users.values_list("username", flat=True))


def _outside_links(state: StateCore):
    """Each text token outside a link, with its inline parent and index there."""
    for block in state.tokens:
        depth = 0
        for index, token in enumerate(block.children or []):
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "text" and depth == 0:
                yield block, index, token


def _link_mentions(state: StateCore) -> None:
    """Core rule: replace each mention of an active account in a text token with a link to
    the person's page."""
    if state.env.get("plain"):
        return
    found = [
        (block, index, token)
        for block, index, token in _outside_links(state)
        if "@" in token.content and _CANDIDATE.search(token.content)
    ]
    if not found:
        return
    names = {m["name"] for _, _, t in found for m in _CANDIDATE.finditer(t.content)}
    known = _active_usernames(names)
    if not known:
        return
    # From the last token back, so that the indexes of earlier ones stay right.
    for block, index, token in reversed(found):
        block.children[index : index + 1] = _split(token, known)


def _split(token: Token, known: set[str]) -> list[Token]:
    """``token`` as text and mention links, each known name a link."""
    parts: list[Token] = []
    start = 0
    for match in _CANDIDATE.finditer(token.content):
        if match["name"] not in known:
            continue
        parts.append(_text(token.content[start : match.start()], token.level))
        link = Token("link_open", "a", 1, level=token.level, markup="mention")
        link.attrs = {
            "href": reverse("accounts:person-detail", args=[match["name"]]),
            "class": MENTION_CLASS,
        }
        parts += [link, _text(match.group(), token.level + 1)]
        parts.append(Token("link_close", "a", -1, level=token.level, markup="mention"))
        start = match.end()
    parts.append(_text(token.content[start:], token.level))
    return [part for part in parts if part.type != "text" or part.content]


def _text(content: str, level: int) -> Token:
    """A text token."""
    return Token("text", "", 0, content=content, level=level)


def names_in_text(text: str) -> set[str]:
    """The names a plain text (a claim's one-line check-in note, which is no markdown)
    mentions, known or not: the people told are the active accounts among them."""
    return {match["name"] for match in _CANDIDATE.finditer(text)}


def mentioned_names(rendered: str) -> set[str]:
    """The usernames stored HTML mentions (each linked mention's name)."""
    return {match["name"] for match in _STORED.finditer(rendered)}
