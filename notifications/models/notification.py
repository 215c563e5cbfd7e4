"""Notifications: one person told of one event, in their list and, as they chose, by email."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.models.preference import DIGESTS, Frequency, Topic


class Reason(models.TextChoices):
    """Why someone hears of an event, said after "You hear of this because"."""

    REPLY = "reply", "it is a reply to you"
    MENTION = "mention", "it mentions you"
    YOUR_OUTPUT = "your_output", "it is about your output"
    YOUR_CLAIM = "your_claim", "it is about your claim"
    CLAIM = "claim", "you hold a claim on this project"
    INTEREST = "interest", "you want this project done"
    WATCHING = "watching", "you watch this project"


# Where a mention was written, by the kind of event that told it: the words between
# "mentioned you in" and the project's title.
MENTIONED_IN = {
    "commented": "a comment on",
    "comment_edited": "a comment on",
    "replied": "a reply on",
    "claimed": "their plan for",
    "checked_in": "a check-in on",
}


class NotificationQuerySet(models.QuerySet):
    """Reads of notifications."""

    def unread(self) -> NotificationQuerySet:
        """Notifications their recipient has not marked read."""
        return self.filter(read_at__isnull=True)

    def waiting(self) -> NotificationQuerySet:
        """Notifications a digest has yet to carry."""
        return self.filter(mail__in=DIGESTS, mailed_at__isnull=True)

    def due_in(self, frequency: str, *, before: datetime.datetime) -> NotificationQuerySet:
        """What the ``frequency`` digest whose period starts at ``before`` carries: waiting
        notifications of that frequency made before then."""
        return self.waiting().filter(mail=frequency, created_at__lt=before)

    def for_list(self) -> NotificationQuerySet:
        """Notifications as a list or a digest tells them, newest first: each with its event,
        the event's project, actor, comment and output joined in the same query. The
        project's search vector and the texts a line never shows stay in the database."""
        return (
            self.select_related(
                "event", "event__project", "event__actor", "event__comment", "event__output"
            )
            .defer(
                "event__project__search_vector",
                "event__project__description",
                "event__project__description_html",
                "event__project__summary",
                "event__project__summary_html",
                "event__project__imported_description",
                "event__actor__bio",
                "event__actor__bio_html",
                "event__actor__password",
                "event__comment__body",
            )
            .order_by("-created_at", "-pk")
        )

    def mark_read(self) -> int:
        """Unread -> read, now; returns how many. Never raises."""
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One person told of one event on a project they follow (or that is about them).

    Made by ``notifications.fanout.notify`` in the event's own transaction. ``mail`` is how
    it reaches them by email (their choice for its topic when it was made; a notification
    still waiting for a digest follows a later choice), ``mailed_at`` when it went.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "projects.Event", on_delete=models.CASCADE, related_name="notifications"
    )
    topic = models.CharField(max_length=20, choices=Topic.choices)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    mail = models.CharField(max_length=10, choices=Frequency.choices)
    mailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["mail", "created_at"],
                condition=models.Q(mailed_at__isnull=True, mail__in=DIGESTS),
                name="notification_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}"

    def get_absolute_url(self) -> str:
        """Where it happened: the event's place on its project's page; for the linker of a
        rejected output, the output itself, which only they (and curators) see there; for a
        reminder about a claim, the project's claim panel, where its holder says "Still on
        it", checks in, or revives the claim; for a mention in a claim's plan, that claim."""
        if self.topic == Topic.MENTIONS and self.event.claim_id and not self.event.comment_id:
            return self.event.project.get_absolute_url() + f"#claim-{self.event.claim_id}"
        if self.topic == Topic.REMINDERS:
            return self.event.project.get_absolute_url() + "#claim-panel"
        if self.is_own_rejected_output:
            return self.event.output.get_absolute_url()
        return self.event.get_absolute_url()

    @property
    def phrase(self) -> tuple[str, str]:
        """The words before and after the project's title, after the actor's name:
        ``Event.phrase``, except that a mention says where it is ("mentioned you in a
        comment on")."""
        if self.topic == Topic.MENTIONS:
            return (f"mentioned you in {MENTIONED_IN.get(self.event.kind, 'a text on')}", "")
        return self.event.phrase

    @property
    def headline(self) -> str:
        """The notification in one plain sentence, for an email's subject or a digest's
        line: "Ada mentioned you in a comment on “Title”"."""
        before, after = self.phrase
        title = f"“{self.event.project.title}”"
        return " ".join(filter(None, [self.event.actor_name, before, title, after]))

    @property
    def is_unread(self) -> bool:
        """Whether its recipient has yet to mark it read."""
        return self.read_at is None

    @property
    def is_own_rejected_output(self) -> bool:
        """Whether it tells the recipient of their own output, which a curator rejected."""
        output = self.event.output if self.event.output_id else None
        return bool(output and output.is_rejected and output.submitted_by_id == self.recipient_id)

    @property
    def summary(self) -> str:
        """What the event touched, as its recipient may read it: ``Event.summary`` (never a
        hidden comment's text nor a rejected output's title), except that the linker of a
        rejected output reads its title."""
        if self.is_own_rejected_output:
            return self.event.output.title
        return self.event.summary
