"""What people hear of, and how often: topics, frequencies, and each person's choices."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone


class Topic(models.TextChoices):
    """What a notification is about; each person chooses how often they hear of each."""

    REPLIES = "replies", "Replies to your comments"
    MENTIONS = "mentions", "Mentions of you"
    DECISIONS = "decisions", "Decisions on your outputs"
    CLAIMS = "claims", "Claims: new, checked in, completed, released"
    COMMENTS = "comments", "Comments"
    OUTPUTS = "outputs", "Outputs linked and accepted"
    STATUS = "status", "Status changes"
    FREE_AGAIN = "free_again", "A project you want done is free again"
    REMINDERS = "reminders", "Reminders about your claims"
    PROPOSALS = "proposals", "Decisions on your proposals"


class Frequency(models.TextChoices):
    """How a topic reaches someone by email. The list on the site shows every notification,
    whatever the choice: "never" stops the email, not the notice."""

    AT_ONCE = "at_once", "At once, one email each"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest"
    NEVER = "never", "Never by email"


# Each topic as the object of "email about ...", for unsubscribe pages and mail footers.
ABOUT = {
    Topic.REPLIES: "replies to your comments",
    Topic.MENTIONS: "mentions of you",
    Topic.DECISIONS: "decisions on your outputs",
    Topic.CLAIMS: "claims",
    Topic.COMMENTS: "comments",
    Topic.OUTPUTS: "outputs",
    Topic.STATUS: "status changes",
    Topic.FREE_AGAIN: "projects you want done coming free",
    Topic.REMINDERS: "your claims going quiet or nearing their target date",
    Topic.PROPOSALS: "decisions on your proposals",
}

# The two digests, in the order the sweep sends them.
DIGESTS = (Frequency.DAILY, Frequency.WEEKLY)

# What someone who never chose hears: what is about them at once, the rest once a day.
DEFAULTS = {
    Topic.REPLIES: Frequency.AT_ONCE,
    Topic.MENTIONS: Frequency.AT_ONCE,
    Topic.DECISIONS: Frequency.AT_ONCE,
    Topic.CLAIMS: Frequency.DAILY,
    Topic.COMMENTS: Frequency.DAILY,
    Topic.OUTPUTS: Frequency.DAILY,
    Topic.STATUS: Frequency.DAILY,
    Topic.FREE_AGAIN: Frequency.DAILY,
    Topic.REMINDERS: Frequency.AT_ONCE,
    Topic.PROPOSALS: Frequency.AT_ONCE,
}

# The choices each topic offers. A reminder is news for now (its one-click links, the
# grace period, a date days away) and a decision on a proposal comes once per proposal:
# a digest would only make them late, so for them it is at once or never.
ONE_BY_ONE = (Frequency.AT_ONCE, Frequency.NEVER)
FREQUENCIES = {
    topic: ONE_BY_ONE if topic in (Topic.REMINDERS, Topic.PROPOSALS) else tuple(Frequency)
    for topic in Topic
}


def _choice(topic: Topic) -> models.CharField:
    """The column that holds one topic's frequency, defaulting to DEFAULTS."""
    return models.CharField(
        topic.label,
        max_length=10,
        choices=[(f.value, f.label) for f in FREQUENCIES[topic]],
        default=DEFAULTS[topic].value,
    )


