"""The event log: everything that happened to a project, for its history and later its feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.querysets import EventQuerySet
from projects.search import refresh_search_vector


class Event(models.Model):
    """One thing that happened to a project: who did what, when, and to which object."""

    class Kind(models.TextChoices):
        CLAIMED = "claimed", "claimed this project"
        CHECKED_IN = "checked_in", "checked in"
        COMPLETED = "completed", "completed their claim"
        RELEASED = "released", "released a claim"
        COMMENTED = "commented", "commented"
        REPLIED = "replied", "replied to a comment"
        COMMENT_EDITED = "comment_edited", "edited a comment"
        COMMENT_DELETED = "comment_deleted", "deleted a comment"
        COMMENT_HIDDEN = "comment_hidden", "hid a comment"
        COMMENT_UNHIDDEN = "comment_unhidden", "restored a hidden comment"
        OUTPUT_LINKED = "output_linked", "linked an output"
        OUTPUT_ACCEPTED = "output_accepted", "accepted an output"
        OUTPUT_REJECTED = "output_rejected", "rejected an output"
        INTERESTED = "interested", "wants this done"
        UNINTERESTED = "uninterested", "withdrew their interest"
        STATUS_CHANGED = "status_changed", "changed the status"
        TEXT_EDITED = "text_edited", "edited the project"
        CLAIM_LIMIT_SET = "claim_limit_set", "set the claim limit"
        TAGS_CHANGED = "tags_changed", "changed the tags"
        ADDED = "added", "added this project"
        PROPOSED = "proposed", "proposed this project"
        EDIT_PROPOSED = "edit_proposed", "proposed an edit"
        PROPOSAL_APPROVED = "proposal_approved", "approved a proposal"
        PROPOSAL_REJECTED = "proposal_rejected", "rejected a proposal"
        COMMENT_FLAGGED = "comment_flagged", "flagged a comment"
        FLAGS_DISMISSED = "flags_dismissed", "dismissed the flags on a comment"
        MERGED = "merged", "merged a duplicate"
        WATCHED = "watched", "started watching"
        UNWATCHED = "unwatched", "stopped watching"

    # What the public history leaves out: personal toggles, and what passes between a
    # researcher and the curators (flags, proposals and their notes, rejections).
    PRIVATE_KINDS = (
        Kind.WATCHED,
        Kind.UNWATCHED,
        Kind.COMMENT_FLAGGED,
        Kind.FLAGS_DISMISSED,
        Kind.PROPOSED,
        Kind.EDIT_PROPOSED,
        Kind.PROPOSAL_REJECTED,
    )

    # What changes nothing search reads (a project's title, description, summary, shown
    # comments and outputs' titles): every other kind refreshes the project's search vector.
    # A kind missing here costs one needless UPDATE; a kind wrongly here, stale search.
    UNINDEXED_KINDS = frozenset(
        {
            Kind.CLAIMED,
            Kind.CHECKED_IN,
            Kind.COMPLETED,
            Kind.RELEASED,
            Kind.INTERESTED,
            Kind.UNINTERESTED,
            Kind.STATUS_CHANGED,
            Kind.CLAIM_LIMIT_SET,
            Kind.TAGS_CHANGED,
            Kind.EDIT_PROPOSED,
            Kind.PROPOSAL_APPROVED,
            Kind.PROPOSAL_REJECTED,
            Kind.COMMENT_FLAGGED,
            Kind.FLAGS_DISMISSED,
            Kind.WATCHED,
            Kind.UNWATCHED,
        }
    )

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    claim = models.ForeignKey(
        "projects.Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "projects.Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    output = models.ForeignKey(
        "projects.Output", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # For a merge: the other project, which the kept project absorbed or was absorbed into.
    other_project = models.ForeignKey(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["project", "-created_at"], name="event_project_recent_idx")]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} ({self.project_id})"

    @classmethod
    def record(cls, *, project, actor, kind: str, note: str = "", **objects) -> Event:
        """Log an event, count it as activity on the actor's active claim on the project, and
        refresh the project's search vector unless the kind is in UNINDEXED_KINDS.

        Every change to what search reads records an event after it is made, so this is the
        one place that keeps search current (see ``refresh_search_vector``).
        """
        from projects.models.claim import Claim

        event = cls.objects.create(
            project=project, actor=actor, kind=kind, note=note[:300], **objects
        )
        Claim.objects.active().filter(project=project, researcher=actor).update(
            last_activity_at=event.created_at
        )
        if kind not in cls.UNINDEXED_KINDS:
            refresh_search_vector(event.project_id)
        return event
