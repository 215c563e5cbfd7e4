"""The claim lifecycle: claim (with a confirmation page when others are on it), check in,
say you are still on it, complete, release, revive a dormant claim."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from projects import permissions
from projects.forms import (
    CheckInForm,
    ClaimActionForm,
    ClaimForm,
    CompleteForm,
    ConfirmForm,
    ReleaseForm,
    ReviveForm,
)
from projects.models import Claim, Project
from projects.ratelimits import rate_limited
from projects.views.common import (
    Forms,
    error_anchor,
    participant_required,
    respond_to_post,
    see_other,
)

# A claim changes which claims the output form offers, so the outputs section follows.
ALSO = ("outputs",)


@participant_required
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("claim")
def project_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: who already works on the project and their plans, then the claim form (go ahead
    or back out). POST: claim. htmx gets the claim panel; a plain request is redirected
    to it after claiming, or back to this page to show the form's errors."""
    # A POST may name a project merged away since the form was shown: the domain's refusal
    # says why. An unpublished proposal answers 404, as no project at all would: a refusal
    # rendered for it would show its page's sections. The page that shows who works on a
    # project is for live ones only.
    projects = Project.objects.public() if request.method == "POST" else Project.objects.live()
    project = get_object_or_404(projects, slug=slug)
    if request.method == "POST":
        form = ClaimForm(request.POST, project=project, researcher=request.user)
        done = form.submit()
        if done or request.htmx:
            return respond_to_post(
                request,
                project,
                form=form,
                done=done,
                section="claim-panel",
                also=ALSO,
                message="You claimed this project. Good luck!",
            )
        if not Project.objects.live().filter(pk=project.pk).exists():
            # Merged since the form was shown: no claim page to go back to.
            for error in form.error_summary():
                messages.error(request, f"Not claimed: {error}")
            return see_other(project.get_absolute_url())
        path = reverse("projects:project-claim", args=[project.slug])
        Forms.keep(request, form, path=path)
        return see_other(f"{path}#{error_anchor(form, 'claim-form')}")
    form = Forms.kept_in(request).get(ClaimForm, project=project, researcher=request.user)
    others = project.claims.active().select_related("researcher").exclude(researcher=request.user)
    return render(
        request,
        "projects/project_claim.html",
        {"project": project, "others_claims": others, "claim_form": form},
    )


def _act_on_claim(
    request: HttpRequest, pk: int, form_class: type[ClaimActionForm], message: str
) -> HttpResponse:
    """Bind the form to your own claim (someone else's is a 403), perform, and answer with
    the claim panel."""
    claim = get_object_or_404(Claim.objects.select_related("project"), pk=pk)
    if not permissions.can_act_on_claim(request.user, claim):
        raise PermissionDenied("Only the researcher who holds a claim can change it.")
    form = form_class(request.POST, claim=claim)
    return respond_to_post(
        request,
        claim.project,
        form=form,
        done=form.submit(),
        section="claim-panel",
        also=ALSO,
        message=message,
    )


@participant_required
@require_POST
@rate_limited("check-in")
def claim_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a progress note to your active claim."""
    return _act_on_claim(request, pk, CheckInForm, "Checked in.")


@participant_required
@require_POST
@rate_limited("check-in")
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Say you are still on your active claim, which makes it fresh."""
    return _act_on_claim(request, pk, ConfirmForm, "Noted: you are still on it.")


@participant_required
@require_POST
@rate_limited("claim")
def claim_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark your claim completed."""
    return _act_on_claim(
        request, pk, CompleteForm, "Claim completed. Link what you produced below."
    )


@participant_required
@require_POST
@rate_limited("claim")
def claim_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Release your claim, with a reason."""
    return _act_on_claim(request, pk, ReleaseForm, "Claim released.")


@participant_required
@require_POST
@rate_limited("claim")
def claim_revive(request: HttpRequest, pk: int) -> HttpResponse:
    """Make your dormant claim active again, while the project has room for you."""
    return _act_on_claim(request, pk, ReviveForm, "Your claim is active again. Welcome back!")
