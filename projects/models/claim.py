"""Claims: a researcher working on a project, with a plan, from start to an end."""

from __future__ import annotations

import datetime
import enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from projects.markdown import RenderedMarkdown
from projects.markdown.mentions import names_in_text
from projects.models.event import Event
from projects.querysets import ClaimQuerySet
from projects.validators import OneLineCharField


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


class _Keep(enum.Enum):
    """A value that means "leave it as it is" where None means "none"."""

    KEEP = "keep"


KEEP = _Keep.KEEP


def target_date_is_near(date: datetime.date | None) -> bool:
    """Whether ``date`` falls within TARGET_REMINDER_DAYS from today (or is past): a date
    chosen this close needs no reminder."""
    soon = timezone.localdate() + datetime.timedelta(days=settings.TARGET_REMINDER_DAYS)
    return date is not None and date <= soon


class Claim(RenderedMarkdown):
    """A researcher working on a project. "Claimed" is derived from these, never stored."""

    State = ClaimState
    ReleaseReason = ReleaseReason

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="claims")
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
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
    progress_note = OneLineCharField(max_length=300, blank=True)
    # When its holder was last reminded that it had gone silent: one reminder per silence
    # (a reminder older than the last activity belongs to an earlier one).
    stale_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The target date its holder was reminded of, so that a moved date earns a new reminder.
    target_reminded_for = models.DateField(null=True, blank=True, editable=False)

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

    @property
    def is_dormant(self) -> bool:
        """Whether it went quiet past its grace period (kept; its holder may revive it)."""
        return self.state == self.State.DORMANT

    @property
    def stale_since(self) -> datetime.datetime | None:
        """When this active claim turned stale: its last activity plus its project's window;
        None while it is fresh or once it ended. Reads the claim's project, which the
        project's pages prefetch it with, so it asks no query there."""
        if not self.is_active:
            return None
        since = self.last_activity_at + self.project.claim_window
        return since if since < timezone.now() else None

    @property
    def is_stale(self) -> bool:
        """Whether it is active but silent for longer than its project's window."""
        return self.stale_since is not None

    @property
    def dormant_from(self) -> datetime.datetime | None:
        """When this stale, reminded claim turns dormant if its holder stays silent: the
        reminder plus CLAIM_GRACE_DAYS; None when no reminder is pending."""
        if not self.is_active or not self._reminded_this_silence:
            return None
        return self.stale_reminded_at + datetime.timedelta(days=settings.CLAIM_GRACE_DAYS)

    @property
    def _reminded_this_silence(self) -> bool:
        """Whether its holder was reminded since this silence made the claim stale (as
        ``ClaimQuerySet.dormancy_due`` reads it); reads the claim's project."""
        return (
            bool(self.stale_reminded_at)
            and self.stale_reminded_at >= self.last_activity_at + self.project.claim_window
        )

    @property
    def is_overdue(self) -> bool:
        """Whether this active claim's target date has passed: a prompt to check in or move
        the date, never a penalty."""
        return (
            self.is_active
            and self.target_date is not None
            and self.target_date < timezone.localdate()
        )

    def _lock_active(self) -> Claim:
        """This claim, re-read under a row lock; raises ValidationError(code="not_active")."""
        claim = Claim.objects.select_for_update().get(pk=self.pk)
        if claim.state != self.State.ACTIVE:
            raise ValidationError("This claim has already ended.", code="not_active")
        return claim

    @transaction.atomic
    def check_in(self, *, note: str, target_date: datetime.date | None | _Keep = KEEP) -> Claim:
        """Active claim -> same claim with a progress note and fresh activity, and, when
        ``target_date`` is given, that target date (None: no date).

        Raises ValidationError(code="not_active"|"past_date").
        """
        claim = self._lock_active()
        fields, event_note = ["progress_note"], note
        if target_date is not KEEP and target_date != claim.target_date:
            if target_date is not None and target_date < timezone.localdate():
                raise ValidationError("Choose a target date from today on.", code="past_date")
            claim.target_date = target_date
            # A date chosen this close needs no reminder; one further off earns one anew.
            claim.target_reminded_for = target_date if target_date_is_near(target_date) else None
            fields += ["target_date", "target_reminded_for"]
            moved = f"moved to {format_date(target_date, 'j M Y')}" if target_date else "cleared"
            event_note = f"{note} (Target date {moved}.)"
        claim.progress_note = note
        claim.save(update_fields=fields)
        Event.record(
            project=claim.project,
            actor=claim.researcher,
            kind=Event.Kind.CHECKED_IN,
            claim=claim,
            note=event_note,
            mentioned=names_in_text(note),
        )
        claim.refresh_from_db(fields=["last_activity_at"])
        return claim

    @transaction.atomic
    def confirm(self) -> Claim:
        """Active claim -> the same claim, fresh: its holder says they are still on it.

        Raises ValidationError(code="not_active").
        """
        claim = self._lock_active()
        Event.record(
            project=claim.project,
            actor=claim.researcher,
            kind=Event.Kind.CONFIRMED,
            claim=claim,
        )
        claim.refresh_from_db(fields=["last_activity_at"])
        return claim

    @transaction.atomic
    def go_dormant(self) -> Claim:
        """Active, stale claim whose holder stayed silent for CLAIM_GRACE_DAYS after the
        reminder -> dormant: kept in the history, no longer counted toward any limit.

        Checked again under the row lock, so that activity that raced the sweep wins.
        Raises ValidationError(code="not_active"|"not_due").
        """
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("project", "researcher")
            .get(pk=self.pk)
        )
        if not claim.is_active:
            raise ValidationError("This claim has already ended.", code="not_active")
        due = claim.dormant_from
        if not claim.is_stale or due is None or due > timezone.now():
            raise ValidationError(
                "This claim is not due to turn dormant: its holder was heard from, or the "
                "grace period after the reminder has not passed.",
                code="not_due",
            )
        claim.state = self.State.DORMANT
        claim.ended_at = timezone.now()
        claim.save(update_fields=["state", "ended_at"])
        # The holder is the subject: "Ada went quiet; the claim is dormant".
        Event.record(
            project=claim.project,
            actor=claim.researcher,
            kind=Event.Kind.WENT_DORMANT,
            claim=claim,
        )
        return claim

    @transaction.atomic
    def revive(self, *, by) -> Claim:
        """Dormant -> active again, for its holder, when the project has room for them.

        Under the same row locks as ``Project.claim``. Raises ValidationError with code
        "not_yours", "not_dormant", or those of ``Project.lock_for_claim`` ("not_open",
        "already_claimed", "personal_cap", "full").
        """
        if by is None or by.pk != self.researcher_id:
            raise ValidationError(
                "Only the researcher who held a claim can revive it.", code="not_yours"
            )
        claim = Claim.objects.select_for_update().get(pk=self.pk)
        if claim.state != self.State.DORMANT:
            raise ValidationError("Only a dormant claim can be revived.", code="not_dormant")
        project = claim.project.lock_for_claim(researcher=by)
        claim.state, claim.ended_at = self.State.ACTIVE, None
        claim.last_activity_at = timezone.now()
        try:
            with transaction.atomic():  # a savepoint: the constraint's refusal is a message
                claim.save(update_fields=["state", "ended_at", "last_activity_at"])
        except IntegrityError:
            raise ValidationError(
                "You already have an active claim on this project.", code="already_claimed"
            ) from None
        Event.record(project=project, actor=by, kind=Event.Kind.REVIVED, claim=claim)
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
