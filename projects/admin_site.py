"""The board's admin site: Django's, with review queues on its index page, entered only
through the site's sign-in (with its rate limits and its second-factor step) and, for
staff, with two-factor authentication (accounts.two_factor).

It lives outside the projects.admin package, which registers models on it: loading
the site must not import the registrations, or they land on a site being replaced.
"""

from functools import update_wrapper
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from accounts.two_factor import staff_second_factor_redirect


class BoardAdminSite(admin.AdminSite):
    """The admin, whose index leads with what is waiting for a curator."""

    site_header = "Research Agenda Board"
    site_title = "Research Agenda Board admin"
    index_title = "Curation"
    index_template = "admin/board_index.html"
    # The index and the breadcrumbs lead everywhere; a sidebar of every model would take a
    # quarter of a laptop's width from the changelists, whose columns it cut off.
    enable_nav_sidebar = False

    def admin_view(self, view, cacheable: bool = False):
        """Django's wrapper of every admin page, after which staff must also have passed a
        second factor in this session, and a signed-in person who is not staff is refused
        (rather than sent to a sign-in page that would send them back)."""
        inner = super().admin_view(view, cacheable)

        def gate(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if view != self.logout and request.user.is_authenticated:
                if not self.has_permission(request):
                    raise PermissionDenied
                redirect = staff_second_factor_redirect(request)
                if redirect is not None:
                    return redirect
            return inner(request, *args, **kwargs)

        return update_wrapper(gate, view)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """No sign-in form of the admin's own: the site's (allauth's) one, whose rate limits
        and second-factor step apply to everyone, then back to the admin page asked for."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return HttpResponseRedirect(next_url)
        query = urlencode({REDIRECT_FIELD_NAME: next_url})
        return HttpResponseRedirect(f"{reverse('account_login')}?{query}")

    def password_change(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        """The site's password change, which tells every address of the account."""
        return HttpResponseRedirect(reverse("account_change_password"))

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
