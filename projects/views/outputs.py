"""Outputs: any researcher links one; curators accept or reject it."""

import contextlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from projects import permissions
from projects.forms import OutputForm
from projects.models import Output, Project
from projects.views.common import answer, researcher_required, run_action


@researcher_required
@require_POST
def output_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Link an output to the project, awaiting a curator's review."""
    project = get_object_or_404(Project.objects.live(), slug=slug)
    form = OutputForm(request.POST, claims=list(project.claims.filter(researcher=request.user)))
    done = run_action(form, lambda **data: project.link_output(by=request.user, **data))
    return answer(
        request,
        project,
        partial="outputs",
        done=done,
        form_name="output_form",
        form=form,
        message="Output linked. A curator will review it.",
    )


@researcher_required
@require_POST
def output_review(request: HttpRequest, pk: int, accept: bool) -> HttpResponse:
    """Curators: accept or reject an output."""
    if not permissions.can_review_outputs(request.user):
        raise PermissionDenied("Only curators can review outputs.")
    output = get_object_or_404(Output.objects.select_related("project"), pk=pk)
    action = output.accept if accept else output.reject
    with contextlib.suppress(ValidationError):  # already so: show the outputs as they are
        action(by=request.user)
    return answer(
        request,
        output.project,
        partial="outputs",
        done=True,
        message="Output accepted." if accept else "Output rejected.",
    )
