"""Interest and watching, and linking an output."""

from __future__ import annotations

from django import forms

from projects.forms.base import NOTE_MAX, ActionForm
from projects.models import Output, Project
from projects.models.output import http_url_validator


class InterestForm(ActionForm):
    """Say you want this done (optionally how you could help), or withdraw it."""

    id_prefix = "interest"

    note = forms.CharField(label="How I could help", required=False, max_length=NOTE_MAX)
    withdraw = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, researcher, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.researcher = project, researcher

    def perform(self) -> object:
        data = self.cleaned_data
        return self.project.set_interest(
            researcher=self.researcher, interested=not data["withdraw"], note=data["note"]
        )


class WatchForm(ActionForm):
    """Start watching a project, or stop (the Stop button sends ``stop``)."""

    id_prefix = "watch"

    stop = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.user = project, user

    def perform(self) -> None:
        self.project.set_watch(user=self.user, watching=not self.cleaned_data["stop"])


class OutputForm(ActionForm):
    """Link a result: URL, title, kind, how much it addresses, and optionally your claim."""

    id_prefix = "output"

    url = forms.CharField(
        label="Link",
        max_length=500,
        validators=[http_url_validator],
        error_messages={"required": "Paste the link to the output."},
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    title = forms.CharField(max_length=200, error_messages={"required": "Give the output's title."})
    kind = forms.ChoiceField(
        choices=Output.Kind.choices,
        error_messages={"required": "Choose what kind of output it is."},
    )
    addresses = forms.ChoiceField(
        label="How much of the project does it address?",
        choices=Output.Addresses.choices,
        initial=Output.Addresses.PARTLY,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how much of the project it addresses."},
    )
    claim = forms.TypedChoiceField(label="From your claim", coerce=int, required=False)

    def __init__(self, *args, project: Project, by, claims=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.by = project, by
        # Choices from the claims already loaded for the page: no query of their own.
        self.claims = {claim.pk: claim for claim in claims}
        if self.claims:
            self.fields["claim"].choices = [
                ("", "None"),
                *(
                    (pk, f"Your claim of {c.started_at:%d %b %Y} ({c.get_state_display().lower()})")
                    for pk, c in self.claims.items()
                ),
            ]
        else:
            del self.fields["claim"]

    def perform(self) -> Output:
        data = self.cleaned_data
        return self.project.link_output(
            by=self.by,
            url=data["url"],
            title=data["title"],
            kind=data["kind"],
            addresses=data["addresses"],
            claim=self.claims.get(data.get("claim")),
        )
