"""Flows that cross several models or leave the process: merging projects, proposing and
deciding proposals (and telling the proposer by email once the decision is committed).

Each is a keyword-only function named ``<noun>_<verb>``, runs in one transaction, and
calls the models' own methods for every change they make, so that each records its event.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.models import User
from notifications.mail import absolute, topic_footer
from notifications.models import Frequency, Preference, Topic
from notifications.outbox import queue_email
from projects.models import (
    Agenda,
    Claim,
    Event,
    Interest,
    Project,
    Proposal,
    StatusChange,
)
from projects.models.project import unique_slug


@transaction.atomic
def project_merge(*, duplicate: Project, kept: Project, by: User, reason: str) -> Project:
    """Merge ``duplicate`` into ``kept``: its claims, comments, outputs, interests, watchers
    and history move there; it is retired and its URL redirects to ``kept``.

    Nothing is lost: a researcher with an active claim on both keeps the kept project's,
    and the duplicate's is released through ``Claim.release`` (reason "merged", its plan
    and progress note untouched, an event of its own); an output already linked to
    ``kept`` stays on the duplicate; an interest or watch already on ``kept`` absorbs the
    duplicate's (notes are joined whole). Returns the kept project. Raises ValidationError with
    code "self", "proposed", "reason", "merged", "kept_not_open", or "full" when the
    moving claims would take the kept project past its claim limit.
    """
    if kept.pk == duplicate.pk:
        raise ValidationError("A project cannot be merged into itself.", code="self")
    if Project.Status.PROPOSED in (duplicate.status, kept.status):
        raise ValidationError(
            "Decide the proposal first: only published projects are merged.", code="proposed"
        )
    if not reason.strip():
        raise ValidationError("Give a reason: it is kept in both histories.", code="reason")
    # Lock both rows in a fixed order, so that two merges of the same pair cannot deadlock.
    locked = {
        p.pk: p
        for p in Project.objects.select_for_update()
        .filter(pk__in=[duplicate.pk, kept.pk])
        .order_by("pk")
    }
    duplicate, kept = locked[duplicate.pk], locked[kept.pk]
    if duplicate.merged_into_id or kept.merged_into_id:
        raise ValidationError("One of these projects was already merged.", code="merged")
    if not kept.is_open:
        raise ValidationError(
            "Merge into an open project: its claims stay active there.", code="kept_not_open"
        )

    kept_researchers = set(kept.claims.active().values_list("researcher_id", flat=True))
    moving = duplicate.claims.active().exclude(researcher_id__in=kept_researchers).count()
    if moving and kept.claim_limit and len(kept_researchers) + moving > kept.claim_limit:
        raise ValidationError(
            f"“{kept.title}” takes {kept.claim_limit} researchers at a time; with this "
            f"project's claims it would have {len(kept_researchers) + moving}. Raise its "
            "claim limit first, or ask a researcher to release.",
            code="full",
        )
    note = f"“{duplicate.title}” was merged into “{kept.title}”"
    for claim in duplicate.claims.active().filter(researcher_id__in=kept_researchers):
        claim.release(reason=Claim.ReleaseReason.MERGED, note=note, by=by)

    # Everything the duplicate gathered, and its history, now belongs to the kept project.
    duplicate.claims.update(project=kept)
    duplicate.comments.update(project=kept)
    duplicate.events.update(project=kept)
    kept_urls = set(kept.outputs.values_list("url", flat=True))
    duplicate.outputs.exclude(url__in=kept_urls).update(project=kept)
    _move_interests(duplicate=duplicate, kept=kept)
    kept_watchers = set(kept.watches.values_list("user_id", flat=True))
    duplicate.watches.exclude(user_id__in=kept_watchers).update(project=kept)
    duplicate.watches.filter(user_id__in=kept_watchers).delete()

    if duplicate.status != Project.Status.RETIRED:
        StatusChange.objects.create(
            project=duplicate,
            from_status=duplicate.status,
            to_status=Project.Status.RETIRED,
            changed_by=by,
            reason=f"Merged into “{kept.title}”: {reason}",
        )
    duplicate.status, duplicate.merged_into = Project.Status.RETIRED, kept
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    merged = f"Merged “{duplicate.title}” into “{kept.title}”: {reason}"
    for project, other in ((kept, duplicate), (duplicate, kept)):
        Event.record(
            project=project, actor=by, kind=Event.Kind.MERGED, note=merged, other_project=other
        )
    return kept


def _move_interests(*, duplicate: Project, kept: Project) -> None:
    """Move the duplicate's interests; one already on the kept project takes the duplicate's
    note after its own, both whole (a note the same as its own once), and the duplicate's
    interest, now empty, goes."""
    existing = {i.researcher_id: i for i in kept.interests.all()}
    for interest in duplicate.interests.all():
        if (kept_interest := existing.get(interest.researcher_id)) is None:
            Interest.objects.filter(pk=interest.pk).update(project=kept)
            continue
        notes = " / ".join(dict.fromkeys(n for n in (kept_interest.note, interest.note) if n))
        Interest.objects.filter(pk=kept_interest.pk).update(note=notes)
        interest.delete()


@transaction.atomic
def project_propose(
    *, by: User, agenda: Agenda | None, title: str, description: str, kind: str, note: str = ""
) -> Proposal:
    """A researcher's new project: created as "proposed", numbered last in its agenda (the
    board's community list when none is named), with a Proposal for curators. Never raises.
    """
    agenda = agenda or Agenda.community()
    Agenda.objects.select_for_update().filter(pk=agenda.pk).first()  # serializes numbering
    last = agenda.projects.aggregate(last=models.Max("number"))["last"] or 0
    project = Project.objects.create(
        agenda=agenda,
        number=last + 1,
        slug=unique_slug(title),
        title=title,
        description=description,
        kind=kind,
        status=Project.Status.PROPOSED,
    )
    return _proposal_open(
        kind=Proposal.Kind.NEW,
        by=by,
        project=project,
        title=title,
        description=description,
        project_kind=kind,
        note=note,
    )


@transaction.atomic
def project_propose_edit(
    *, by: User, project: Project, title: str, description: str, kind: str, note: str = ""
) -> Proposal:
    """A researcher's suggested edit of a published project, for curators to review as a
    diff. Raises ValidationError(code="unchanged") when it changes nothing."""
    if (title, description, kind) == (project.title, project.description, project.kind):
        raise ValidationError("Your edit changes nothing yet.", code="unchanged")
    return _proposal_open(
        kind=Proposal.Kind.EDIT,
        by=by,
        project=project,
        title=title,
        description=description,
        project_kind=kind,
        note=note,
    )


def _proposal_open(
    *,
    kind: str,
    by: User,
    project: Project,
    title: str,
    description: str,
    project_kind: str,
    note: str,
) -> Proposal:
    """The one place a proposal is made, with its event in the project's history."""
    proposal = Proposal.objects.create(
        kind=kind,
        proposer=by,
        project=project,
        title=title,
        description=description,
        project_kind=project_kind,
        note=note,
    )
    event = Event.Kind.PROPOSED if kind == Proposal.Kind.NEW else Event.Kind.EDIT_PROPOSED
    Event.record(project=project, actor=by, kind=event, note=note)
    return proposal


