"""What curators do to one project: its status, its text, its tags, its claim limit and
its claim window.

Every change is one explicit method that locks the project's row, changes what it
names, keeps earlier versions of the text, and records one Event, whichever screen
(the admin's change form, a bulk action, the status page, an import) asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from projects.models.event import Event
from projects.models.history import StatusChange, TextVersion
from projects.models.output import Output

MAX_CLAIM_LIMIT = 1000
# The longest a curator may let a claim stay silent before it is stale: a year.
MAX_CLAIM_WINDOW_DAYS = 365


class ProjectCuration:
    """The curator's side of Project (a mixin: Project is the only class that uses it)."""

    def _locked(self):
        """This project, re-read under a row lock, so that concurrent edits queue up."""
        return type(self).objects.select_for_update().get(pk=self.pk)

    # Status

    @transaction.atomic
    def change_status(
        self, *, to: str, by, reason: str, outputs: Iterable[Output] = (), approving: bool = False
    ) -> StatusChange:
        """Move the project to another status, recording who, when and why.

        "addressed" must name accepted outputs of this project that justify it. A proposed
        project leaves "proposed" only when its proposal is approved (``approving``), and a
        merged duplicate never changes again. Raises ValidationError with code "reason",
        "merged", "proposal", "transition" or "outputs".
        """
        if not reason.strip():
            raise ValidationError(
                "Give a reason: it is kept in the project's history.", code="reason"
            )
        project = self._locked()
        if project.merged_into_id:
            raise ValidationError("This project was merged into another.", code="merged")
        if project.status == self.Status.PROPOSED and not approving:
            raise ValidationError(
                "A proposed project is published by approving its proposal.", code="proposal"
            )
        if (project.status, to) not in self.TRANSITIONS:
            raise ValidationError(
                f"A {project.get_status_display().lower()} project cannot become "
                f"{self.Status(to).label.lower()}.",
                code="transition",
            )
        outputs = list(outputs)
        if to == self.Status.ADDRESSED and (
            not outputs or any(o.project_id != self.pk or not o.is_accepted for o in outputs)
        ):
            raise ValidationError(
                "Name the accepted outputs of this project that address it.", code="outputs"
            )
        change = StatusChange.objects.create(
            project=project, from_status=project.status, to_status=to, changed_by=by, reason=reason
        )
        change.outputs.set(outputs)
        project.status = self.status = to
        project.save(update_fields=["status", "updated_at"])
        Event.record(
            project=project,
            actor=by,
            kind=Event.Kind.STATUS_CHANGED,
            note=f"{self.Status(to).label}: {reason}",
        )
        return change

    def mark_addressed(self, *, by, reason: str, outputs: Iterable[Output]) -> StatusChange:
        """Open -> addressed, naming the accepted outputs that justify it.

        Raises ValidationError like ``change_status``.
        """
        return self.change_status(to=self.Status.ADDRESSED, by=by, reason=reason, outputs=outputs)

    def retire(self, *, by, reason: str) -> StatusChange:
        """Open or addressed -> retired (superseded or withdrawn).

        Raises ValidationError like ``change_status``.
        """
        return self.change_status(to=self.Status.RETIRED, by=by, reason=reason)

    def reopen(self, *, by, reason: str) -> StatusChange:
        """Addressed or retired -> open. Raises ValidationError like ``change_status``."""
        return self.change_status(to=self.Status.OPEN, by=by, reason=reason)

    # Text: title, kind, description and the curators' summary

    def rename(self, *, title: str, by, note: str = "") -> bool:
        """A new title. Returns whether it changed. Raises ValidationError(code="blank")."""
        title = " ".join(title.split())
        if not title:
            raise ValidationError("A project needs a title.", code="blank")
        return self._set(field="title", value=title, by=by, note=note)

    def set_kind(self, *, kind: str, by, note: str = "") -> bool:
        """A new kind. Returns whether it changed. Raises ValidationError(code="kind")."""
        if kind not in self.Kind.values:
            raise ValidationError("Choose one of the kinds of project.", code="kind")
        return self._set(field="kind", value=kind, by=by, note=note)

    def edit_description(self, *, text: str, by, note: str = "") -> bool:
        """A new description, kept as a version. Returns whether it changed.

        Raises ValidationError(code="blank").
        """
        if not text.strip():
            raise ValidationError("A project needs a description.", code="blank")
        return self._set(field="description", value=text, by=by, note=note)

    def edit_summary(self, *, text: str, by, note: str = "") -> bool:
        """A new curators' summary ("state of this project"), kept as a version.

        Returns whether it changed; never raises.
        """
        return self._set(field="summary", value=text, by=by, note=note)

    def restore_version(self, version: TextVersion, *, by) -> bool:
        """Make an earlier version current again, as a new version; no version is removed.

        Raises ValidationError(code="other_project") for another project's version.
        """
        if version.project_id != self.pk:
            raise ValidationError("That version belongs to another project.", code="other_project")
        note = f"Restored the version of {version.created_at:%d %b %Y %H:%M}"
        return self._set(field=version.field, value=version.text, by=by, note=note)

    # Claims and tags

    def set_claim_limit(self, *, limit: int | None, by) -> bool:
        """How many researchers may hold active claims at once (None: any number).

        Claims already active stay. Returns whether it changed. Raises
        ValidationError(code="limit") outside 1 to MAX_CLAIM_LIMIT.
        """
        if limit is not None and not 1 <= limit <= MAX_CLAIM_LIMIT:
            raise ValidationError(
                f"A claim limit is a whole number from 1 to {MAX_CLAIM_LIMIT}, or blank.",
                code="limit",
            )
        said = "any number" if limit is None else f"{limit} at a time"
        return self._set(
            field="claim_limit", value=limit, by=by, kind=Event.Kind.CLAIM_LIMIT_SET, note=said
        )

    @transaction.atomic
    def set_claim_window(self, *, days: int | None, by) -> bool:
        """How many days a claim here may stay silent before it is stale and its holder is
        reminded (None: the board's CLAIM_STALE_DAYS).

        Claims already silent longer turn stale at once, and go through the reminder and
        grace period like any other; reminders already sent are forgotten, so each claim
        is reminded under the new window before it can turn dormant. Returns whether it
        changed. Raises ValidationError(code="window") outside 1 to MAX_CLAIM_WINDOW_DAYS.
        """
        if days is not None and not 1 <= days <= MAX_CLAIM_WINDOW_DAYS:
            raise ValidationError(
                f"A claim window is a whole number of days from 1 to {MAX_CLAIM_WINDOW_DAYS}, "
                "or blank.",
                code="window",
            )
        said = (
            f"the board's default ({settings.CLAIM_STALE_DAYS} days)"
            if days is None
            else f"{days} day{'s' if days != 1 else ''}"
        )
        changed = self._set(
            field="claim_window_days",
            value=days,
            by=by,
            kind=Event.Kind.CLAIM_WINDOW_SET,
            note=said,
        )
        if changed:
            # A reminder was for a silence measured by the old window: the new one starts
            # the cycle again, so nobody turns dormant on a reminder of another window.
            self.claims.active().update(stale_reminded_at=None)
        return changed

    @transaction.atomic
    def set_tags(self, *, tags: Iterable, by) -> bool:
        """Exactly these tags, recording what was added and removed. Returns whether any
        changed; never raises."""
        project = self._locked()
        current = {tag.pk: tag for tag in project.tags.all()}
        wanted = {tag.pk: tag for tag in tags}
        added = [wanted[pk] for pk in wanted.keys() - current.keys()]
        removed = [current[pk] for pk in current.keys() - wanted.keys()]
        if not added and not removed:
            return False
        project.tags.add(*added)
        project.tags.remove(*removed)
        parts = [
            f"{label} {', '.join(sorted(tag.name for tag in group))}"
            for label, group in (("Added", added), ("Removed", removed))
            if group
        ]
        Event.record(project=project, actor=by, kind=Event.Kind.TAGS_CHANGED, note="; ".join(parts))
        return True

    def add_tag(self, *, tag, by) -> bool:
        """One more tag. Returns whether the project lacked it; never raises."""
        return self.set_tags(tags=[*self.tags.all(), tag], by=by)

    # The one way a field changes

    TEXT_FIELDS = ("description", "summary")

    @transaction.atomic
    def _set(self, *, field: str, value, by, note: str = "", kind: str = "") -> bool:
        """Write one field under the row lock, keep a version of a text, record an event.

        The first recorded edit of a text also keeps the text it replaces, so that every
        earlier version survives.
        """
        project = self._locked()
        if getattr(project, field) == value:
            return False
        if field in self.TEXT_FIELDS:
            if not project.versions.filter(field=field).exists():
                TextVersion.objects.create(
                    project=project,
                    field=field,
                    text=getattr(project, field),
                    note="Before the first edit",
                )
            TextVersion.objects.create(
                project=project, field=field, text=value, created_by=by, note=note[:200]
            )
        setattr(project, field, value)
        project.save(update_fields=[field, "updated_at"])
        for name in (field, f"{field}_html", "updated_at"):
            if hasattr(project, name):
                setattr(self, name, getattr(project, name))
        if not kind:
            kind = Event.Kind.TEXT_EDITED
            label = project._meta.get_field(field).verbose_name
            note = f"{label[:1].upper()}{label[1:]}. {note}".strip()
        Event.record(project=project, actor=by, kind=kind, note=note)
        return True
