"""Claims: a researcher working on a project, with a plan, from start to an end."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from projects.markdown import RenderedMarkdown
from projects.models.event import Event
from projects.querysets import ClaimQuerySet


class OutputKind(models.TextChoices):
    """The shape of a result, planned in a claim or linked as an output."""

    PAPER = "paper", "Paper"
    BLOG_POST = "blog_post", "Blog post"
    CODE = "code", "Code"
    DATASET = "dataset", "Dataset"
    TALK = "talk", "Talk"
    OTHER = "other", "Other"


class ClaimState(models.TextChoices):
    """Where a claim stands: only an active claim counts toward limits."""

    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    RELEASED = "released", "Released"
    DORMANT = "dormant", "Dormant"


class ReleaseReason(models.TextChoices):
    """Why a claim was released."""

    DONE_ELSEWHERE = "done_elsewhere", "Done elsewhere"
    GAVE_UP = "gave_up", "Gave up"
    BLOCKED = "blocked", "Blocked"
    OTHER = "other", "Other"
    # Set by a merge, never offered to researchers: see projects.services.project_merge.
    MERGED = "merged", "Merged into another project"


class Claim(RenderedMarkdown):
    """A researcher working on a project. "Claimed" is derived from these, never stored."""

    State = ClaimState
    ReleaseReason = ReleaseReason

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="claims")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    plan = models.TextField(blank=True, help_text="Markdown: what you will do, and how.")
    plan_html = models.TextField(blank=True, editable=False)
    target_date = models.DateField(null=True, blank=True)
    output_kind = models.CharField(
        "planned output", max_length=20, choices=OutputKind.choices, blank=True
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.CharField(max_length=20, choices=ReleaseReason.choices, blank=True)
    progress_note = models.CharField(max_length=300, blank=True)

    objects = ClaimQuerySet.as_manager()
    markdown_fields = {"plan": "plan_html"}

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "researcher"],
                condition=Q(state=ClaimState.ACTIVE),
                name="claim_one_active_per_researcher_and_project",
                violation_error_message="You already have an active claim on this project.",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ClaimState.values),
                name="claim_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["researcher", "state"], name="claim_researcher_state_idx")]

    def __str__(self) -> str:
        return f"{self.researcher} on {self.project_id} ({self.state})"

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url() + f"#claim-{self.pk}"

    @property
    def is_active(self) -> bool:
        """Whether someone is working on it now."""
        return self.state == self.State.ACTIVE

    @property
    def is_completed(self) -> bool:
        """Whether its researcher finished it."""
        return self.state == self.State.COMPLETED

    def _lock_active(self) -> Claim:
        """This claim, re-read under a row lock; raises ValidationError(code="not_active")."""
        claim = Claim.objects.select_for_update().get(pk=self.pk)
        if claim.state != self.State.ACTIVE:
            raise ValidationError("This claim has already ended.", code="not_active")
        return claim

    @transaction.atomic
    def check_in(self, *, note: str) -> Claim:
        """Active claim -> same claim with a progress note and fresh activity.

        Raises ValidationError(code="not_active").
        """
        claim = self._lock_active()
        claim.progress_note = note
        claim.save(update_fields=["progress_note"])
        Event.record(
            project=claim.project,
            actor=claim.researcher,
            kind=Event.Kind.CHECKED_IN,
            claim=claim,
            note=note,
        )
        claim.refresh_from_db(fields=["last_activity_at"])
        return claim

    @transaction.atomic
    def complete(self, *, note: str = "") -> Claim:
        """Active -> completed. Raises ValidationError(code="not_active")."""
        claim = self._lock_active()
        claim.state = self.State.COMPLETED
        claim.ended_at = timezone.now()
        claim.save(update_fields=["state", "ended_at"])
        Event.record(
            project=claim.project,
            actor=claim.researcher,
            kind=Event.Kind.COMPLETED,
            claim=claim,
            note=note,
        )
        return claim

    @transaction.atomic
    def release(self, *, reason: str, note: str = "", by=None) -> Claim:
        """Active -> released, with a reason; its plan and progress note stay as they were.

        ``by`` is who released it when that is not its researcher (a curator's merge).
        Raises ValidationError(code="reason"|"not_active").
        """
        if reason not in self.ReleaseReason.values:
            raise ValidationError("Choose why you are releasing this claim.", code="reason")
        claim = self._lock_active()
        claim.state = self.State.RELEASED
        claim.release_reason = reason
        claim.ended_at = timezone.now()
        claim.save(update_fields=["state", "release_reason", "ended_at"])
        label = self.ReleaseReason(reason).label
        Event.record(
            project=claim.project,
            actor=by or claim.researcher,
            kind=Event.Kind.RELEASED,
            claim=claim,
            note=f"{label}: {note}" if note else label,
        )
        return claim
