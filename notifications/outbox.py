"""Queue an email: the one way the board sends mail."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from notifications.models import Delivery


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
    from notifications.tasks import deliver

    subject = " ".join(f"[{settings.SITE_NAME}] {subject}".split())[:300]
    body = render_to_string(
        template,
        {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL.rstrip("/"), **context},
    )
    try:
        with transaction.atomic():  # a savepoint: a duplicate key leaves the caller's work intact
            delivery = Delivery.objects.create(
                key=key[:200],
                to=to,
                recipient=recipient,
                subject=subject,
                body=body,
                headers=headers or {},
            )
    except IntegrityError:
        return None
    # After commit: a worker must never look for a row it cannot see yet. Should the
    # process die first, the sweep finds the row due and sends it.
    transaction.on_commit(lambda: deliver.enqueue(delivery.pk))
    return delivery


def deliver_due(*, limit: int = 500) -> int:
    """Try every due email of the outbox now (the sweep's retry); how many went out."""
    sent = 0
    for pk in (
        Delivery.objects.due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    ):
        sent += Delivery.send_now_or_later(pk)
    return sent
