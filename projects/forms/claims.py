"""Claiming a project, and what its researcher does with the claim."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from projects.forms.base import NOTE_MAX, PLAN_MAX, ActionForm, markdown_textarea
from projects.models import Claim, OutputKind, Project
from projects.models.claim import KEEP
from projects.validators import OneLineField


class ClaimForm(ActionForm):
    """Claim a project: an optional plan, target date and planned kind of output."""

    id_prefix = "claim"

    plan = forms.CharField(
        required=False,
        max_length=PLAN_MAX,
        widget=markdown_textarea(4, "What you will do, and how (markdown)", mentions=True),
        help_text="Optional. Others see it before they join you.",
    )
    target_date = forms.DateField(
        label="Target date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    output_kind = forms.ChoiceField(
        label="Planned output",
        required=False,
        choices=[("", "Not decided yet"), *OutputKind.choices],
    )

    def __init__(self, *args, project: Project, researcher, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.researcher = project, researcher

    def clean_target_date(self) -> datetime.date | None:
        date = self.cleaned_data["target_date"]
        if date and date < timezone.localdate():
            raise forms.ValidationError("Choose a date from today on.")
        return date

    def perform(self) -> Claim:
        """Claim the project. Raises ValidationError like ``Project.claim``."""
        data = self.cleaned_data
        return self.project.claim(
            researcher=self.researcher,
            plan=data["plan"],
            target_date=data["target_date"],
            output_kind=data["output_kind"],
        )


class ClaimActionForm(ActionForm):
    """A form acting on one claim of the person who holds it."""

    def __init__(self, *args, claim: Claim, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.claim = claim

    @property
    def target(self) -> int:
        """The object this form acts on (its target on the page)."""
        return self.claim.pk


class CheckInForm(ClaimActionForm):
    """A progress note on an active claim, and its target date, which may move."""

    id_prefix = "checkin"

    note = OneLineField(
        label="Progress note",
        max_length=NOTE_MAX,
        widget=forms.TextInput(attrs={"placeholder": "Where things stand"}),
        error_messages={"required": "Say where things stand."},
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Move it if you need more time; leave it blank for none.",
    )

    def __init__(self, *args, claim: Claim, **kwargs) -> None:
        kwargs.setdefault("initial", {"target_date": claim.target_date})
        super().__init__(*args, claim=claim, **kwargs)

    def clean_target_date(self) -> datetime.date | None:
        date = self.cleaned_data["target_date"]
        # A date already past may stay as it is; a new one is from today on.
        if date and date != self.claim.target_date and date < timezone.localdate():
            raise forms.ValidationError("Choose a date from today on.")
        return date

    def perform(self) -> Claim:
        """Post the note, with the target date as it now stands.

        Raises ValidationError(code="not_active"|"past_date").
        """
        data = self.cleaned_data
        # A form without the field (an older page, a script) keeps the date; an empty field
        # clears it.
        target_date = data["target_date"] if "target_date" in self.data else KEEP
        return self.claim.check_in(note=data["note"], target_date=target_date)


class ConfirmForm(ClaimActionForm):
    """Say you are still on your claim: a button, no fields."""

    id_prefix = "confirm"

    def perform(self) -> Claim:
        """Refresh the claim. Raises ValidationError(code="not_active")."""
        return self.claim.confirm()


class ReviveForm(ClaimActionForm):
    """Revive your dormant claim: a button, no fields."""

    id_prefix = "revive"

    def perform(self) -> Claim:
        """Make the claim active again. Raises ValidationError like ``Claim.revive``."""
        return self.claim.revive(by=self.claim.researcher)


class CompleteForm(ClaimActionForm):
    """Mark a claim completed, with an optional closing note."""

    id_prefix = "complete"

    note = OneLineField(label="Closing note", required=False, max_length=NOTE_MAX)

    def perform(self) -> Claim:
        """Complete the claim. Raises ValidationError(code="not_active")."""
        return self.claim.complete(note=self.cleaned_data["note"])


class ReleaseForm(ClaimActionForm):
    """Release a claim with a reason (a merge's own reason is never offered)."""

    id_prefix = "release"

    reason = forms.ChoiceField(
        label="Why are you releasing it?",
        choices=[c for c in Claim.ReleaseReason.choices if c[0] != Claim.ReleaseReason.MERGED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are releasing this claim."},
    )
    note = OneLineField(label="Anything others should know", required=False, max_length=NOTE_MAX)

    def perform(self) -> Claim:
        """Release the claim. Raises ValidationError(code="reason"|"not_active")."""
        data = self.cleaned_data
        return self.claim.release(reason=data["reason"], note=data["note"])
