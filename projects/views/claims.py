"""The claim lifecycle: claim (with a confirmation page when others are on it), check in,
complete, release."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST

from projects import permissions
from projects.forms import CheckInForm, ClaimForm, CompleteForm, ReleaseForm
from projects.models import Claim, Project
from projects.views.common import answer, researcher_required, run_action


@researcher_required
@require_http_methods(["GET", "POST"])
def project_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: who already works on the project and their plans, then the claim form (go ahead
    or back out). POST: claim. htmx gets the claim panel; a plain request a redirect, or
    this page again with errors."""
    # A POST may name any project: claiming a proposal gets the domain's clear refusal.
    # The page that shows who works on a project is for published ones only.
    projects = Project.objects.all() if request.method == "POST" else Project.objects.live()
    project = get_object_or_404(projects, slug=slug)
    form = ClaimForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = run_action(form, lambda **data: project.claim(researcher=request.user, **data))
        if done or request.htmx:
            return answer(
                request,
                project,
                partial="claim-panel",
                done=done,
                form_name="claim_form",
                form=form,
                message="You claimed this project. Good luck!",
            )
    others = project.claims.active().select_related("researcher").exclude(researcher=request.user)
    return render(
        request,
        "projects/project_claim.html",
        {"project": project, "others_claims": others, "claim_form": form},
        status=400 if form.is_bound else 200,
    )


def _own_active_claim(request: HttpRequest, pk: int) -> Claim:
    """The claim, if it is the user's; someone else's claim is a 403."""
    claim = get_object_or_404(Claim.objects.select_related("project"), pk=pk)
    if not permissions.can_act_on_claim(request.user, claim):
        raise PermissionDenied("Only the researcher who holds a claim can change it.")
    return claim


@researcher_required
@require_POST
def claim_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a progress note to your active claim."""
    claim = _own_active_claim(request, pk)
    form = CheckInForm(request.POST)
    done = run_action(form, lambda note: claim.check_in(note=note))
    return answer(
        request,
        claim.project,
        partial="claim-panel",
        done=done,
        form_name="checkin_form",
        form=form,
        message="Checked in.",
    )


@researcher_required
@require_POST
def claim_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark your claim completed."""
    claim = _own_active_claim(request, pk)
    form = CompleteForm(request.POST)
    done = run_action(form, lambda note: claim.complete(note=note))
    return answer(
        request,
        claim.project,
        partial="claim-panel",
        done=done,
        form_name="complete_form",
        form=form,
        message="Claim completed. Link what you produced below.",
    )


@researcher_required
@require_POST
def claim_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release your claim, with a reason."""
    claim = _own_active_claim(request, pk)
    form = ReleaseForm(request.POST)
    done = run_action(form, lambda reason, note: claim.release(reason=reason, note=note))
    return answer(
        request,
        claim.project,
        partial="claim-panel",
        done=done,
        form_name="release_form",
        form=form,
        message="Claim released.",
    )
