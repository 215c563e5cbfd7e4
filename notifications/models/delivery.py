"""The outbox: every email the board sends is a row here before it is a message."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# After a failed attempt, wait 1, 2, 4 ... minutes, at most six hours; give up after a day
# and a half of trying (the failure stays on record for an administrator).
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=6)
MAX_ATTEMPTS = 14


class DeliveryQuerySet(models.QuerySet):
    """Reads of the outbox."""

    def due(self) -> DeliveryQuerySet:
        """Emails waiting to go out whose next attempt is now or past."""
        return self.filter(state=Delivery.State.PENDING, next_attempt_at__lte=timezone.now())


class Delivery(models.Model):
    """One email to one person, written in the same transaction as the change it reports.

    A change that rolls back takes its email with it; one that commits leaves it here until
    a worker sends it (at once after the commit, or on a later try if the mail server was
    away). ``key`` names what the email is about, so the same news is never queued twice.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="delivery_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.get_state_display().lower()})"

    def message(self) -> EmailMultiAlternatives:
        """The email as Django's mail backends send it."""
        return EmailMultiAlternatives(
            subject=self.subject, body=self.body, to=[self.to], headers=self.headers
        )

    @classmethod
    def send_now_or_later(cls, pk: int) -> bool:
        """Send this email if it is still due and no other worker holds it; True if sent.

        The row stays locked while the mail server talks, so two workers (or two sweeps)
        never send it twice: the second skips the locked row, then finds it sent. A failure
        leaves it pending with a later ``next_attempt_at``; the sweep tries again.
        """
        with transaction.atomic():
            delivery = cls.objects.due().select_for_update(skip_locked=True).filter(pk=pk).first()
            if delivery is None:
                return False
            now = timezone.now()
            delivery.attempts += 1
            try:
                delivery.message().send()
            except Exception as error:  # any failure of the mail server or its connection
                delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.state = cls.State.FAILED
                    logger.error("Gave up sending delivery %s: %s", pk, delivery.last_error)
                else:
                    wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
                    delivery.next_attempt_at = now + wait
                    logger.warning("Could not send delivery %s, retrying: %s", pk, error)
                delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
                return False
            delivery.state, delivery.sent_at = cls.State.SENT, now
            delivery.save(update_fields=["attempts", "state", "sent_at"])
            return True
