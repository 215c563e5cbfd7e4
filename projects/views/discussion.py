"""The discussion: comment, reply, edit and delete your own; curators hide and unhide."""

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from projects import permissions
from projects.forms import CommentForm, FlagForm, ReplyForm
from projects.models import Comment, Project
from projects.views.common import answer, researcher_required, run_action


@researcher_required
@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a comment, or a reply when the form names a parent comment."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    parent = None
    if parent_id := request.POST.get("parent"):
        parent = get_object_or_404(
            Comment, pk=int(parent_id) if parent_id.isascii() and parent_id.isdigit() else 0
        )
    form = (ReplyForm if parent else CommentForm)(request.POST)
    done = run_action(
        form,
        lambda body, is_scope=False: project.add_comment(
            author=request.user, body=body, is_scope=is_scope, parent=parent
        ),
    )
    return answer(
        request,
        project,
        partial="discussion",
        done=done,
        form_name="reply_form" if parent else "comment_form",
        form=form,
        message="Reply posted." if parent else "Comment posted.",
    )


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    if not permissions.can_edit_comment(request.user, comment):
        raise PermissionDenied("Only a comment's author can change it.")
    return comment


@researcher_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form (a fragment for htmx, a page otherwise). POST: save the edit."""
    comment = _own_comment(request, pk)
    form_class = ReplyForm if comment.parent_id else CommentForm
    form = form_class(
        request.POST if request.method == "POST" else None,
        instance=comment if request.method == "GET" else None,
        auto_id=f"edit-{comment.pk}-%s",  # unique beside the page's own comment form
    )
    if request.method == "POST":
        done = run_action(
            form, lambda body, is_scope=None: comment.edit(body=body, is_scope=is_scope)
        )
        if done:
            response = answer(
                request,
                comment.project,
                partial="discussion",
                done=True,
                message="Comment updated.",
            )
            if request.htmx:
                # The edit form swapped itself in; the answer replaces the whole discussion.
                response = reswap(retarget(response, "#discussion"), "outerHTML")
            return response
    context = {"comment": comment, "project": comment.project, "form": form}
    template = "projects/comment_edit.html"
    if request.htmx:
        template += "#comment-edit-form"
    return render(
        request, template, context, status=400 if form.is_bound and not request.htmx else 200
    )


@researcher_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete your comment: the thread keeps a placeholder and the replies."""
    comment = _own_comment(request, pk)
    comment.delete_by_author()
    return answer(
        request, comment.project, partial="discussion", done=True, message="Comment deleted."
    )


@researcher_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int, hide: bool) -> HttpResponse:
    """Curators: hide or unhide a comment."""
    if not permissions.can_moderate_comments(request.user):
        raise PermissionDenied("Only curators can hide comments.")
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    action = comment.hide if hide else comment.unhide
    with contextlib.suppress(ValidationError):  # already so: show the thread as it is
        action(by=request.user)
    return answer(
        request,
        comment.project,
        partial="discussion",
        done=True,
        message="Comment hidden." if hide else "Comment shown again.",
    )


@researcher_required
@require_POST
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask curators to look at someone else's comment."""
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    form = FlagForm(request.POST)
    done = run_action(form, lambda reason: comment.flag(by=request.user, reason=reason))
    return answer(
        request,
        comment.project,
        partial="discussion",
        done=done,
        form_name="flag_form",
        form=form,
        message="Thank you: curators will look at it.",
    )
