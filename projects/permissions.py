"""Who may do what: small predicates used by views, templates (through the ``board``
template filters) and tests alike.

Deny by default. Curators hold named permissions (through the Curators group), so a
curator is never required to be a superuser.
"""

from projects.models import Claim, Comment


def can_participate(user) -> bool:
    """Signed in with an active account: may claim, comment, link outputs, signal interest,
    watch and propose."""
    return bool(user.is_authenticated and user.is_active)


def can_act_on_claim(user, claim: Claim) -> bool:
    """Check in, complete or release: only the claim's own researcher."""
    return can_participate(user) and claim.researcher_id == user.pk


def can_edit_comment(user, comment: Comment) -> bool:
    """Edit or delete a comment: only its author, while it is shown."""
    return can_participate(user) and comment.author_id == user.pk and comment.is_shown


def can_reply(user, comment: Comment) -> bool:
    """Reply to a comment: anyone taking part, to a top-level comment that is shown."""
    return can_participate(user) and comment.parent_id is None and comment.is_shown


def can_quote(user, comment: Comment) -> bool:
    """Quote a comment in a new one: anyone taking part, a comment that is shown."""
    return can_participate(user) and comment.is_shown


def can_flag(user, comment: Comment) -> bool:
    """Ask curators to look at a comment: anyone taking part, on someone else's shown comment."""
    return can_participate(user) and comment.author_id != user.pk and comment.is_shown


def can_moderate_comments(user) -> bool:
    """Hide and unhide comments: curators."""
    return can_participate(user) and _holds(user, "projects.moderate_comment")


def can_review_outputs(user) -> bool:
    """Accept and reject outputs: curators."""
    return can_participate(user) and _holds(user, "projects.review_output")


# Set on a request's user once the request found they are no curator (``found_no_curator``).
_NO_CURATOR = "_board_no_curator"
CURATOR_RIGHTS = frozenset({"projects.moderate_comment", "projects.review_output"})


def curator_ids() -> frozenset[int]:
    """Everyone who holds one of ``CURATOR_RIGHTS``, through their own permissions or a
    group (superusers, who hold every right, aside); one query."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    rights = Permission.objects.filter(
        content_type__app_label="projects",
        codename__in=[right.split(".", 1)[1] for right in CURATOR_RIGHTS],
    )
    holders = get_user_model().objects.filter(
        Q(user_permissions__in=rights) | Q(groups__permissions__in=rights)
    )
    return frozenset(holders.values_list("pk", flat=True).distinct())


def found_no_curator(user) -> None:
    """Say that ``user``, an active user who is no superuser, holds none of
    ``CURATOR_RIGHTS`` (the request found them outside ``curator_ids``), so that the rest of
    the request does not ask the database again."""
    setattr(user, _NO_CURATOR, True)


def _holds(user, perm: str) -> bool:
    if perm in CURATOR_RIGHTS and getattr(user, _NO_CURATOR, False):
        return False
    return user.has_perm(perm)
