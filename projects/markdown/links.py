"""Links in markdown: bare web addresses become links, and links to the board's own projects
say which project they lead to and where it stands.

Bare addresses: ``http://`` and ``https://`` ones, and ``www.`` names (which link to
https); never a bare e-mail address, ``ftp:`` or any other scheme (linkify-it-py).

Board links: a link to ``/projects/<slug>/``, relative or on the site's own host
(``settings.SITE_URL``), is stored with a relative address and the class ``board-link``
(and ``board-link-bare`` when its text is just the address). A project's title and standing
change after the text is saved, so the stored HTML holds neither: ``fill_board_links``
writes them in when a page is served (``projects.middleware.board_links``), with one query
for every board link on the page. A bare link then reads as the project's current title,
any board link is followed by its standing ("in progress", "addressed", ...), and a link to
a project a visitor may not see (an unpublished proposal) or that does not exist is left as
it was written.
"""

import html
import re
from urllib.parse import urlsplit

from django.conf import settings
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

BOARD_LINK_CLASS = "board-link"
BARE_CLASS = "board-link-bare"
STANDING_CLASS = "board-standing"

# What every address the board links starts with.
_MAY_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# A project's page: the slug as the URL pattern reads it (``<slug:slug>``).
_PROJECT_PATH = re.compile(r"/projects/(?P<slug>[-a-zA-Z0-9_]+)/")
# A board link as the sanitizer writes it: href first and class second (the renderer's
# order), then other attributes, whose values may hold ">" but never a bare quote.
_STORED_BOARD_LINK = re.compile(
    r'<a href="/projects/(?P<slug>[-a-zA-Z0-9_]+)/(?P<rest>[^"]*)"'
    rf' class="{BOARD_LINK_CLASS}(?P<bare> {BARE_CLASS})?"(?P<more>(?: [-a-z]+="[^"]*")*)>'
    r"(?P<text>.*?)</a>",
    re.DOTALL,
)


class BareLinks(LinkifyIt):
    """linkify-it that finds ``http(s)://`` addresses and ``www.`` names, nothing else."""

    def __init__(self) -> None:
        super().__init__(
            schemas={"ftp:": None, "//": None, "mailto:": None},
            options={"fuzzy_link": True, "fuzzy_email": False, "fuzzy_ip": False},
        )

    def pretest(self, text: str) -> bool:
        """Whether ``text`` may hold an address at all: a quick look, where linkify-it's own
        (built for fuzzy names anywhere) takes tens of milliseconds on a long text."""
        return _MAY_LINK.search(text) is not None

    def match(self, text: str):
        """Its matches, but of the names without a scheme only those starting ``www.``."""
        found = super().match(text) or []
        kept = [m for m in found if m.schema or m.raw.lower().startswith("www.")]
        return kept or None

    def normalize(self, match) -> None:
        """A ``www.`` name links to https (linkify-it would say http)."""
        super().normalize(match)
        if not match.schema:
            match.url = "https://" + match.raw


def links_plugin(md: MarkdownIt) -> None:
    """Make bare addresses links in ``md``, and mark the links to the board's projects."""
    md.linkify = BareLinks()
    md.options["linkify"] = True
    md.enable("linkify")
    md.core.ruler.after("linkify", "board_links", _mark_board_links)


def _board_path(href: str) -> tuple[str, str] | None:
    """``(slug, what follows the path)`` when ``href`` is a project's page on this board."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        site = urlsplit(settings.SITE_URL)
        same_host = parts.netloc.lower() == site.netloc.lower()
        if parts.scheme.lower() not in {"http", "https"} or not same_host:
            return None
    match = _PROJECT_PATH.fullmatch(parts.path)
    # Paths under /projects/ that are pages of their own.
    if match is None or match["slug"] in {"propose", "random"}:
        return None
    rest = (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else ""
    )
    return match["slug"], rest


def _mark_board_links(state: StateCore) -> None:
    """Core rule: give each link to a project's page a relative address and the
    ``board-link`` class (and ``board-link-bare`` when its text is its address, with
    nothing after the path)."""
    for block in state.tokens:
        children = block.children or []
        for index, token in enumerate(children):
            if token.type != "link_open":
                continue
            href = str(token.attrGet("href") or "")
            found = _board_path(href)
            if found is None:
                continue
            slug, rest = found
            text = children[index + 1] if index + 1 < len(children) else None
            bare = (
                not rest
                and text is not None
                and text.type == "text"
                and index + 2 < len(children)
                and children[index + 2].type == "link_close"
                and (token.markup in {"linkify", "autolink"} or text.content.strip() == href)
            )
            # href then class, ahead of any title: the order fill_board_links reads.
            token.attrs = {
                "href": f"/projects/{slug}/{rest}",
                "class": f"{BOARD_LINK_CLASS} {BARE_CLASS}" if bare else BOARD_LINK_CLASS,
                **{name: value for name, value in token.attrs.items() if name != "href"},
            }


def fill_board_links(page: str) -> str:
    """Write the current title and standing of each linked project into a page's board
    links: one query, whatever the number of links. Pages without one are returned as
    they are, with no query."""
    slugs = {match["slug"] for match in _STORED_BOARD_LINK.finditer(page)}
    if not slugs:
        return page
    # Imported here: the models import this package (RenderedMarkdown) to define themselves.
    from projects.models import Project

    projects = {
        slug: (title, standing)
        for slug, title, standing in Project.objects.public()
        .filter(slug__in=slugs)
        .with_standing()
        .values_list("slug", "title", "standing")
    }
    labels = dict(Project.Standing.choices)

    def fill(match: re.Match) -> str:
        if match["slug"] not in projects:
            return match.group()
        title, standing = projects[match["slug"]]
        text = html.escape(title) if match["bare"] else match["text"]
        link = match.group()[: match.start("text") - match.start()] + text + "</a>"
        label = html.escape(labels[standing].lower())
        return f'{link} <span class="{STANDING_CLASS} standing standing-{standing}">{label}</span>'

    return _STORED_BOARD_LINK.sub(fill, page)
