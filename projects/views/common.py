"""What every project-page view shares: the page's context, and the two ways to answer a POST.

One URL, two renderings: an htmx request gets the fragment that changed (plus the
project's history, swapped out of band); a plain request gets a redirect after a
change, or the full page with the form's errors after bad input.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from projects import permissions
from projects.forms import (
    CheckInForm,
    ClaimForm,
    CommentForm,
    CompleteForm,
    InterestForm,
    OutputForm,
    ReleaseForm,
    ReplyForm,
)
from projects.models import Flag, Project

PAGE = "projects/project_detail.html"
HISTORY_LIMIT = 30


def researcher_required(view: Callable) -> Callable:
    """Deny anonymous users: a plain request goes to the login page, htmx is told to go there.

    After signing in, the user comes back to the page the form was on (never to the
    POST-only URL itself).
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if permissions.is_researcher(request.user):
            return view(request, *args, **kwargs)
        came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or "/"
        if not url_has_allowed_host_and_scheme(
            came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            came_from = "/"
        parts = urlsplit(came_from)
        login = redirect_to_login(parts.path + (f"?{parts.query}" if parts.query else ""))
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": login.url})
        return login

    return wrapper


def project_page_context(request: HttpRequest, project: Project, **forms: Form) -> dict:
    """Everything the project page shows, in a fixed number of queries whatever its size."""
    user = request.user
    claims = list(project.claims.select_related("researcher"))
    active_claims = [c for c in claims if c.is_active]
    my_claims = [c for c in claims if c.researcher_id == user.pk]
    my_active_claim = next((c for c in my_claims if c.is_active), None)
    comments = list(project.comments.select_related("author"))
    for comment in comments:
        comment.reply_list = [c for c in comments if c.parent_id == comment.pk]
    interests = list(project.interests.select_related("researcher"))
    my_interest = next((i for i in interests if i.researcher_id == user.pk), None)
    watch = project.watches.aggregate(
        count=Count("pk"), mine=Count("pk", filter=Q(user_id=user.pk))
    )
    flagged = (
        set(
            Flag.objects.filter(flagged_by_id=user.pk, comment__project=project).values_list(
                "comment_id", flat=True
            )
        )
        if user.is_authenticated
        else set()
    )
    is_full = bool(project.claim_limit and len(active_claims) >= project.claim_limit)
    context = {
        "project": project,
        "active_claims": active_claims,
        "past_claims": [c for c in claims if not c.is_active],
        "my_active_claim": my_active_claim,
        "others_claims": [c for c in active_claims if c.researcher_id != user.pk],
        "is_full": is_full,
        "comments": [c for c in comments if c.parent_id is None],
        "flagged_by_me": flagged,
        "comment_count": sum(1 for c in comments if not c.is_deleted and not c.is_hidden),
        "outputs": list(
            project.outputs.visible_to(user).leading().select_related("submitted_by", "claim")
        ),
        "interests": interests,
        "my_interest": my_interest,
        "watch_count": watch["count"],
        "watching": bool(watch["mine"]),
        "status_change": project.status_changes.select_related("changed_by")
        .prefetch_related("outputs")
        .first()
        if project.status != project.Status.OPEN
        else None,
        "events": list(project.events.public().select_related("actor", "output")[:HISTORY_LIMIT]),
        "is_researcher": permissions.is_researcher(user),
        "can_moderate": permissions.can_moderate_comments(user),
        "can_review": permissions.can_review_outputs(user),
        "claim_form": ClaimForm(),
        "checkin_form": CheckInForm(),
        "complete_form": CompleteForm(),
        "release_form": ReleaseForm(),
        "comment_form": CommentForm(),
        "reply_form": ReplyForm(),
        "interest_form": InterestForm(initial={"note": my_interest.note if my_interest else ""}),
        "output_form": OutputForm(claims=my_claims),
    }
    context.update(forms)
    return context


def render_page(
    request: HttpRequest, project: Project, *, partial: str = "", status: int = 200, **forms: Form
) -> HttpResponse:
    """The project page, or one of its fragments (with the history out of band) for htmx."""
    context = project_page_context(request, project, **forms)
    if request.htmx and partial:
        html = render_to_string(f"{PAGE}#{partial}", context, request)
        if partial != "history":
            html += render_to_string(f"{PAGE}#history", {**context, "oob": True}, request)
        # htmx 2 does not swap 4xx answers: an invalid form comes back as 200 with its errors.
        response = HttpResponse(html)
    else:
        response = HttpResponse(render_to_string(PAGE, context, request), status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def run_action(form: Form, action: Callable[..., object]) -> bool:
    """Validate the form, then call the domain method with its data; a domain refusal
    becomes the form's error. Returns whether the change happened."""
    if not form.is_valid():
        return False
    try:
        action(**form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def answer(
    request: HttpRequest,
    project: Project,
    *,
    partial: str,
    done: bool,
    form_name: str = "",
    form: Form | None = None,
    message: str = "",
) -> HttpResponse:
    """After a POST: htmx gets the fragment; a plain request is redirected after a change
    (with a message), or shown the page again with the form's errors (status 400)."""
    forms = {form_name: form} if form_name and not done else {}
    if request.htmx:
        return render_page(request, project, partial=partial, **forms)
    if done:
        if message:
            messages.success(request, message)
        return redirect(f"{project.get_absolute_url()}#{partial}")
    return render_page(request, project, status=400, **forms)
