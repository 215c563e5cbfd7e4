"""The review queues: outputs, proposals, flagged comments, stale and dormant claims.

Curators act here through admin actions that call the domain methods; the objects
themselves are read-only in the admin.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path

from projects import services
from projects.admin.common import apply_each
from projects.admin.projects import ReasonActionForm
from projects.models import Claim, Comment, Flag, Output, Proposal


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown and acted on, never edited field by field: changes go through actions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Output)
class OutputAdmin(ReadOnlyAdmin):
    """Linked outputs; pending ones wait for a curator to accept or reject them."""

    list_display = ("title", "project", "kind", "addresses", "review", "submitted_by", "created_at")
    list_filter = ("review", "kind", "addresses")
    list_select_related = ("project", "submitted_by")
    search_fields = ("title", "url", "project__title")
    actions = ["accept_selected", "reject_selected"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("projects.review_output")

    @admin.action(description="Accept selected outputs", permissions=["change"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_each(request, queryset, lambda o: o.accept(by=request.user), "Accepted")

    @admin.action(description="Reject selected outputs", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_each(request, queryset, lambda o: o.reject(by=request.user), "Rejected")


class FlaggedFilter(admin.SimpleListFilter):
    title = "flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("open", "Flagged, not dealt with"), ("any", "Ever flagged")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_flags__gt=0)
        if self.value() == "any":
            return queryset.filter(flags__isnull=False).distinct()
        return queryset


class FlagInline(admin.TabularInline):
    model = Flag
    fk_name = "comment"
    extra = 0
    can_delete = False
    readonly_fields = ("flagged_by", "reason", "created_at", "resolved_by", "resolved_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Comments, with flagged ones first in the queue; curators hide, unhide or dismiss."""

    list_display = (
        "excerpt",
        "project",
        "author",
        "created_at",
        "is_scope",
        "hidden",
        "open_flags",
    )
    list_filter = (FlaggedFilter, "is_scope", ("hidden_at", admin.EmptyFieldListFilter))
    list_select_related = ("project", "author")
    search_fields = ("body", "author__username", "project__title")
    inlines = [FlagInline]
    actions = ["hide_selected", "unhide_selected", "dismiss_flags"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return (
            super()
            .get_queryset(request)
            .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("projects.moderate_comment")

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:80] + ("…" if len(comment.body) > 80 else "")

    @admin.display(description="Hidden", boolean=True)
    def hidden(self, comment: Comment) -> bool:
        return comment.is_hidden

    @admin.display(description="Open flags", ordering="open_flags")
    def open_flags(self, comment: Comment) -> int:
        return comment.open_flags

    @admin.action(description="Hide selected comments", permissions=["change"])
    def hide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_each(request, queryset, lambda c: c.hide(by=request.user), "Hidden")

    @admin.action(description="Unhide selected comments", permissions=["change"])
    def unhide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_each(request, queryset, lambda c: c.unhide(by=request.user), "Shown again")

    @admin.action(description="Dismiss flags (keep the comments shown)", permissions=["change"])
    def dismiss_flags(self, request: HttpRequest, queryset: QuerySet) -> None:
        apply_each(
            request, queryset, lambda c: c.resolve_flags(by=request.user), "Flags dismissed on"
        )


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Proposals: new projects and edits (shown as a diff); approve, or reject with a reason."""

    list_display = ("title", "kind", "proposer", "project", "state", "created_at")
    list_filter = ("state", "kind")
    list_select_related = ("proposer", "project")
    search_fields = ("title", "description", "proposer__username")
    action_form = ReasonActionForm
    actions = ["approve_selected", "reject_selected"]
    change_form_template = "admin/projects/proposal/change_form.html"
    fields = (
        "kind",
        "state",
        "proposer",
        "project",
        "title",
        "project_kind",
        "note",
        "changes_diff",
        "description",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "changes_diff"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("projects.review_proposal")

    @admin.display(description="Proposed changes")
    def changes_diff(self, proposal: Proposal) -> str:
        from django.utils.html import format_html, format_html_join

        if proposal.kind != Proposal.Kind.EDIT:
            return "A new project."
        return format_html(
            '<dl class="proposal-diff">{}</dl>',
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((f, d) for f, _, _, d in proposal.changes())
            ),
        )

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="projects_proposal_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Approve or reject one proposal from its page, with a reason (POST only)."""
        proposal = get_object_or_404(Proposal, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, proposal):
            raise PermissionDenied
        reason = request.POST.get("reason", "")
        try:
            if "approve" in request.POST:
                services.proposal_approve(proposal=proposal, by=request.user, reason=reason)
            else:
                services.proposal_reject(proposal=proposal, by=request.user, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:projects_proposal_change", proposal.pk)
        messages.success(
            request, f"Proposal {'approved' if 'approve' in request.POST else 'rejected'}."
        )
        return redirect("admin:projects_proposal_changelist")

    @admin.action(description="Approve selected proposals", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        apply_each(
            request,
            queryset,
            lambda p: services.proposal_approve(proposal=p, by=request.user, reason=reason),
            "Approved",
        )

    @admin.action(description="Reject selected proposals (give a reason)", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        apply_each(
            request,
            queryset,
            lambda p: services.proposal_reject(proposal=p, by=request.user, reason=reason),
            "Rejected",
        )


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("stale", "Stale (active, silent)"), ("dormant", "Dormant")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            return queryset.stale()
        if self.value() == "dormant":
            return queryset.dormant()
        return queryset


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    """Claims, with the stale and dormant ones a curator may want to follow up."""

    list_display = (
        "project",
        "researcher",
        "state",
        "started_at",
        "last_activity_at",
        "target_date",
    )
    list_filter = (AttentionFilter, "state")
    list_select_related = ("project", "researcher")
    search_fields = ("project__title", "researcher__username")
    ordering = ("last_activity_at",)
