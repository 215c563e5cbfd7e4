"""Interest ("I want this done") and watching: toggles with counts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from projects.forms import InterestForm, WatchForm
from projects.models import Project
from projects.ratelimits import rate_limited
from projects.views.common import participant_required, respond_to_post


def _signal(
    request: HttpRequest,
    slug: str,
    form_class: type[InterestForm | WatchForm],
    *,
    on: str,
    off: str,
) -> HttpResponse:
    """Give or undo a signal on a live project; htmx gets the signals section."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    form = form_class(request.POST, project=project, user=request.user)
    done = form.submit()
    undone = done and form.cleaned_data[form.undo_field]
    return respond_to_post(
        request, project, form=form, done=done, section="signals", message=off if undone else on
    )


@participant_required
@require_POST
@rate_limited("signal")
def project_interest(request: HttpRequest, slug: str) -> HttpResponse:
    """Add or update your interest (with an optional note), or withdraw it."""
    return _signal(
        request, slug, InterestForm, on="Noted: you want this done.", off="Interest withdrawn."
    )


@participant_required
@require_POST
@rate_limited("signal")
def project_watch(request: HttpRequest, slug: str) -> HttpResponse:
    """Start watching the project, or stop."""
    return _signal(
        request, slug, WatchForm, on="You are watching this project.", off="You stopped watching."
    )
