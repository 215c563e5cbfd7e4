"""The permission predicates, as filters: templates ask ``{% if user|can_reply:comment %}``
rather than re-deriving a rule."""

from django import template

from projects import permissions

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
def can_moderate(user) -> bool:
    """See ``permissions.can_moderate_comments``."""
    return permissions.can_moderate_comments(user)


@register.filter
def can_review(user) -> bool:
    """See ``permissions.can_review_outputs``."""
    return permissions.can_review_outputs(user)


@register.filter
def highlight(text: str, query: str) -> str:
    """Placeholder until search lands: the text, escaped."""
    from django.utils.html import escape

    return escape(text)


@register.filter
def excerpt(text: str, query: str) -> str:
    """Placeholder until search lands: the text's beginning."""
    return text[:220]