class Preference(models.Model):
    """How one person hears of each topic by email: one column per topic. A person without
    a row has the defaults (``Preference.of`` reads either)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    replies = _choice(Topic.REPLIES)
    mentions = _choice(Topic.MENTIONS)
    decisions = _choice(Topic.DECISIONS)
    claims = _choice(Topic.CLAIMS)
    comments = _choice(Topic.COMMENTS)
    outputs = _choice(Topic.OUTPUTS)
    status = _choice(Topic.STATUS)
    free_again = _choice(Topic.FREE_AGAIN)
    reminders = _choice(Topic.REMINDERS)
    proposals = _choice(Topic.PROPOSALS)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "notification preference"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{topic}__in": [f.value for f in FREQUENCIES[topic]]}),
                name=f"preference_{topic}_valid",
            )
            for topic in Topic.values
        ]

    def __str__(self) -> str:
        return f"What {self.user_id} hears of"

    @classmethod
    def of(cls, user) -> Preference:
        """``user``'s choices: their row, read through ``select_related`` when the query
        joined it (no query then), else the defaults, unsaved."""
        try:
            return user.notification_preference
        except cls.DoesNotExist:
            return cls(user=user)

    def choice(self, topic: str) -> str:
        """How often this person hears of ``topic`` by email: a ``Frequency`` value."""
        return getattr(self, Topic(topic).value)

    def choices(self) -> dict[str, str]:
        """Every topic's frequency, in the order of ``Topic``."""
        return {topic: self.choice(topic) for topic in Topic.values}

    @transaction.atomic
    def choose(self, **choices: str) -> list[str]:
        """Set how often each topic named reaches this person; returns the topics changed.

        Notifications still waiting for a digest follow their topic's new choice: into the
        other digest, out of mail ("never"), or, for "at once", into the next daily digest.
        Raises ValidationError(code="topic"|"frequency") for an unknown topic or frequency.
        """
        from notifications.models.notification import Notification

        for topic, frequency in choices.items():
            if topic not in Topic.values:
                raise ValidationError(f"There is no topic “{topic}”.", code="topic")
            if frequency not in FREQUENCIES[Topic(topic)]:
                raise ValidationError(
                    f"Choose how often you hear of {Topic(topic).label.lower()}.",
                    code="frequency",
                )
        # The row under a lock, so that a settings form and an unsubscribe racing for the
        # same person apply one after the other.
        preference, _ = Preference.objects.select_for_update().get_or_create(user_id=self.user_id)
        changed = [t for t, f in choices.items() if preference.choice(t) != f]
        if not changed:
            return []
        for topic in changed:
            setattr(preference, topic, choices[topic])
            frequency = choices[topic]
            waiting_now = Frequency.DAILY if frequency == Frequency.AT_ONCE else frequency
            Notification.objects.filter(recipient_id=self.user_id, topic=topic).waiting().update(
                mail=waiting_now
            )
        preference.updated_at = timezone.now()
        preference.save(update_fields=[*changed, "updated_at"])
        for name in (*changed, "pk", "updated_at"):
            setattr(self, name, getattr(preference, name))
        return changed

    @transaction.atomic
    def unsubscribe(self, scope: str) -> list[str]:
        """Stop the mail ``scope`` names: one topic (``"topic:comments"``) or every topic a
        digest carries (``"digest:daily"``). Returns the topics now "never"; doing it twice
        changes nothing. Raises ValidationError(code="scope") for a scope it cannot read."""
        kind, _, name = scope.partition(":")
        if kind == "topic" and name in Topic.values:
            topics = [name]
        elif kind == "digest" and name in DIGESTS:
            # Read under the lock ``choose`` takes too: what the digest carries right now.
            current = Preference.objects.select_for_update().filter(user_id=self.user_id).first()
            carried = (current or self).choices().items()
            topics = [topic for topic, frequency in carried if frequency == name]
        else:
            raise ValidationError("This link does not say what to stop.", code="scope")
        self.choose(**dict.fromkeys(topics, Frequency.NEVER))
        return topics

    @staticmethod
    def describe(scope: str) -> str:
        """What ``scope`` stops, in words for the unsubscribe page: "email about comments",
        "the daily digest"; empty for a scope it cannot read."""
        kind, _, name = scope.partition(":")
        if kind == "topic" and name in Topic.values:
            return f"email about {ABOUT[Topic(name)]}"
        if kind == "digest" and name in DIGESTS:
            return f"the {name} digest"
        return ""
