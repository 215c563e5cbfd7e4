"""Interest ("I want this done") and watching."""

from __future__ import annotations

from django import forms

from projects.forms.base import NOTE_MAX, ActionForm
from projects.models import Interest, Project
from projects.validators import OneLineField


class InterestForm(ActionForm):
    """Say you want this done (optionally how you could help), or withdraw it."""

    id_prefix = "interest"

    note = OneLineField(label="How I could help", required=False, max_length=NOTE_MAX)
    withdraw = forms.BooleanField(required=False, widget=forms.HiddenInput)

    # The field that, when sent, undoes the signal rather than gives it.
    undo_field = "withdraw"

    def __init__(self, *args, project: Project, user, **kwargs) -> None:
        """The form; a note kept longer than one typed here (two merged projects' notes,
        joined) may stay as long as it is, or shorten, but not grow."""
        super().__init__(*args, **kwargs)
        self.project, self.user = project, user
        kept = self._kept_note() if self.is_bound else self.initial.get("note") or ""
        if len(kept) > NOTE_MAX:
            note = self.fields["note"]
            self.fields["note"] = OneLineField(
                label=note.label, required=False, max_length=len(kept)
            )

    def _kept_note(self) -> str:
        """The note of the researcher's interest as stored (one query), or ""."""
        notes = Interest.objects.filter(project=self.project, researcher=self.user)
        return notes.values_list("note", flat=True).first() or ""

    def perform(self) -> object:
        """Add, update or withdraw the interest. Never raises."""
        data = self.cleaned_data
        return self.project.set_interest(
            researcher=self.user, interested=not data["withdraw"], note=data["note"]
        )


class WatchForm(ActionForm):
    """Start watching a project, or stop (the Stop button sends ``stop``)."""

    id_prefix = "watch"

    stop = forms.BooleanField(required=False, widget=forms.HiddenInput)
    undo_field = "stop"

    def __init__(self, *args, project: Project, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.user = project, user

    def perform(self) -> None:
        """Start or stop watching. Never raises."""
        self.project.set_watch(user=self.user, watching=not self.cleaned_data["stop"])
