"""Linking an output: a result that answers a project."""

from __future__ import annotations

from django import forms

from projects.forms.base import ActionForm
from projects.models import Output, Project
from projects.validators import OneLineField, validate_link


class OutputForm(ActionForm):
    """Link a result: URL, title, kind, how much it addresses, and optionally your claim."""

    id_prefix = "output"

    url = forms.CharField(
        label="Link",
        max_length=500,
        validators=[validate_link],
        error_messages={"required": "Paste the link to the output."},
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    title = OneLineField(max_length=200, error_messages={"required": "Give the output's title."})
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
        """Link the output. Raises ValidationError like ``Project.link_output``."""
        data = self.cleaned_data
        return self.project.link_output(
            by=self.by,
            url=data["url"],
            title=data["title"],
            kind=data["kind"],
            addresses=data["addresses"],
            claim=self.claims.get(data.get("claim")),
        )
