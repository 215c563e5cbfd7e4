"""Who hears of what: each event told to the people it concerns, in the event's transaction.

Followers of a project (its watchers, its active claims' holders, and the researchers who
want it done) hear of its claims, comments, outputs and status changes; the author of a
comment hears of the replies to it, and the linker of an output of the curators' decision
on it, whether or not they follow the project; when a claim ends and leaves the project
free, the people who want it done are told so. Nobody hears of what they did themselves,
nor of anything on an unpublished proposal, and a rejected output is told to its linker
alone.

The people a comment, a reply, a claim's plan or a check-in note mentions (``@username``)
hear of it under "Mentions of you", whether or not they follow the project: once per
comment (an edit tells only the people it adds, and never someone already told of a mention
in that comment), never from a hidden or deleted comment, and never from a proposal (nobody
else may read one before a curator publishes it), nor of a mention of themselves.

A claim's holder alone hears of the sweep's reminders about it (it went quiet, its target
date is near) and of its turning dormant, in their list only: the reminder's email is the
one ``projects.freshness`` sends, and dormancy has none.
"""

from __future__ import annotations

import operator
from collections.abc import Collection
from functools import reduce

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.mail import notification_email
from notifications.models import Frequency, Notification, Preference, Reason, Topic
from notifications.outbox import queue_emails
from projects.models import Claim, Comment, Event, Interest, Output, Watch

Kind = Event.Kind

# What followers hear of, by kind of event, and under which topic.
FOLLOWED = {
    Kind.CLAIMED: Topic.CLAIMS,
    Kind.CHECKED_IN: Topic.CLAIMS,
    Kind.COMPLETED: Topic.CLAIMS,
    Kind.RELEASED: Topic.CLAIMS,
    # Turned dormant by the sweep (its silent holder the actor), and taken up again. A
    # holder's "still on it" (CONFIRMED) is nobody else's news.
    Kind.WENT_DORMANT: Topic.CLAIMS,
    Kind.REVIVED: Topic.CLAIMS,
    Kind.COMMENTED: Topic.COMMENTS,
    Kind.REPLIED: Topic.COMMENTS,
    Kind.OUTPUT_LINKED: Topic.OUTPUTS,
    Kind.OUTPUT_ACCEPTED: Topic.OUTPUTS,
    Kind.STATUS_CHANGED: Topic.STATUS,
    Kind.MERGED: Topic.STATUS,
}

# Events about one person's own words or work, which they hear of whether or not they
# follow the project: the topic and the reason.
ABOUT_YOU = {
    Kind.REPLIED: (Topic.REPLIES, Reason.REPLY),
    Kind.OUTPUT_ACCEPTED: (Topic.DECISIONS, Reason.YOUR_OUTPUT),
    Kind.OUTPUT_REJECTED: (Topic.DECISIONS, Reason.YOUR_OUTPUT),
    Kind.CLAIM_REMINDED: (Topic.REMINDERS, Reason.YOUR_CLAIM),
    Kind.TARGET_REMINDED: (Topic.REMINDERS, Reason.YOUR_CLAIM),
    Kind.WENT_DORMANT: (Topic.REMINDERS, Reason.YOUR_CLAIM),
}

# Events about a claim, told to its holder: the sweep's reminders (no actor) and dormancy
# (the silent holder its actor, told all the same).
TO_THE_HOLDER = frozenset({Kind.CLAIM_REMINDED, Kind.TARGET_REMINDED, Kind.WENT_DORMANT})

# Topics told in the list alone, whatever the person chose for their email: that choice
# decides the email the reminder itself is (``projects.freshness``), never a second one.
LIST_ONLY = frozenset({Topic.REMINDERS})

# Events that end a claim, and may leave its project free for the people who want it done.
ENDS_A_CLAIM = frozenset({Kind.RELEASED, Kind.WENT_DORMANT})


