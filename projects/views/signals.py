"""Interest ("I want this done") and watching: toggles with counts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from projects.forms import InterestForm
from projects.models import Project
from projects.views.common import answer, researcher_required, run_action


@researcher_required
@require_POST
def project_interest(request: HttpRequest, slug: str) -> HttpResponse:
    """Add or update your interest (with an optional note), or withdraw it (``withdraw``)."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    interested = "withdraw" not in request.POST
    form = InterestForm(request.POST)
    done = run_action(
        form,
        lambda note: project.set_interest(
            researcher=request.user, interested=interested, note=note
        ),
    )
    return answer(
        request,
        project,
        partial="signals",
        done=done,
        form_name="interest_form",
        form=form,
        message="Noted: you want this done." if interested else "Interest withdrawn.",
    )


@researcher_required
@require_POST
def project_watch(request: HttpRequest, slug: str) -> HttpResponse:
    """Start watching the project, or stop (``stop``)."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    watching = "stop" not in request.POST
    project.set_watch(user=request.user, watching=watching)
    return answer(
        request,
        project,
        partial="signals",
        done=True,
        message="You are watching this project." if watching else "You stopped watching.",
    )
