"""The board's admin site: Django's, with review queues on its index page.

It lives outside the projects.admin package, which registers models on it: loading
the site must not import the registrations, or they land on a site being replaced.
"""

import copy

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class BoardAdminSite(admin.AdminSite):
    """The admin, whose index leads with what is waiting for a curator."""

    site_header = "Research Agenda Board"
    site_title = "Research Agenda Board admin"
    index_title = "Curation"
    index_template = "admin/board_index.html"
    # The index and the breadcrumbs lead everywhere; a sidebar of every model would take a
    # quarter of a laptop's width from the changelists, whose columns it cut off.
    enable_nav_sidebar = False

    def review_queues(self, request: HttpRequest) -> list[dict]:
        """Each queue the user may see: a name, how many items wait, and where they are."""
        from projects.models import Claim, Comment, Output, Proposal

        queues = [
            (
                "Outputs awaiting review",
                "projects.view_output",
                Output.objects.pending(),
                "admin:projects_output_changelist",
                "review__exact=pending",
            ),
            (
                "Proposals awaiting review",
                "projects.view_proposal",
                Proposal.objects.pending(),
                "admin:projects_proposal_changelist",
                "state__exact=pending",
            ),
            (
                "Flagged comments",
                "projects.view_comment",
                Comment.objects.flagged(),
                "admin:projects_comment_changelist",
                "flagged=open",
            ),
            (
                "Stale claims",
                "projects.view_claim",
                Claim.objects.stale(),
                "admin:projects_claim_changelist",
                "attention=stale",
            ),
            (
                "Dormant claims",
                "projects.view_claim",
                Claim.objects.dormant(),
                "admin:projects_claim_changelist",
                "attention=dormant",
            ),
        ]
        return [
            {"name": name, "count": queryset.count(), "url": f"{reverse(url)}?{query}"}
            for name, permission, queryset, url, query in queues
            if request.user.has_perm(permission)
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The index, with the review queues above the list of models."""
        extra_context = {**(extra_context or {}), "review_queues": self.review_queues(request)}
        return super().index(request, extra_context)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's sign-in page, where HEAD answers as GET does (Django sends someone already
        signed in with access on to the index for a GET alone)."""
        if request.method == "HEAD":
            request = copy.copy(request)
            request.method = "GET"
        return super().login(request, extra_context)
