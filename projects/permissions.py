"""Who may do what: small predicates used by views, templates and tests alike.

Deny by default. Curators hold named permissions (through the Curators group), so a
curator is never required to be a superuser.
"""

from projects.models import Claim, Comment


def is_researcher(user) -> bool:
    """Signed in and active: may claim, comment, link outputs, and signal interest."""
    return bool(user.is_authenticated and user.is_active)


def can_act_on_claim(user, claim: Claim) -> bool:
    """Check in, complete or release: only the claim's own researcher."""
    return is_researcher(user) and claim.researcher_id == user.pk


def can_edit_comment(user, comment: Comment) -> bool:
    """Edit or delete a comment: only its author, while it is neither deleted nor hidden."""
    return (
        is_researcher(user)
        and comment.author_id == user.pk
        and not comment.is_deleted
        and not comment.is_hidden
    )


def can_moderate_comments(user) -> bool:
    """Hide and unhide comments: curators."""
    return is_researcher(user) and user.has_perm("projects.moderate_comment")


def can_review_outputs(user) -> bool:
    """Accept and reject outputs: curators."""
    return is_researcher(user) and user.has_perm("projects.review_output")
