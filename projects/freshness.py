"""Claims that stay true: the sweep's reminders and dormancy, and a reminder's one-click links.

A claim silent for longer than its project's window is stale; its holder gets one reminder
email per silence, with two one-click links ("I'm still on it", "Release it"). With still no
word CLAIM_GRACE_DAYS later, the claim turns dormant (``Claim.go_dormant``). A claim's holder
is also reminded once, TARGET_REMINDER_DAYS ahead, of each target date they set.

Each reminder is a private event without an actor (so it is nobody's activity), which
tells the holder in their notifications; the email goes unless they chose "never" for
reminders, and carries the one-click unsubscribe of every notification email. Whether it
goes or not, the grace period runs the same for everyone.

Each step is one idempotent pass that ``manage.py sweep`` runs (``notifications.sweep``):
safe at any frequency and with two sweeps at once. Rows are locked with
``select_for_update(skip_locked=True)`` (on PostgreSQL; SQLite runs one writer at a time),
updated only while they are still due, and every email is keyed in the outbox by its claim
and its silence or date, so that it is queued once.

The links are signed (salted, so no other signed value of the board can stand in for one),
expire a little after the grace period, and are bound to their reminder: once the claim
moves on (activity since, a newer reminder, or no longer active) they are refused. A GET
shows what the link will do and one button; only the POST acts, so mail scanners that
follow links change nothing. No sign-in is needed: the link is the holder's key.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from notifications.mail import absolute, topic_footer
from notifications.models import Frequency, Preference, Topic
from notifications.outbox import queue_email
from projects.models import Claim, Event

SALT = "projects.freshness.reminder-link"
# A link outlives the grace period by this much, so that one clicked on its last day works.
LINK_SLACK = datetime.timedelta(days=3)
# Rows locked and written per transaction.
BATCH = 200


class LinkAction(models.TextChoices):
    """What a reminder's one-click link does, and its button."""

    CONFIRM = "still-on-it", "I'm still on it"
    RELEASE = "release", "Release it"


class LinkRefused(ValidationError):
    """A one-click link that cannot act (code "invalid", "expired", "used" or "ended"), with
    the claim it names when the signature is genuine, to link its project."""

    def __init__(self, message: str, *, code: str, claim: Claim | None = None) -> None:
        super().__init__(message, code=code)
        self.claim = claim


@dataclass(frozen=True)
class ReminderLink:
    """A reminder's one-click link, read and checked: the claim it acts on, and how."""

    claim: Claim
    action: str

    @property
    def label(self) -> str:
        """The button's words."""
        return LinkAction(self.action).label

    @property
    def done_message(self) -> str:
        """What the project page says once the link has acted."""
        if self.action == LinkAction.CONFIRM:
            return "Thank you: your claim stays active, and the board shows you are on it."
        return "Your claim is released. Thank you for saying so: others may take it up now."


def link_lifetime() -> datetime.timedelta:
    """How long a reminder's links work: the grace period and a little more."""
    return datetime.timedelta(days=settings.CLAIM_GRACE_DAYS) + LINK_SLACK


def reminder_token(claim: Claim, action: str) -> str:
    """The signed token of one of ``claim``'s links, bound to its latest reminder."""
    payload = {"c": claim.pk, "r": claim.stale_reminded_at.isoformat(), "a": action}
    return signing.dumps(payload, salt=SALT, compress=True)


def reminder_link(claim: Claim, action: str) -> str:
    """The absolute address of one of ``claim``'s one-click links (for an email)."""
    path = reverse("projects:claim-reminder-link", args=[reminder_token(claim, action)])
    return settings.SITE_URL.rstrip("/") + path


