"""A reminder email's one-click links: a page that asks, then one POST that acts."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from projects import freshness
from projects.ratelimits import rate_limited
from projects.views.common import see_other

PAGE = "projects/claim_reminder_link.html"

# What a refused link's page is titled, and its status: a link that was good once is gone
# (410); one that never was is a bad request (400).
REFUSALS = {
    "invalid": ("This link does not work", 400),
    "expired": ("This link has expired", 410),
    "used": ("This link was already used", 410),
    "closed": ("This account is closed", 410),
    "ended": ("This claim has already ended", 410),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("link")
def claim_reminder_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link will do to whose claim, and one button (mail scanners that follow
    links change nothing). POST: do it, with no sign-in (the signed link is the key; the
    form's CSRF token comes from the GET), then redirect to the project with a message.
    A used, expired or tampered link gets a page that says so, with a way to the project."""
    try:
        if request.method == "POST":
            link = freshness.use_reminder_link(token)
            messages.success(request, link.done_message)
            return see_other(link.claim.project.get_absolute_url() + "#claim-panel")
        link = freshness.read_reminder_link(token)
    except freshness.LinkRefused as refusal:
        heading, status = REFUSALS[refusal.code]
        context = {"heading": heading, "refusal": refusal.messages[0], "claim": refusal.claim}
        return render(request, PAGE, context, status=status)
    return render(request, PAGE, {"link": link, "claim": link.claim, "heading": link.label})