@transaction.atomic
def proposal_approve(*, proposal: Proposal, by: User, reason: str = "") -> Proposal:
    """Pending -> approved: a new project opens, or the edit is applied (title, kind and
    description, each through its own method, so each is kept and recorded). The proposer
    is emailed once this commits. Raises ValidationError(code="decided"|"merged")."""
    proposal = proposal.decide(by=by, state=Proposal.State.APPROVED, reason=reason)
    project = proposal.project
    if project.merged_into_id:
        raise ValidationError("The project was merged into another since.", code="merged")
    note = f"Proposed by {proposal.proposer.public_name}" + (f": {reason}" if reason else "")
    if proposal.is_new_project:
        project.change_status(to=Project.Status.OPEN, by=by, reason=note, approving=True)
    else:
        project.rename(title=proposal.title, by=by, note=note)
        project.set_kind(kind=proposal.project_kind, by=by, note=note)
        project.edit_description(text=proposal.description, by=by, note=note)
    proposal_email_decision(proposal=proposal)
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by: User, reason: str) -> Proposal:
    """Pending -> rejected, with a reason the proposer reads by email once this commits. A
    rejected new project stays unpublished ("proposed"), never deleted.

    Raises ValidationError(code="reason"|"decided").
    """
    if not reason.strip():
        raise ValidationError("Say why, so that the proposer can learn from it.", code="reason")
    proposal = proposal.decide(by=by, state=Proposal.State.REJECTED, reason=reason)
    proposal_email_decision(proposal=proposal)
    return proposal


def proposal_email_decision(*, proposal: Proposal) -> None:
    """Queue the proposer's email of the decision, with a link to the project or to their
    proposals and the one-click unsubscribe of every notification email (in the outbox: it
    goes out once the decision commits); nothing for a proposer who has no address or
    chose "never" for decisions on their proposals."""
    proposer = proposal.proposer
    if not proposer.email or Preference.of(proposer).choice(Topic.PROPOSALS) == Frequency.NEVER:
        return
    verdict = "approved" if proposal.is_approved else "not accepted"
    path = (
        proposal.project.get_absolute_url()
        if proposal.is_approved
        else proposal.proposer.get_absolute_url() + f"#proposal-{proposal.pk}"
    )
    footer, headers = topic_footer(user_id=proposer.pk, topic=Topic.PROPOSALS)
    queue_email(
        key=f"proposal-decided:{proposal.pk}",
        to=proposer.email,
        recipient=proposer,
        subject=f"Your proposal was {verdict}: {proposal.title}",
        template="projects/email/proposal_decided.txt",
        context={"proposal": proposal, "link": absolute(path), **footer},
        headers=headers,
    )
