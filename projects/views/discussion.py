"""The discussion: comment, reply, edit and delete your own; flag others'; curators hide
and unhide."""

import contextlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from projects import permissions
from projects.forms import ActionForm, CommentEditForm, CommentForm, FlagForm, ReplyForm
from projects.models import Comment, Project
from projects.ratelimits import rate_limited
from projects.views.common import (
    Forms,
    error_anchor,
    participant_required,
    render_sections,
    respond_to_post,
    saved,
    see_other,
)


@participant_required
@require_POST
@rate_limited("comment")
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Post a comment, or a reply when the form names a parent comment."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    is_reply = "parent" in request.POST
    form_class = ReplyForm if is_reply else CommentForm
    form = form_class(request.POST, project=project, author=request.user)
    done = form.submit()
    anchor = f"comment-{form.target}" if is_reply and form.target else "comment-form"
    # A reply shows in its thread, wherever that is; a new comment is the latest.
    parent = getattr(form, "cleaned_data", {}).get("parent") if is_reply else None
    return respond_to_post(
        request,
        project,
        form=form,
        done=done,
        section="discussion",
        anchor=anchor,
        message="Reply posted." if is_reply else "Comment posted.",
        discussion_page=parent.discussion_page() if parent else 1,
    )


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    """The comment, if the user may change it; anyone else's is a 403."""
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    if not permissions.can_edit_comment(request.user, comment):
        raise PermissionDenied("Only a comment's author can change it.")
    return comment


@participant_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("edit")
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the edit form (a fragment for htmx, a page otherwise). POST: save the edit; htmx
    gets the whole discussion, a plain request goes back to the comment (or, after bad
    input, to this page with the errors)."""
    comment = _own_comment(request, pk)
    if request.method == "POST":
        form = CommentEditForm(request.POST, comment=comment)
        if form.submit():
            if request.htmx:
                response = render_sections(
                    request,
                    comment.project,
                    section="discussion",
                    announce="Comment updated.",
                    discussion_page=comment.discussion_page(),
                )
                # The edit form swapped itself in; the answer replaces the whole discussion.
                return saved(reswap(retarget(response, "#discussion"), "outerHTML"))
            messages.success(request, "Comment updated.")
            return see_other(comment.page_url())
        if not request.htmx:
            path = reverse("projects:comment-edit", args=[comment.pk])
            Forms.keep(request, form, path=path)
            return see_other(f"{path}#{error_anchor(form, f'comment-{comment.pk}')}")
    else:
        form = Forms.kept_in(request).get(CommentEditForm, target=comment.pk, comment=comment)
    context = {
        "comment": comment,
        "project": comment.project,
        "form": form,
        "discussion_url": comment.project.discussion_url(comment.discussion_page()),
    }
    if not request.htmx:
        return render(request, "projects/comment_edit.html", context)
    html = render_to_string("projects/comment_edit.html#comment-edit-form", context, request)
    if form.is_bound:  # refused: say so in the live region too
        announce = "Not saved: " + " ".join(form.error_summary())
        html += render_to_string("projects/_announcer.html", {"text": announce, "oob": True})
    return HttpResponse(html)


@participant_required
@require_POST
@rate_limited("edit")
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete your comment (the page asks first, in a disclosure, with or without
    JavaScript); the thread keeps a placeholder and the replies."""
    comment = _own_comment(request, pk)
    comment.delete_by_author()
    message = "Comment deleted."
    page = comment.discussion_page()
    if request.htmx:
        return render_sections(
            request,
            comment.project,
            section="discussion",
            announce=message,
            discussion_page=page,
        )
    messages.success(request, message)
    return see_other(comment.project.discussion_url(page))


@participant_required
@require_POST
@rate_limited("curation")
def comment_moderate(request: HttpRequest, pk: int, hide: bool) -> HttpResponse:
    """Curators: hide or unhide a comment."""
    if not permissions.can_moderate_comments(request.user):
        raise PermissionDenied("Only curators can hide comments.")
    comment = get_object_or_404(Comment.objects.select_related("project"), pk=pk)
    action = comment.hide if hide else comment.unhide
    with contextlib.suppress(ValidationError):  # already so: show the thread as it is
        action(by=request.user)
    message = "Comment hidden." if hide else "Comment shown again."
    if request.htmx:
        return render_sections(
            request,
            comment.project,
            section="discussion",
            announce=message,
            discussion_page=comment.discussion_page(),
        )
    messages.success(request, message)
    return see_other(comment.page_url())


def _comment_form(
    request: HttpRequest, comment: Comment, name: str, form: ActionForm, field: str
) -> HttpResponse:
    """The reply or flag form of a comment, asked for by its link: htmx gets the form to
    swap in for the link, ``field`` focused; a plain request goes to the project page with
    that form open (``?reply=<pk>``), at that field."""
    if not request.htmx:
        page = comment.discussion_page()
        query = urlencode(
            {"discussion": page, name: comment.pk} if page > 1 else {name: comment.pk}
        )
        url = f"{comment.project.get_absolute_url()}?{query}#{form[field].id_for_label}"
        return see_other(url)
    form.fields[field].widget.attrs["autofocus"] = True
    setattr(comment, f"{name}_form", form)
    context = {"comment": comment, "project": comment.project}
    return render(request, f"projects/_comment_forms.html#{name}-form", context)


@participant_required
@require_http_methods(["GET", "HEAD"])
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The form to reply to a comment (see ``_comment_form``)."""
    comment = get_object_or_404(
        Comment.objects.select_related("project", "author", "parent"),
        pk=pk,
        project__in=Project.objects.live(),
    )
    if not permissions.can_reply(request.user, comment):
        raise PermissionDenied("You can reply to a top-level comment while it is shown.")
    form = ReplyForm(project=comment.project, author=request.user, parent=comment)
    return _comment_form(request, comment, "reply", form, "body")


@participant_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("flag")
def comment_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form to flag a comment (see ``_comment_form``). POST: ask curators to look
    at someone else's comment."""
    comment = get_object_or_404(
        Comment.objects.select_related("project"), pk=pk, project__in=Project.objects.live()
    )
    if not permissions.can_flag(request.user, comment):
        raise PermissionDenied("You can flag someone else's comment while it is shown.")
    if request.method != "POST":
        form = FlagForm(comment=comment, by=request.user)
        return _comment_form(request, comment, "flag", form, "reason")
    form = FlagForm(request.POST, comment=comment, by=request.user)
    return respond_to_post(
        request,
        comment.project,
        form=form,
        done=form.submit(),
        section="discussion",
        anchor=f"comment-{comment.pk}",
        message="Thank you: curators will look at it.",
        discussion_page=comment.discussion_page(),
    )
