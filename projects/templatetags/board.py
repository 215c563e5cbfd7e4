"""The permission predicates, as filters: templates ask ``{% if user|can_reply:comment %}``
rather than re-deriving a rule; search results' highlighting; what fragments of a page
are cached under (``rows_cache``); and ``squeeze``, for long lists of them."""

import re

from django import template
from django.conf import settings
from django.utils.safestring import SafeString

from projects import page_cache, permissions, search, validators

register = template.Library()


@register.filter
def can_participate(user) -> bool:
    """See ``permissions.can_participate``."""
    return permissions.can_participate(user)


@register.filter
def can_edit_comment(user, comment) -> bool:
    """See ``permissions.can_edit_comment``."""
    return permissions.can_edit_comment(user, comment)


@register.filter
def can_quote(user, comment) -> bool:
    """See ``permissions.can_quote``."""
    return permissions.can_quote(user, comment)


@register.filter
def can_moderate(user) -> bool:
    """See ``permissions.can_moderate_comments``."""
    return permissions.can_moderate_comments(user)


@register.filter
def can_review(user) -> bool:
    """See ``permissions.can_review_outputs``."""
    return permissions.can_review_outputs(user)


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """``{{ project.title|highlight:query }}``: see ``search.highlight``."""
    return search.highlight(text, query)


@register.filter
def excerpt(text: str, query: str) -> str:
    """``{{ project.description|excerpt:query|highlight:query }}``: a plain-text window of
    markdown around the query's first match; see ``search.excerpt``."""
    return search.excerpt(text, query)


@register.filter
def link_host(url: str) -> str:
    """``{{ output.url|link_host }}``: the host a link really leads to; see
    ``validators.link_host``."""
    return validators.link_host(url)


@register.simple_tag(takes_context=True)
def rows_cache(context) -> tuple[int, int]:
    """For ``{% cache %}`` around a page's project rows, which are the same for everyone:
    (seconds to keep them, the content version to file them under). The version goes up
    after every write (projects.page_cache), so rows are never kept past a change; it is
    read once a request. With page caching off, (0, 0): rendered each time, kept nowhere,
    and no query."""
    if not settings.PAGE_CACHE:
        return 0, 0
    return settings.PAGE_CACHE_SECONDS, page_cache.request_version(context.request)


# A run of blanks that holds a line break: what a template's indentation leaves between tags.
BLANK_LINES = re.compile(r"[ \t\r\n]*\n[ \t\r\n]*")


class SqueezeNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context) -> str:
        return BLANK_LINES.sub("\n", self.nodelist.render(context))


@register.tag
def squeeze(parser, token) -> SqueezeNode:
    """``{% squeeze %}...{% endsqueeze %}``: each run of blanks holding a line break becomes
    one line break, which a browser shows as the same single space (or none, between
    blocks); a list of project rows is about a seventh smaller. Not for text that keeps its
    blanks (``<pre>``, ``<textarea>``): use it around rows and cells, not prose."""
    nodelist = parser.parse(("endsqueeze",))
    parser.delete_first_token()
    return SqueezeNode(nodelist)
