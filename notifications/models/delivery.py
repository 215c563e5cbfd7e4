"""The outbox: every email the board sends is a row here before it is a message."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)

# After a failed attempt, wait 1, 2, 4 ... minutes, at most six hours; give up after about
# eight days of trying, past a claim reminder's grace period (the failure stays on record,
# and an administrator can try again from the admin).
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=6)
MAX_ATTEMPTS = 40
# How long a worker holds an email it took: far longer than a send (EMAIL_TIMEOUT).
LEASE = datetime.timedelta(minutes=10)


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
        """Send this email if it is still due and no other worker took it; True if sent.

        A worker takes the email with one conditional UPDATE (due, and pushed a lease
        ahead), so of two workers or sweeps only one wins, on any database, and no lock or
        transaction is held while the mail server talks. A failure sets the next attempt
        later; should the process die mid-send, the lease runs out and the sweep tries
        again.
        """
        now = timezone.now()
        taken = (
            cls.objects.due()
            .filter(pk=pk)
            .update(next_attempt_at=now + LEASE, attempts=models.F("attempts") + 1)
        )
        if not taken:
            return False
        delivery = cls.objects.get(pk=pk)
        try:
            delivery.message().send()
        except Exception as error:  # any failure of the mail server or its connection
            error_text = f"{type(error).__name__}: {error}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                changes = {"state": cls.State.FAILED}
                logger.error("Gave up sending delivery %s: %s", pk, error_text)
            else:
                wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
                changes = {"next_attempt_at": timezone.now() + wait}
                logger.warning("Could not send delivery %s, retrying: %s", pk, error_text)
            cls.objects.filter(pk=pk).update(last_error=error_text, **changes)
            return False
        cls.objects.filter(pk=pk).update(state=cls.State.SENT, sent_at=timezone.now())
        return True

    def try_again(self) -> None:
        """Failed (or waiting) -> due now, with a fresh count of attempts (an administrator,
        once the mail server is back)."""
        type(self).objects.filter(pk=self.pk).exclude(state=self.State.SENT).update(
            state=self.State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
