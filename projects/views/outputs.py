"""Outputs: any researcher links one; curators accept or reject it."""

import contextlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from projects import permissions
from projects.forms import OutputForm
from projects.models import Output, Project
from projects.ratelimits import rate_limited
from projects.views.common import participant_required, render_sections, respond_to_post, see_other


@participant_required
@require_POST
@rate_limited("output")
def output_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Link an output to the project, awaiting a curator's review."""
    project = get_object_or_404(Project.objects.live().with_outputs(request.user), slug=slug)
    form = OutputForm(request.POST, project=project, by=request.user, claims=project.my_claims)
    return respond_to_post(
        request,
        project,
        form=form,
        done=form.submit(),
        section="outputs",
        anchor="link-output",
        message="Output linked. A curator will review it.",
    )


@participant_required
@require_POST
@rate_limited("curation")
def output_review(request: HttpRequest, pk: int, accept: bool) -> HttpResponse:
    """Curators: accept or reject an output. htmx gets the outputs section; a plain request
    goes back to it."""
    if not permissions.can_review_outputs(request.user):
        raise PermissionDenied("Only curators can review outputs.")
    output = get_object_or_404(Output.objects.select_related("project"), pk=pk)
    action = output.accept if accept else output.reject
    with contextlib.suppress(ValidationError):  # already so: show the outputs as they are
        action(by=request.user)
    message = "Output accepted." if accept else "Output rejected."
    if request.htmx:
        return render_sections(request, output.project, section="outputs", announce=message)
    messages.success(request, message)
    return see_other(f"{output.project.get_absolute_url()}#output-{output.pk}")
