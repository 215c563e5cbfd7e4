"""Proposals from researchers: a new project, or an edit to one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from projects.forms import ProposalForm
from projects.models import Project
from projects.ratelimits import rate_limited
from projects.views.common import Forms, error_anchor, participant_required, see_other


def _propose(request: HttpRequest, *, project: Project | None, thanks: str, done_url: str):
    """GET: the form (with the errors of a refused POST, once). POST: propose, then go to
    ``done_url``; bad input goes back to the form, so that a reload never posts twice."""
    if request.method == "POST":
        form = ProposalForm(request.POST, by=request.user, project=project)
        if form.submit():
            messages.success(request, thanks)
            return see_other(done_url)
        Forms.keep(request, form, path=request.path)
        return see_other(request.path + "#" + error_anchor(form, "proposal-form"))
    form = Forms.kept_in(request).get(ProposalForm, by=request.user, project=project)
    return render(request, "projects/project_propose.html", {"form": form, "project": project})


@participant_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("proposal")
def project_propose(request: HttpRequest) -> HttpResponse:
    """Propose a new project; it waits, as "proposed", for a curator."""
    return _propose(
        request,
        project=None,
        thanks="Thank you: curators will review your proposal.",
        done_url=request.user.get_absolute_url() + "#proposals",
    )


@participant_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("proposal")
def project_propose_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Propose an edit to a project's title, kind or description; curators see it as a diff."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    return _propose(
        request,
        project=project,
        thanks="Thank you: curators will review your edit.",
        done_url=project.get_absolute_url(),
    )
