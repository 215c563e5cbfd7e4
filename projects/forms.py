"""Forms for what researchers write: claims, check-ins, comments, outputs, interest.

Each keeps what the user typed and puts its message at the field; the domain
method's ValidationError, when there is one, lands at the top of the form.
"""

import datetime

from django import forms
from django.utils import timezone

from projects.models import Agenda, Claim, Comment, Output, OutputKind, ProjectKind
from projects.models.output import http_url_validator

PLAN_MAX = 5000
COMMENT_MAX = 10000
NOTE_MAX = 300


class UniqueIds:
    """Field ids prefixed per form, since one page shows several forms with a "note" field."""

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _textarea(rows: int, max_length: int, placeholder: str = "") -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": max_length, "placeholder": placeholder})


class ClaimForm(UniqueIds, forms.ModelForm):
    """Claim a project: an optional plan, target date and planned kind of output."""

    id_prefix = "claim"

    plan = forms.CharField(
        required=False,
        max_length=PLAN_MAX,
        widget=_textarea(4, PLAN_MAX, "What you will do, and how (markdown)"),
        help_text="Optional. Others see it before they join you.",
    )

    class Meta:
        model = Claim
        fields = ["plan", "target_date", "output_kind"]
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}
        labels = {"target_date": "Target date", "output_kind": "Planned output"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["output_kind"].choices = [("", "Not decided yet"), *OutputKind.choices]

    def clean_target_date(self) -> datetime.date | None:
        date = self.cleaned_data["target_date"]
        if date and date < timezone.localdate():
            raise forms.ValidationError("Choose a date from today on.")
        return date


class CheckInForm(UniqueIds, forms.Form):
    """A progress note on an active claim."""

    id_prefix = "checkin"

    note = forms.CharField(
        label="Progress note",
        max_length=NOTE_MAX,
        widget=_textarea(2, NOTE_MAX, "Where things stand"),
    )


class CompleteForm(UniqueIds, forms.Form):
    """Mark a claim completed, with an optional closing note."""

    id_prefix = "complete"

    note = forms.CharField(label="Closing note", required=False, max_length=NOTE_MAX)


class ReleaseForm(UniqueIds, forms.Form):
    """Release a claim with a reason."""

    id_prefix = "release"

    reason = forms.ChoiceField(
        label="Why are you releasing it?",
        choices=Claim.ReleaseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why you are releasing this claim."},
    )
    note = forms.CharField(label="Anything others should know", required=False, max_length=NOTE_MAX)


class InterestForm(UniqueIds, forms.Form):
    """Say you want this done, and optionally how you could help."""

    id_prefix = "interest"

    note = forms.CharField(label="How I could help", required=False, max_length=NOTE_MAX)


class CommentForm(UniqueIds, forms.ModelForm):
    """A comment or reply in a project's discussion."""

    id_prefix = "comment"

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=_textarea(4, COMMENT_MAX, "Markdown is welcome"),
        error_messages={"required": "Write something first."},
    )

    class Meta:
        model = Comment
        fields = ["body", "is_scope"]
        labels = {"is_scope": "This is about what the project should cover (scope)"}
        help_texts = {"is_scope": ""}


class ReplyForm(CommentForm):
    """A reply: the same as a comment, without the scope mark."""

    id_prefix = "reply"

    class Meta(CommentForm.Meta):
        fields = ["body"]
        labels = {"body": "Reply"}


class OutputForm(UniqueIds, forms.Form):
    """Link a result: URL, title, kind, how much it addresses, and optionally your claim."""

    id_prefix = "output"

    url = forms.CharField(
        label="Link",
        max_length=500,
        validators=[http_url_validator],
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"}),
    )
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Output.Kind.choices)
    addresses = forms.ChoiceField(
        label="How much of the project does it address?",
        choices=Output.Addresses.choices,
        initial=Output.Addresses.PARTLY,
        widget=forms.RadioSelect,
    )
    claim = forms.ModelChoiceField(
        label="From your claim", queryset=Claim.objects.none(), required=False
    )

    def __init__(self, *args, claims=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if claims:
            self.fields["claim"].queryset = Claim.objects.filter(pk__in=[c.pk for c in claims])
            # Labels from the claim's own fields: no query per option.
            self.fields["claim"].label_from_instance = lambda claim: (
                f"Your claim of {claim.started_at:%d %b %Y} ({claim.get_state_display().lower()})"
            )
        else:
            del self.fields["claim"]


class ProposalForm(UniqueIds, forms.Form):
    """Propose a new project, or an edit to one (without the agenda field)."""

    id_prefix = "proposal"

    title = forms.CharField(max_length=200, help_text="A short title: what should be produced.")
    description = forms.CharField(
        max_length=PLAN_MAX,
        widget=_textarea(6, PLAN_MAX, "What the project asks for (markdown)"),
        error_messages={"required": "Describe the project."},
    )
    kind = forms.ChoiceField(choices=ProjectKind.choices, initial=ProjectKind.PAPER)
    agenda = forms.ModelChoiceField(
        queryset=Agenda.objects.all(),
        required=False,
        empty_label="The community list",
        help_text="The agenda it belongs to, or the board's own community list.",
    )
    note = forms.CharField(
        label="Why",
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2, NOTE_MAX),
        help_text="Optional: a word for the curators.",
    )

    def __init__(self, *args, edit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["agenda"]


class FlagForm(forms.Form):
    """Ask curators to look at a comment."""

    reason = forms.CharField(label="What is wrong?", required=False, max_length=NOTE_MAX)
