"""The permission predicates, as filters: templates ask ``{% if user|can_reply:comment %}``
rather than re-deriving a rule; and search results' highlighting."""

from django import template
from django.utils.safestring import SafeString

from projects import permissions, search, validators

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
