"""Queue an email: the one way the board sends mail."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from notifications.models import Delivery


@dataclass(frozen=True)
class Email:
    """One email to queue (see ``queue_email`` for what each part means)."""

    key: str
    to: str
    subject: str
    template: str
    context: dict
    recipient: object = None
    headers: dict = field(default_factory=dict)

    def delivery(self) -> Delivery:
        """The outbox row for it, unsaved: subject on one line, body rendered."""
        subject = " ".join(f"[{settings.SITE_NAME}] {self.subject}".split())[:300]
        body = render_to_string(
            self.template,
            {
                "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL.rstrip("/"),
                **self.context,
            },
        )
        return Delivery(
            key=self.key[:200],
            to=self.to,
            recipient=self.recipient,
            subject=subject,
            body=body,
            headers=self.headers or {},
        )

    def queue(self) -> Delivery | None:
        """Queue it (see ``queue_email``); None when its key was used already."""
        delivery = self.delivery()
        # A savepoint: a duplicate key leaves the caller's work intact.
        try:
            with transaction.atomic():
                delivery.save(force_insert=True)
        except IntegrityError:
            return None
        _send_after_commit([delivery.pk])
        return delivery


def queue_email(
    *,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    recipient=None,
    headers: dict | None = None,
) -> Delivery | None:
    """Put an email in the outbox, in the caller's transaction, and send it after commit.

    ``key`` names the news (e.g. ``"reminder:claim:12:2026-11-28"``): an email already
    queued under it is not queued again, and None is returned. The subject is prefixed with
    the site's name and kept to one line; ``template`` renders the plain-text body, with
    ``site_name`` and ``site_url`` added to ``context``.
    """
    return Email(key, to, subject, template, context, recipient, headers or {}).queue()


def queue_emails(emails: list[Email]) -> list[Delivery]:
    """Put many emails in the outbox at once, in the caller's transaction, and send them
    after commit: a fixed number of queries however many there are (a news item with a
    thousand readers costs what one with a single reader does).

    As with ``queue_email``, a key already used (in the outbox or twice in ``emails``) is
    not queued again; returns the rows queued. For keys that name rows the caller has just
    made (a notification's), which no other transaction can be queueing at the same time.
    """
    if not emails:
        return []
    used = set(
        Delivery.objects.filter(key__in=[e.key[:200] for e in emails]).values_list("key", flat=True)
    )
    fresh = {}
    for email in emails:
        if email.key[:200] not in used:
            fresh.setdefault(email.key[:200], email)
    deliveries = Delivery.objects.bulk_create([email.delivery() for email in fresh.values()])
    _send_after_commit([delivery.pk for delivery in deliveries])
    return deliveries


def _send_after_commit(pks: list[int]) -> None:
    """Enqueue a send of each row once the caller's transaction commits.

    After commit: a worker must never look for a row it cannot see yet. Should the process
    die first, the sweep finds the rows due and sends them.
    """
    from notifications.tasks import deliver

    if pks:
        transaction.on_commit(lambda: [deliver.enqueue(pk) for pk in pks])


def deliver_due(*, limit: int = 500) -> int:
    """Try every due email of the outbox now (the sweep's retry); how many went out."""
    sent = 0
    for pk in (
        Delivery.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ):
        sent += Delivery.send_now_or_later(pk)
    return sent