def read_reminder_link(token: str, *, lock: bool = False) -> ReminderLink:
    """The claim and action a token names, while the link may still act; with ``lock``, the
    claim's row stays locked until the caller's transaction ends.

    Raises LinkRefused with code "invalid" (tampered, cut short, or its claim is gone),
    "expired", "closed" (its holder's account was deactivated), "used" (the holder was
    heard from since the reminder, or was reminded again)
    or "ended" (the claim is no longer active).
    """
    try:
        payload, expired = signing.loads(token, salt=SALT, max_age=link_lifetime()), False
    except signing.SignatureExpired:
        # Genuine but old: still good enough to say which project it was about.
        payload, expired = signing.loads(token, salt=SALT), True
    except signing.BadSignature:
        payload, expired = None, False
    try:
        pk, reminded, action = payload["c"], payload["r"], LinkAction(payload["a"])
        claims = Claim.objects.select_related("project", "researcher")
        if lock:
            claims = claims.select_for_update(of=("self",))
        claim = claims.get(pk=pk)
    except (TypeError, KeyError, ValueError, Claim.DoesNotExist):
        raise LinkRefused(
            "This link is not one we sent, or part of it is missing. Copy the whole "
            "address from the email, or open the project's page instead.",
            code="invalid",
        ) from None
    if expired:
        raise LinkRefused(
            "This link has expired. You can still do the same on the project's page.",
            code="expired",
            claim=claim,
        )
    if not claim.researcher.is_active:
        raise LinkRefused(
            "The account this link was sent to is closed, so the link can no longer act.",
            code="closed",
            claim=claim,
        )
    if not claim.is_active:
        said = "went dormant" if claim.is_dormant else f"was {claim.get_state_display().lower()}"
        raise LinkRefused(
            f"This claim {said} since the reminder, so the link has nothing left to do.",
            code="ended",
            claim=claim,
        )
    if (
        claim.stale_reminded_at is None
        or claim.stale_reminded_at.isoformat() != reminded
        or claim.last_activity_at > claim.stale_reminded_at
    ):
        raise LinkRefused(
            "This link has already done its work: you have been active on the project since "
            "the reminder (or used one of its links), and your claim is fresh.",
            code="used",
            claim=claim,
        )
    return ReminderLink(claim=claim, action=action)


@transaction.atomic
def use_reminder_link(token: str) -> ReminderLink:
    """Do what a one-click link says, for the claim's holder: say they are still on it, or
    release the claim. Checked under the claim's row lock, so a link acts once.

    Raises LinkRefused like ``read_reminder_link``.
    """
    link = read_reminder_link(token, lock=True)
    if link.action == LinkAction.CONFIRM:
        link.claim.confirm()
    else:
        link.claim.release(reason=Claim.ReleaseReason.OTHER, note="Released from a reminder")
    return link


# The sweep's steps


def _each_due(due: models.QuerySet, act: Callable[[Claim], bool]) -> int:
    """Apply ``act`` to each claim of ``due`` (with its project and holder), a batch at a
    time, each batch locked inside its own transaction (rows another sweep holds are
    skipped); how many it acted on (``act`` returns whether it did)."""
    pks = list(due.values_list("pk", flat=True))
    done = 0
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            claims = (
                due.filter(pk__in=pks[start : start + BATCH])
                .select_related("project", "researcher__notification_preference")
                .select_for_update(skip_locked=True, of=("self",))
            )
            done += sum(act(claim) for claim in claims)
    return done


def _can_email(user) -> bool:
    """Whether a reminder may go to ``user`` by email: an active account with an address,
    and reminders not turned off in their notification settings."""
    wanted = Preference.of(user).choice(Topic.REMINDERS) != Frequency.NEVER
    return bool(user.is_active and user.email and wanted)


def remind_stale_claims() -> int:
    """Remind each stale claim's holder once per silence, in their notifications and by
    email with the two one-click links; how many claims were reminded. A holder without an
    address, or who turned reminder email off, is marked reminded all the same, so that
    the grace period runs for everyone alike."""
    return _each_due(Claim.objects.reminder_due(), _remind_stale)


