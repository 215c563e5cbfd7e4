"""The notification settings form: how often each topic reaches you by email."""

from __future__ import annotations

from django import forms

from notifications.models import ABOUT, FREQUENCIES, Preference, Topic
from notifications.models.preference import ONE_BY_ONE
from projects.forms.base import ActionForm

# What each topic covers, under its choice on the settings page. "Projects you follow" are
# the ones you watch, hold a claim on, or want done.
HELP = {
    Topic.REPLIES: "Someone answers a comment you wrote.",
    Topic.MENTIONS: "Someone writes @ and your username in a comment, a plan or a check-in.",
    Topic.DECISIONS: "A curator accepts or rejects an output you linked.",
    Topic.CLAIMS: "On projects you follow: someone claims one, checks in, completes or releases.",
    Topic.COMMENTS: "New comments and replies on projects you follow.",
    Topic.OUTPUTS: "Outputs linked to projects you follow, and the ones curators accept.",
    Topic.STATUS: "A project you follow is marked addressed, retired, reopened or merged.",
    Topic.FREE_AGAIN: "A claim ends on a project you want done and leaves room to claim it.",
    Topic.REMINDERS: (
        "A claim of yours has gone quiet, its target date is near, or it turned dormant. "
        "“Never” stops only the email: your notifications still remind you, and a quiet "
        "claim still turns dormant after its grace period, as everyone's does."
    ),
    Topic.PROPOSALS: "A curator approves or declines a project or an edit you proposed.",
}


class PreferenceForm(ActionForm):
    """One choice per topic: at once, daily digest, weekly digest, or never by email (at
    once or never for reminders and proposals, which a digest would only make late)."""

    id_prefix = "notify"

    def __init__(self, *args, preference: Preference, **kwargs) -> None:
        kwargs.setdefault("initial", preference.choices())
        super().__init__(*args, **kwargs)
        self.preference = preference
        for topic in Topic:
            offered = FREQUENCIES[topic]
            invalid = (
                "Choose one of the two: at once or never."
                if offered == ONE_BY_ONE
                else "Choose one of the four: at once, daily, weekly or never."
            )
            self.fields[topic.value] = forms.ChoiceField(
                label=topic.label,
                choices=[(f.value, f.label) for f in offered],
                help_text=HELP[topic],
                error_messages={
                    "required": f"Choose how often you hear of {ABOUT[topic]}.",
                    "invalid_choice": invalid,
                },
            )

    def perform(self) -> list[str]:
        """Save the choices; returns the topics that changed (``Preference.choose``)."""
        return self.preference.choose(**self.cleaned_data)
