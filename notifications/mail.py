"""The notification mail: one email per notification, the digests, and the signed one-click
unsubscribe link every one of them carries (RFC 8058)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.template.defaultfilters import pluralize
from django.urls import reverse

from notifications.models import ABOUT, Frequency, Notification, Preference, Topic
from notifications.outbox import Email

SALT = "notifications.unsubscribe"
# How many notifications a digest lists; the rest wait on the person's notifications page.
DIGEST_MOST = 100


def absolute(path: str) -> str:
    """A path of the site as a full address, for mail (which no request carries)."""
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(*, user_id: int, scope: str) -> str:
    """A signed token naming a person and the mail to stop (a ``Preference.unsubscribe``
    scope). It does not expire, since RFC 8058 asks that the link keep working, and using
    it twice changes nothing more."""
    return signing.dumps([user_id, scope], salt=SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The person and scope a token names. Raises ``signing.BadSignature`` for a token this
    site did not sign, or one that does not name a person and a scope it knows."""
    value = signing.loads(token, salt=SALT)
    if not (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
        and Preference.describe(value[1])
    ):
        raise signing.BadSignature("Not an unsubscribe token.")
    return value[0], value[1]


def unsubscribe_url(*, user_id: int, scope: str) -> str:
    """The full address of the one-click unsubscribe page for ``scope``."""
    token = unsubscribe_token(user_id=user_id, scope=scope)
    return absolute(reverse("notifications:unsubscribe", args=[token]))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The headers that let a mail program offer "Unsubscribe" and POST to ``url`` without
    opening it (RFC 2369 and RFC 8058)."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def topic_footer(*, user_id: int, topic: str) -> tuple[dict[str, str], dict[str, str]]:
    """For an email of ``topic`` that fan-out does not write (a claim's reminder, a decision
    on a proposal): the context of its footer (``unsubscribe_url``, which stops the topic's
    mail, ``settings_url`` and ``about``) and its one-click unsubscribe headers."""
    stop = unsubscribe_url(user_id=user_id, scope=f"topic:{topic}")
    context = {
        "unsubscribe_url": stop,
        "settings_url": absolute(reverse("notifications:preference-edit")),
        "about": ABOUT[Topic(topic)],
    }
    return context, unsubscribe_headers(stop)


def notification_email(notification: Notification) -> Email:
    """The email that tells one notification at once, keyed by the notification, with a
    link that stops its topic's mail."""
    recipient = notification.recipient
    stop = unsubscribe_url(user_id=recipient.pk, scope=f"topic:{notification.topic}")
    return Email(
        key=f"notification:{notification.pk}",
        to=recipient.email,
        recipient=recipient,
        subject=notification.headline,
        template="notifications/email/notification.txt",
        context={
            "recipient": recipient,
            "notification": notification,
            "link": absolute(notification.get_absolute_url()),
            "about": ABOUT[Topic(notification.topic)],
            "settings_url": absolute(reverse("notifications:preference-edit")),
            "unsubscribe_url": stop,
        },
        headers=unsubscribe_headers(stop),
    )


def by_project(notifications: list[Notification]) -> list[tuple[object, list[Notification]]]:
    """Notifications grouped by project, newest first within each, and the projects in the
    order of their newest notification."""
    groups: dict[int, tuple[object, list[Notification]]] = {}
    for notification in sorted(notifications, key=lambda n: (n.created_at, n.pk), reverse=True):
        event = notification.event
        groups.setdefault(event.project_id, (event.project, []))[1].append(notification)
    return list(groups.values())


def digest_email(
    *, recipient, frequency: str, period: str, notifications: list[Notification]
) -> Email:
    """One person's ``frequency`` digest of ``period`` (a date, or an ISO week): the newest
    DIGEST_MOST of ``notifications`` grouped by project, with links; keyed by person,
    frequency and period, so that a period's digest goes out once. Its unsubscribe link
    stops this digest (every topic it carries), not the other mail."""
    shown = sorted(notifications, key=lambda n: (n.created_at, n.pk), reverse=True)[:DIGEST_MOST]
    groups = by_project(shown)
    count = len(notifications)
    stop = unsubscribe_url(user_id=recipient.pk, scope=f"digest:{frequency}")
    projects = f"{len(groups)} project{pluralize(len(groups))}"
    label = Frequency(frequency).label.removeprefix("In a ").capitalize()
    return Email(
        key=f"digest:{frequency}:{recipient.pk}:{period}",
        to=recipient.email,
        recipient=recipient,
        subject=f"{label}: {count} notification{pluralize(count)} on {projects}",
        template="notifications/email/digest.txt",
        context={
            "recipient": recipient,
            "frequency": frequency,
            "groups": [
                {
                    "project": project,
                    "link": absolute(project.get_absolute_url()),
                    "items": [(n, absolute(n.get_absolute_url())) for n in items],
                }
                for project, items in groups
            ],
            "count": count,
            "more": count - len(shown),
            "list_url": absolute(reverse("notifications:notification-list")),
            "settings_url": absolute(reverse("notifications:preference-edit")),
            "unsubscribe_url": stop,
        },
        headers=unsubscribe_headers(stop),
    )
