"""Proposals from researchers: a new project, or an edit to one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from projects import services
from projects.forms import ProposalForm
from projects.models import Project
from projects.views.common import researcher_required


@researcher_required
@require_http_methods(["GET", "POST"])
def project_propose(request: HttpRequest) -> HttpResponse:
    """Propose a new project; it waits, as "proposed", for a curator."""
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.project_propose(by=request.user, **form.cleaned_data)
        messages.success(request, "Thank you: curators will review your proposal.")
        return redirect(request.user.get_absolute_url() + "#proposals")
    return render(
        request,
        "projects/project_propose.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@researcher_required
@require_http_methods(["GET", "POST"])
def project_propose_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Propose an edit to a project's title, kind or description; curators see it as a diff."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    initial = {"title": project.title, "description": project.description, "kind": project.kind}
    form = ProposalForm(
        request.POST if request.method == "POST" else None, initial=initial, edit=True
    )
    if form.is_valid():
        try:
            services.project_propose_edit(by=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: curators will review your edit.")
            return redirect(project)
    return render(
        request,
        "projects/project_propose.html",
        {"form": form, "project": project},
        status=400 if form.is_bound else 200,
    )
