"""A researcher's public page, and the form to edit one's own profile."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import ProfileForm
from accounts.models import User
from notifications.models import Notification
from projects.models import Claim, Comment, Interest, Output, Project, Watch
from projects.ratelimits import Refusal, rate_limited, take, too_many
from projects.views.common import participant_required

PER_SECTION = 50
# How many of the latest notifications your board shows (the rest: /notifications/).
NOTICES = 8


@require_safe
def person_detail(request: HttpRequest, username: str) -> HttpResponse:
    """A researcher's active and past claims, outputs and comments (the latest of each)."""
    person = get_object_or_404(User, username=username, is_active=True)
    claims = list(
        Claim.objects.filter(researcher=person, project__in=Project.objects.public())
        .select_related("project")
        .order_by("-started_at")[:PER_SECTION]
    )
    context = {
        "person": person,
        "active_claims": [c for c in claims if c.is_active],
        "past_claims": [c for c in claims if not c.is_active],
        "outputs": Output.objects.visible_to(request.user)
        .filter(submitted_by=person)
        .select_related("project")
        .order_by("-created_at")[:PER_SECTION],
        # A person's proposals and their outcomes are theirs to see.
        "proposals": person.proposals.select_related("project", "decided_by")[:PER_SECTION]
        if person == request.user
        else None,
        "comments": Comment.objects.shown()
        .filter(author=person)
        .select_related("project")
        .order_by("-created_at")[:PER_SECTION],
    }
    return render(request, "accounts/person_detail.html", context)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """Your board: your claims with their dates and freshness, what you watch and want
    done, your outputs awaiting review, and your latest notifications."""
    user = request.user
    live = Project.objects.live()
    claims = (
        Claim.objects.filter(researcher=user, project__in=live)
        .exclude(state__in=[Claim.State.COMPLETED, Claim.State.RELEASED])
        .select_related("project")
        .order_by("target_date", "-last_activity_at")[:PER_SECTION]
    )
    context = {
        "claims": [c for c in claims if c.is_active],
        "dormant_claims": [c for c in claims if c.is_dormant],
        "watching": Watch.objects.filter(user=user, project__in=live)
        .select_related("project")
        .order_by("-created_at")[:PER_SECTION],
        "wanted": Interest.objects.filter(researcher=user, project__in=live)
        .select_related("project")
        .order_by("-created_at")[:PER_SECTION],
        "notifications": Notification.objects.filter(recipient=user).for_list()[:NOTICES],
        "in_review": Output.objects.pending()
        .filter(submitted_by=user)
        .select_related("project")
        .order_by("-created_at")[:PER_SECTION],
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("settings")
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit one's own profile; invalid input comes back with messages at the fields, and
    Preview (without JavaScript) shows the form again with the bio's preview, unsaved."""
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.previewing:
        form.is_valid()  # the preview shows with any error the text would meet on saving
        return render(request, "accounts/profile_edit.html", {"form": form})
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect(request.user)
        return render(request, "accounts/profile_edit.html", {"form": form}, status=400)
    return render(request, "accounts/profile_edit.html", {"form": form})


# How many names the lookup offers after "@".
LOOKUP_MOST = 8
# What may follow "@": the start of a username.
_PREFIX = re.compile(r"[A-Za-z0-9_-]{1,150}")


@participant_required
@require_safe
def mention_lookup(request: HttpRequest) -> HttpResponse:
    """The active people whose username or display name starts with ``q`` (what follows
    "@"), at most LOOKUP_MOST, as the options of a listbox (static/js/mentions.js shows it
    under the text being written); none for a ``q`` no username could start with. Counted
    against the "lookup" rate limit (429 past it)."""
    taken = take(request, "lookup")
    if isinstance(taken, Refusal):
        return too_many(request, taken)
    prefix = request.GET.get("q", "").removeprefix("@")
    people = []
    if _PREFIX.fullmatch(prefix):
        people = (
            User.objects.filter(is_active=True)
            .filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
            .only("username", "display_name")
            .order_by("username")[:LOOKUP_MOST]
        )
    return render(request, "accounts/_mention_options.html", {"people": people})
