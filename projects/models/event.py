"""The event log: everything that happened to a project, for its history, its feeds and the
board's activity page."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from projects.markdown import html_to_text
from projects.querysets import EventQuerySet
from projects.search import refresh_search_vector

# How long a comment's text may run in a feed entry's summary or on the activity page.
SUMMARY_LENGTH = 280


class Event(models.Model):
    """One thing that happened to a project: who did what, when, and to which object."""

    class Kind(models.TextChoices):
        CLAIMED = "claimed", "claimed this project"
        CHECKED_IN = "checked_in", "checked in"
        COMPLETED = "completed", "completed their claim"
        RELEASED = "released", "released a claim"
        CONFIRMED = "confirmed", "said they are still on it"
        WENT_DORMANT = "went_dormant", "went quiet; the claim is dormant"
        REVIVED = "revived", "revived their claim"
        CLAIM_REMINDED = "claim_reminded", "reminded the holder of a quiet claim"
        TARGET_REMINDED = "target_reminded", "reminded the holder of a near target date"
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
        CLAIM_WINDOW_SET = "claim_window_set", "set how long a claim may stay silent"
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
    # researcher and the curators (flags, proposals and their notes, rejections), and what
    # the sweep tells a claim's holder alone (its reminders, which have no actor).
    PRIVATE_KINDS = (
        Kind.CLAIM_REMINDED,
        Kind.TARGET_REMINDED,
        Kind.WATCHED,
        Kind.UNWATCHED,
        Kind.COMMENT_FLAGGED,
        Kind.FLAGS_DISMISSED,
        Kind.PROPOSED,
        Kind.EDIT_PROPOSED,
        Kind.PROPOSAL_REJECTED,
    )

    # How an event is told away from its project's page (a feed entry, a line of the activity
    # page): the words before the project's title, and any after it.
    PHRASES = {
        Kind.CLAIMED: ("claimed", ""),
        Kind.CHECKED_IN: ("checked in on", ""),
        Kind.COMPLETED: ("completed their claim on", ""),
        Kind.RELEASED: ("released a claim on", ""),
        Kind.CONFIRMED: ("said they are still on", ""),
        Kind.WENT_DORMANT: ("went quiet on", "(the claim is dormant)"),
        Kind.REVIVED: ("revived their claim on", ""),
        Kind.COMMENTED: ("commented on", ""),
        Kind.REPLIED: ("replied to a comment on", ""),
        Kind.COMMENT_EDITED: ("edited a comment on", ""),
        Kind.COMMENT_DELETED: ("deleted a comment on", ""),
        Kind.COMMENT_HIDDEN: ("hid a comment on", ""),
        Kind.COMMENT_UNHIDDEN: ("restored a hidden comment on", ""),
        Kind.OUTPUT_LINKED: ("linked an output to", ""),
        Kind.OUTPUT_ACCEPTED: ("accepted an output of", ""),
        Kind.OUTPUT_REJECTED: ("rejected an output of", ""),
        Kind.INTERESTED: ("wants", "done"),
        Kind.UNINTERESTED: ("withdrew their interest in", ""),
        Kind.STATUS_CHANGED: ("changed the status of", ""),
        Kind.TEXT_EDITED: ("edited", ""),
        Kind.CLAIM_LIMIT_SET: ("set the claim limit of", ""),
        Kind.CLAIM_WINDOW_SET: ("set how long a claim may stay silent on", ""),
        Kind.TAGS_CHANGED: ("changed the tags of", ""),
        Kind.ADDED: ("added", ""),
        Kind.PROPOSAL_APPROVED: ("approved a proposal for", ""),
        Kind.MERGED: ("merged a duplicate into", ""),
    }

    # What changes nothing search reads (a project's title, description, summary, shown
    # comments and outputs' titles): every other kind refreshes the project's search vector.
    # A kind missing here costs one needless UPDATE; a kind wrongly here, stale search.
    UNINDEXED_KINDS = frozenset(
        {
            Kind.CLAIMED,
            Kind.CHECKED_IN,
            Kind.COMPLETED,
            Kind.RELEASED,
            Kind.CONFIRMED,
            Kind.WENT_DORMANT,
            Kind.REVIVED,
            Kind.CLAIM_REMINDED,
            Kind.TARGET_REMINDED,
            Kind.INTERESTED,
            Kind.UNINTERESTED,
            Kind.STATUS_CHANGED,
            Kind.CLAIM_LIMIT_SET,
            Kind.CLAIM_WINDOW_SET,
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

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    claim = models.ForeignKey(
        "projects.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        "projects.Comment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    output = models.ForeignKey(
        "projects.Output", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    # For a merge: the other project, which the kept project absorbed or was absorbed into.
    other_project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="event_project_recent_idx"),
            # The feeds' and the activity page's newest first, across projects.
            models.Index(fields=["-created_at", "-id"], name="event_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_kind_display()} ({self.project_id})"

    def get_absolute_url(self) -> str:
        """Where it shows on its project's page: at its comment (or the placeholder left in
        its place), at its output when everyone sees it, else in the history."""
        if self.comment_id:  # the permalink finds the discussion page that holds it
            return reverse("projects:comment-permalink", args=[self.comment_id])
        url = self.project.get_absolute_url()
        if self.shown_output:
            return f"{url}#output-{self.output_id}"
        return f"{url}#history"

    @property
    def actor_name(self) -> str:
        """Who did it, by their public name; "Someone" once their account is gone."""
        return self.actor.public_name if self.actor else "Someone"

    @property
    def phrase(self) -> tuple[str, str]:
        """The words before and after the project's title when the event is told on its own:
        ("claimed", "") in "Ada claimed “Title”", ("wants", "done") in "Ada wants “Title” done"."""
        return self.PHRASES.get(self.kind, (f"{self.get_kind_display()}:", ""))

    @property
    def headline(self) -> str:
        """The event in one plain sentence, for a feed entry's title: "Ada claimed “Title”"."""
        before, after = self.phrase
        return " ".join(filter(None, [self.actor_name, before, f"“{self.project.title}”", after]))

    @property
    def shown_comment(self):
        """Its comment while everyone may read it; None when hidden, deleted or gone."""
        return self.comment if self.comment_id and self.comment.is_shown else None

    @property
    def shown_output(self):
        """Its output unless a curator rejected it (a rejected output's title stays with its
        linker and the curators); None otherwise."""
        return self.output if self.output_id and not self.output.is_rejected else None

    @property
    def summary(self) -> str:
        """What it touched, in a line of plain text: the comment's text while it is shown, the
        output's title unless it was rejected, else the event's note (maybe empty)."""
        if comment := self.shown_comment:
            return Truncator(html_to_text(comment.body_html)).chars(SUMMARY_LENGTH)
        if output := self.shown_output:
            return output.title
        return self.note

    @classmethod
    def record(
        cls,
        *,
        project,
        actor,
        kind: str,
        note: str = "",
        mentioned: Collection[str] = (),
        **objects,
    ) -> Event:
        """Log an event, count it as activity on the actor's active claim on the project,
        refresh the project's search vector unless the kind is in UNINDEXED_KINDS, and tell
        the people it concerns (``notifications.fanout.notify``), with those whose
        usernames ``mentioned`` names, the mentions the change added.

        Every change to what search reads records an event after it is made, so this is the
        one place that keeps search current (see ``refresh_search_vector``); every change
        anyone hears of, likewise, so notifications are made in the change's transaction.
        """
        from notifications.fanout import notify
        from projects.models.claim import Claim

        event = cls.objects.create(
            project=project, actor=actor, kind=kind, note=note[:300], **objects
        )
        # Activity answers any reminder: the next silence earns a reminder of its own. An
        # event without an actor (the sweep's reminders) is nobody's activity.
        if actor is not None:
            Claim.objects.active().filter(project=project, researcher=actor).update(
                last_activity_at=event.created_at, stale_reminded_at=None
            )
        if kind not in cls.UNINDEXED_KINDS:
            refresh_search_vector(event.project_id)
        notify(event, mentioned=mentioned)
        return event