def notify(event: Event, *, mentioned: Collection[str] = ()) -> list[Notification]:
    """Tell everyone ``event`` concerns, but its actor, and the active accounts whose
    usernames ``mentioned`` names: a notification each, and an email at once to those who
    chose that for its topic (see the module's docstring for who).

    Called at the end of ``Event.record``, so it runs in the change's transaction: a change
    that rolls back tells no one. A fixed number of queries whatever the number of people
    told: one for them all (with their choices), one insert, and for those who chose "at
    once", one look at the outbox and one insert of their emails.
    """
    followed = FOLLOWED.get(event.kind)
    about_you = ABOUT_YOU.get(event.kind)
    # A comment nobody may read any more tells no one of its mentions.
    if mentioned and event.comment_id and not event.comment.is_shown:
        mentioned = ()
    if (followed is None and about_you is None and not mentioned) or not event.project.is_public:
        return []
    people = list(
        _people(
            event,
            followers=followed is not None,
            about_you=about_you is not None,
            mentioned=mentioned,
        )
    )
    free = event.kind in ENDS_A_CLAIM and bool(people) and left_free(event, people[0].claims_left)
    now = timezone.now()
    notifications = []
    for person in people:
        if person.mentioned:
            topic, reason = Topic.MENTIONS, Reason.MENTION
        elif about_you and person.concerned:
            topic, reason = about_you
        elif person.holds_claim:
            topic, reason = followed, Reason.CLAIM
        elif person.wants_it:
            topic, reason = (Topic.FREE_AGAIN if free else followed), Reason.INTEREST
        else:
            topic, reason = followed, Reason.WATCHING
        # Nowhere to send mail to, or mail sent elsewhere: the notification is for the list.
        if person.email and topic not in LIST_ONLY:
            mail = Preference.of(person).choice(topic)
        else:
            mail = Frequency.NEVER
        notifications.append(
            Notification(
                recipient=person,
                event=event,
                topic=topic,
                reason=reason,
                mail=mail,
                mailed_at=now if mail == Frequency.AT_ONCE else None,
                created_at=event.created_at,
            )
        )
    Notification.objects.bulk_create(notifications)
    queue_emails([notification_email(n) for n in notifications if n.mail == Frequency.AT_ONCE])
    return notifications


def _people(
    event: Event, *, followers: bool, about_you: bool, mentioned: Collection[str]
) -> models.QuerySet:
    """Everyone ``event`` concerns but its actor, in one query: active accounts with their
    choices, each marked ``holds_claim``, ``wants_it``, ``watching``, ``concerned`` (the
    replied-to author, the output's linker) and ``mentioned`` (named in ``mentioned``, and
    not told of a mention in the event's comment before), and each carrying
    ``claims_left``, the project's active claims (for ``left_free``, so that it costs no
    query of its own)."""
    project = event.project_id
    claims = Claim.objects.active().filter(project_id=project)
    interests = Interest.objects.filter(project_id=project)
    watches = Watch.objects.filter(project_id=project)
    if not about_you:
        concerned = models.Value(False)
    elif event.kind == Kind.REPLIED:
        replied_to = Comment.objects.filter(replies=event.comment_id)
        concerned = models.Q(pk__in=replied_to.values("author_id"))
    elif event.kind in TO_THE_HOLDER:
        held = Claim.objects.filter(pk=event.claim_id)
        concerned = models.Q(pk__in=held.values("researcher_id"))
    else:
        linked = Output.objects.filter(pk=event.output_id)
        concerned = models.Q(pk__in=linked.values("submitted_by_id"))
    if mentioned:
        mention = models.Q(username__in=mentioned)
        if event.comment_id:
            told = Notification.objects.filter(
                topic=Topic.MENTIONS, event__comment_id=event.comment_id
            )
            mention &= ~models.Q(pk__in=told.values("recipient_id"))
    else:
        mention = models.Value(False)
    who = [concerned] if about_you else []
    if mentioned:
        who.append(mention)
    if followers:
        who += [
            models.Q(pk__in=claims.values("researcher_id")),
            models.Q(pk__in=interests.values("researcher_id")),
            models.Q(pk__in=watches.values("user_id")),
        ]
    people = get_user_model().objects.filter(reduce(operator.or_, who), is_active=True)
    # Dormancy's actor is the silent holder, whom it concerns: told all the same.
    if event.actor_id is not None and event.kind not in TO_THE_HOLDER:
        people = people.exclude(pk=event.actor_id)
    return (
        people.select_related("notification_preference")
        .only("pk", "email", "username", "display_name", "notification_preference")
        .annotate(
            holds_claim=models.Exists(claims.filter(researcher_id=models.OuterRef("pk"))),
            wants_it=models.Exists(interests.filter(researcher_id=models.OuterRef("pk"))),
            watching=models.Exists(watches.filter(user_id=models.OuterRef("pk"))),
            concerned=models.ExpressionWrapper(concerned, output_field=models.BooleanField()),
            mentioned=models.ExpressionWrapper(mention, output_field=models.BooleanField()),
            claims_left=Coalesce(
                models.Subquery(
                    claims.order_by()
                    .values("project_id")
                    .annotate(n=models.Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .order_by("pk")
    )


def left_free(event: Event, claims_left: int) -> bool:
    """Whether the claim ``event`` ended leaves its project free, ``claims_left`` active
    claims being left on it: open, not merged away, and now with nobody on it or one place
    below its claim limit. A claim released by a merge leaves nothing free (its holder goes
    on in the kept project)."""
    project = event.project
    if not project.is_open or project.merged_into_id:
        return False
    if event.claim_id and event.claim.release_reason == Claim.ReleaseReason.MERGED:
        return False
    limit = project.claim_limit
    return claims_left == 0 or (bool(limit) and claims_left == limit - 1)
