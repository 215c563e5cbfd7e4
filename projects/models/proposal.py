"""Proposals: any researcher suggests a new project or an edit; a curator approves or rejects."""

from __future__ import annotations

import difflib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from projects.models.event import Event
from projects.querysets import ProposalQuerySet
from projects.validators import OneLineCharField


def word_diff(old: str, new: str) -> SafeString:
    """An inline diff of two texts, word by word: removed words in <del>, added in <ins>."""
    a, b = old.split(" "), new.split(" ")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # every piece of text above is escaped


class Proposal(models.Model):
    """A suggested new project (created as "proposed") or a suggested edit to one."""

    class Kind(models.TextChoices):
        NEW = "new", "New project"
        EDIT = "edit", "Edit"

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="proposals"
    )
    title = OneLineCharField(max_length=200)
    description = models.TextField()
    project_kind = models.CharField("kind", max_length=20)
    note = models.TextField("why", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("review_proposal", "Can approve or reject proposals")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        """The project once it is public; until then, the proposal on its proposer's page."""
        if self.project.is_public:
            return self.project.get_absolute_url()
        return self.proposer.get_absolute_url() + f"#proposal-{self.pk}"

    def changes(self) -> list[tuple[str, str, str, SafeString]]:
        """For an edit: (field, current, proposed, inline diff) for each field it changes."""
        current = {
            "title": self.project.title,
            "description": self.project.description,
            "kind": self.project.kind,
        }
        proposed = {"title": self.title, "description": self.description, "kind": self.project_kind}
        return [
            (name, current[name], proposed[name], word_diff(current[name], proposed[name]))
            for name in current
            if current[name] != proposed[name]
        ]

    @property
    def is_new_project(self) -> bool:
        """Whether it proposes a new project (rather than an edit of one)."""
        return self.kind == self.Kind.NEW

    @property
    def is_pending(self) -> bool:
        """Whether it still waits for a curator."""
        return self.state == self.State.PENDING

    @property
    def is_approved(self) -> bool:
        """Whether a curator approved it."""
        return self.state == self.State.APPROVED

    def decide(self, *, by, state: str, reason: str) -> Proposal:
        """Pending -> approved or rejected, recorded in the project's history; the rest of a
        decision is ``projects.services.proposal_approve``/``proposal_reject``.

        Must run inside their transaction. Raises ValidationError(code="decided").
        """
        proposal = Proposal.objects.select_for_update().select_related("proposer").get(pk=self.pk)
        if not proposal.is_pending:
            raise ValidationError("This proposal has already been decided.", code="decided")
        proposal.state, proposal.decided_by, proposal.decided_at = state, by, timezone.now()
        proposal.decision_reason = reason
        proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        kind = (
            Event.Kind.PROPOSAL_APPROVED if proposal.is_approved else Event.Kind.PROPOSAL_REJECTED
        )
        Event.record(project=proposal.project, actor=by, kind=kind, note=reason)
        return proposal
