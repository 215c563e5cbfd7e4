"""The notification settings form: how often each topic reaches you by email."""

from __future__ import annotations

from django import forms

from notifications.models import ABOUT, Frequency, Preference, Topic
from projects.forms.base import ActionForm

# What each topic covers, under its choice on the settings page. "Projects you follow" are
# the ones you watch, hold a claim on, or want done.
HELP = {
    Topic.REPLIES: "Someone answers a comment you wrote.",
    Topic.DECISIONS: "A curator accepts or rejects an output you linked.",
    Topic.CLAIMS: "On projects you follow: someone claims one, checks in, completes or releases.",
    Topic.COMMENTS: "New comments and replies on projects you follow.",
    Topic.OUTPUTS: "Outputs linked to projects you follow, and the ones curators accept.",
    Topic.STATUS: "A project you follow is marked addressed, retired, reopened or merged.",
    Topic.FREE_AGAIN: "A claim ends on a project you want done and leaves room to claim it.",
}


class PreferenceForm(ActionForm):
    """One choice per topic: at once, daily digest, weekly digest, or never by email."""

    id_prefix = "notify"

    def __init__(self, *args, preference: Preference, **kwargs) -> None:
        kwargs.setdefault("initial", preference.choices())
        super().__init__(*args, **kwargs)
        self.preference = preference
        for topic in Topic:
            self.fields[topic.value] = forms.ChoiceField(
                label=topic.label,
                choices=Frequency.choices,
                help_text=HELP[topic],
                error_messages={
                    "required": f"Choose how often you hear of {ABOUT[topic]}.",
                    "invalid_choice": "Choose one of the four: at once, daily, weekly or never.",
                },
            )

    def perform(self) -> list[str]:
        """Save the choices; returns the topics that changed (``Preference.choose``)."""
        return self.preference.choose(**self.cleaned_data)
