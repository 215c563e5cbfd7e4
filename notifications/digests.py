"""Digests: the notifications people chose to read once a day or once a week, one email each.

A daily digest's period starts each day at DIGEST_HOUR (the site's TIME_ZONE), a weekly
one's on Mondays at that hour. The first sweep after a period starts sends each person
one email with what was waiting for that digest when the period started, grouped by
project; anything newer waits for the next period, so a digest never goes out twice a
day (or a week), however often the sweep runs.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.mail import digest_email
from notifications.models import DIGESTS, Frequency, Notification


def period_start(frequency: str, now: datetime.datetime) -> tuple[str, datetime.datetime]:
    """The ``frequency`` digest period that ``now`` falls in: its name (``"2026-11-28"``,
    ``"2026-W48"``), part of the digest's key in the outbox, and when it started."""
    local = timezone.localtime(now)
    start = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        start -= datetime.timedelta(days=local.weekday())
    step = datetime.timedelta(days=7 if frequency == Frequency.WEEKLY else 1)
    if start > local:
        start -= step
    if frequency == Frequency.WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}", start
    return start.date().isoformat(), start


def digests_send_due() -> int:
    """Send every digest whose period has started and not yet gone out; how many went.

    Queries grow with the people who have a digest due, never with their notifications:
    one to find the people, then a fixed few for each.
    """
    now = timezone.now()
    sent = 0
    for frequency in DIGESTS:
        period, start = period_start(frequency, now)
        people = (
            Notification.objects.due_in(frequency, before=start)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        for person in list(people):
            sent += digest_send(
                recipient_id=person, frequency=frequency, period=period, start=start
            )
    return sent


@transaction.atomic
def digest_send(
    *, recipient_id: int, frequency: str, period: str, start: datetime.datetime
) -> bool:
    """Queue one person's digest of ``period`` and mark what it carries as mailed, in one
    transaction; True if queued.

    Two sweeps at once send it once: the person's row is locked first, and a sweep that
    finds it locked leaves them to the one holding it (locking their notifications one by
    one instead would let two sweeps each take a part). The email is keyed by person,
    frequency and period in the outbox too, so a sweep that finds the key used leaves what
    it found for the next period. Someone with no address or no active account has their
    waiting notifications marked without mail.
    """
    # FOR NO KEY UPDATE: it excludes another digest of theirs, yet not the inserts that
    # refer to them (a new notification, comment or event), which need only a key share.
    recipient = (
        get_user_model()
        .objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None:
        return False
    notifications = list(
        Notification.objects.due_in(frequency, before=start)
        .filter(recipient_id=recipient_id)
        .for_list()
    )
    if not notifications:
        return False
    queued = None
    if recipient.email and recipient.is_active:
        email = digest_email(
            recipient=recipient, frequency=frequency, period=period, notifications=notifications
        )
        queued = email.queue()
        if queued is None:
            return False
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        mailed_at=timezone.now()
    )
    return queued is not None
