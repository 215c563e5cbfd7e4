"""Proposals in the admin: new projects and edits (shown as a diff), decided from their own
page with a reason, or in bulk; each decision goes through ``projects.services``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from projects import services
from projects.admin.common import ButtonForm, action_bar, apply_each
from projects.admin.projects import ReasonActionForm
from projects.admin.review import ReadOnlyAdmin
from projects.models import Project, Proposal


class DecisionForm(ButtonForm):
    """Approve a proposal, or reject it with a reason: the button pressed is the decision."""

    buttons = ("approve", "reject")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to reject. The proposer reads it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        """The form, with ids of its own ("decision-reason")."""
        # Its own ids, apart from the change form's fields on the same page.
        super().__init__(*args, auto_id="decision-%s", **kwargs)


# Which field of the decision form each refusal of a proposal decision is about.
DECISION_ERROR_FIELDS = {"reason": "reason"}


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
    change_title = "Decide a proposal"
    fields = (
        "kind",
        "state",
        "proposer",
        "project",
        "title",
        "proposed_kind",
        "note",
        "changes_diff",
        "description",
        "decided_by",
        "decided_at",
        "decision_reason",
        "created_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        """Every field, the diff and the proposed kind's name."""
        return [*super().get_readonly_fields(request, obj), "changes_diff", "proposed_kind"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Reviewers decide proposals (through the domain; no field is edited)."""
        return request.user.has_perm("projects.review_proposal")

    @admin.display(description="Proposed kind")
    def proposed_kind(self, proposal: Proposal) -> str:
        """The kind of project proposed, by its name."""
        kind = proposal.project_kind
        return Project.Kind(kind).label if kind in Project.Kind.values else kind

    @admin.display(description="Proposed changes")
    def changes_diff(self, proposal: Proposal) -> str:
        """For an edit, each changed field as an inline diff."""
        if proposal.kind != Proposal.Kind.EDIT:
            return "A new project."
        return format_html(
            '<dl class="proposal-diff">{}</dl>',
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((f.capitalize(), d) for f, _, _, d in proposal.changes()),
            ),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The proposal's page, whose one form is the decision (posted to decide_view)."""
        if obj is not None and self.has_change_permission(request, obj):
            form_url = reverse("admin:projects_proposal_decide", args=[obj.pk])
            context.setdefault("decision_form", DecisionForm())
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list:
        """The admin's URLs, and the decision on one proposal."""
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="projects_proposal_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Approve or reject one proposal from its page (POST only), then back to the list;
        a refusal comes back as the page, with the error at the reason, status 400."""
        proposal = get_object_or_404(Proposal, pk=pk)
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = DecisionForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["button"] == "approve"
            decide = services.proposal_approve if approve else services.proposal_reject
            try:
                decide(proposal=proposal, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(DECISION_ERROR_FIELDS.get(error.code), error)
            else:
                verdict = "Approved" if approve else "Rejected"
                self.message_user(request, f"{verdict} the proposal “{proposal.title}”.")
                return redirect("admin:projects_proposal_changelist")
        return self.refused(request, proposal, {"decision_form": form})

    @admin.action(description="Approve selected proposals", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Approve each selected proposal, with the reason in the action bar if any."""
        reason = action_bar(self, request).cleaned_data["reason"]
        apply_each(
            request,
            queryset,
            lambda p: services.proposal_approve(proposal=p, by=request.user, reason=reason),
            "Approved",
        )

    @admin.action(description="Reject selected proposals (give a reason)", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Reject each selected proposal, with the reason in the action bar."""
        reason = action_bar(self, request).cleaned_data["reason"]
        apply_each(
            request,
            queryset,
            lambda p: services.proposal_reject(proposal=p, by=request.user, reason=reason),
            "Rejected",
        )
