"""Interest ("I want this done") and watching: toggles with counts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from projects.forms import InterestForm, WatchForm
from projects.models import Project
from projects.views.common import participant_required, respond_to_post


@participant_required
@require_POST
def project_interest(request: HttpRequest, slug: str) -> HttpResponse:
    """Add or update your interest (with an optional note), or withdraw it."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    form = InterestForm(request.POST, project=project, researcher=request.user)
    done = form.submit()
    withdrawn = done and form.cleaned_data["withdraw"]
    return respond_to_post(
        request,
        project,
        form=form,
        done=done,
        section="signals",
        message="Interest withdrawn." if withdrawn else "Noted: you want this done.",
    )


@participant_required
@require_POST
def project_watch(request: HttpRequest, slug: str) -> HttpResponse:
    """Start watching the project, or stop."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    form = WatchForm(request.POST, project=project, user=request.user)
    done = form.submit()
    stopped = done and form.cleaned_data["stop"]
    return respond_to_post(
        request,
        project,
        form=form,
        done=done,
        section="signals",
        message="You stopped watching." if stopped else "You are watching this project.",
    )