def _remind_stale(claim: Claim) -> bool:
    """Mark ``claim`` reminded of this silence and queue its email; whether it was due."""
    now = timezone.now()
    # Only while nobody else reminded it of this silence (SQLite takes no row locks).
    if not Claim.objects.filter(
        pk=claim.pk,
        stale_reminded_at=claim.stale_reminded_at,
        last_activity_at=claim.last_activity_at,
    ).update(stale_reminded_at=now):
        return False
    claim.stale_reminded_at = now
    # No actor: a reminder is nobody's activity, and must not answer itself.
    Event.record(project=claim.project, actor=None, kind=Event.Kind.CLAIM_REMINDED, claim=claim)
    if _can_email(claim.researcher):
        _queue_stale_reminder(claim)
    return True


def _email_holder(claim: Claim, *, key: str, subject: str, template: str, **context) -> None:
    """Queue a reminder to the claim's holder, with the link to its claim panel and the
    one-click unsubscribe from reminders."""
    project, holder = claim.project, claim.researcher
    footer, headers = topic_footer(user_id=holder.pk, topic=Topic.REMINDERS)
    queue_email(
        key=key,
        to=holder.email,
        recipient=holder,
        subject=subject,
        template=template,
        context={
            "claim": claim,
            "project": project,
            "project_link": absolute(project.get_absolute_url() + "#claim-panel"),
            **context,
            **footer,
        },
        headers=headers,
    )


def _queue_stale_reminder(claim: Claim) -> None:
    """Queue the reminder of a stale claim, keyed by the claim and its silence."""
    _email_holder(
        claim,
        # One email per reminder: the sweep sets stale_reminded_at once per reminder.
        key=f"claim-stale:{claim.pk}:{claim.stale_reminded_at:%Y%m%dT%H%M%S.%f}",
        subject=f"Still on “{claim.project.title}”?",
        template="projects/email/claim_stale.txt",
        confirm_link=reminder_link(claim, LinkAction.CONFIRM),
        release_link=reminder_link(claim, LinkAction.RELEASE),
        window_days=claim.project.claim_window.days,
        dormant_from=claim.dormant_from,
        links_expire=claim.stale_reminded_at + link_lifetime(),
    )


def make_quiet_claims_dormant() -> int:
    """Turn dormant each stale claim whose holder stayed silent for CLAIM_GRACE_DAYS after
    the reminder; how many turned dormant."""
    return _each_due(Claim.objects.dormancy_due(), _go_dormant)


def _go_dormant(claim: Claim) -> bool:
    """``claim.go_dormant()``; whether it was still due (activity that raced it wins)."""
    try:
        claim.go_dormant()
    except ValidationError:
        return False
    return True


def remind_target_dates() -> int:
    """Remind each active claim's holder once, TARGET_REMINDER_DAYS before its target date
    (a moved date earns a new reminder), in their notifications and by email unless they
    turned that off; how many claims were reminded."""
    return _each_due(Claim.objects.target_reminder_due(), _remind_target_date)


def _remind_target_date(claim: Claim) -> bool:
    """Mark ``claim``'s target date reminded of and queue its email; whether it was due."""
    # Only while the date is the one not yet reminded of (SQLite takes no row locks).
    if not Claim.objects.filter(
        pk=claim.pk,
        target_date=claim.target_date,
        target_reminded_for=claim.target_reminded_for,
    ).update(target_reminded_for=claim.target_date):
        return False
    Event.record(
        project=claim.project,
        actor=None,
        kind=Event.Kind.TARGET_REMINDED,
        claim=claim,
        note=f"Your target date: {date_format(claim.target_date, 'j F Y')}",
    )
    if _can_email(claim.researcher):
        _queue_target_reminder(claim)
    return True


def _queue_target_reminder(claim: Claim) -> None:
    """Queue the reminder of a claim's coming target date, keyed by the claim and the date."""
    _email_holder(
        claim,
        key=f"claim-target:{claim.pk}:{claim.target_date.isoformat()}",
        subject=f"Your target date for “{claim.project.title}” is near",
        template="projects/email/claim_target_date.txt",
        days_left=(claim.target_date - timezone.localdate()).days,
    )
