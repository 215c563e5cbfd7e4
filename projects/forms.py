"""Forms for what researchers do on a project: each parses its input and performs one action.

A form is built with what it acts on (the project, the claim, the comment) and who acts;
``perform()`` calls the one domain method with its cleaned data. Field names and the
call that uses them live side by side, so renaming a field is one edit in one class.
Each keeps what the user typed and puts its message at the field; the domain's
refusal (a ValidationError with a code) lands at the top of the form.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import services
from projects.models import Agenda, Claim, Comment, Output, OutputKind, Project, ProjectKind
from projects.models.output import http_url_validator

PLAN_MAX = 5000
COMMENT_MAX = 10000
NOTE_MAX = 300


class ActionForm(forms.Form):
    """A form that performs one domain action once it is valid.

    ``id_prefix`` keeps field ids unique on a page that shows several forms with a
    "note" field. The first field with an error gets ``autofocus``, so that after a
    full-page answer (no JavaScript) or an htmx swap the cursor lands on it.
    """

    id_prefix = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def target(self) -> int | None:
        """The object this form acts on, when a page shows one such form per object."""
        return None

    def perform(self) -> object:
        """Call the domain method with the cleaned data; raises its ValidationError."""
        raise NotImplementedError

    def error_summary(self) -> list[str]:
        """Every error of the form, as sentences for the page's live region."""
        return [str(error) for errors in self.errors.values() for error in errors]

    def submit(self) -> bool:
        """Validate, then perform; a domain refusal becomes the form's error.

        Returns whether the change happened.
        """
        if self.is_valid():
            try:
                self.perform()
            except ValidationError as error:
                self.add_error(None, error)
            else:
                return True
        self.focus_first_error()
        return False

    def focus_first_error(self) -> None:
        """Give the first field with an error ``autofocus``."""
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["autofocus"] = True
                return


def _textarea(rows: int, placeholder: str = "") -> forms.Textarea:
    """A textarea; its maxlength comes from the field's own max_length."""
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class ClaimForm(ActionForm):
    """Claim a project: an optional plan, target date and planned kind of output."""

    id_prefix = "claim"

    plan = forms.CharField(
        required=False,
        max_length=PLAN_MAX,
        widget=_textarea(4, "What you will do, and how (markdown)"),
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
        return self.claim.pk


class CheckInForm(ClaimActionForm):
    """A progress note on an active claim."""

    id_prefix = "checkin"

    note = forms.CharField(
        label="Progress note",
        max_length=NOTE_MAX,
        widget=_textarea(2, "Where things stand"),
        error_messages={"required": "Say where things stand."},
    )

    def perform(self) -> Claim:
        return self.claim.check_in(note=self.cleaned_data["note"])


class CompleteForm(ClaimActionForm):
    """Mark a claim completed, with an optional closing note."""

    id_prefix = "complete"

    note = forms.CharField(label="Closing note", required=False, max_length=NOTE_MAX)

    def perform(self) -> Claim:
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
    note = forms.CharField(label="Anything others should know", required=False, max_length=NOTE_MAX)

    def perform(self) -> Claim:
        data = self.cleaned_data
        return self.claim.release(reason=data["reason"], note=data["note"])


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


class CommentForm(ActionForm):
    """A new comment in a project's discussion."""

    id_prefix = "comment"

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=_textarea(4, "Markdown is welcome"),
        error_messages={"required": "Write something first."},
    )
    is_scope = forms.BooleanField(
        label="This is about what the project should cover (scope)", required=False
    )

    def __init__(self, *args, project: Project, author, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project, self.author = project, author

    def perform(self) -> Comment:
        data = self.cleaned_data
        return self.project.add_comment(
            author=self.author, body=data["body"], is_scope=data["is_scope"]
        )


class ReplyForm(ActionForm):
    """A reply to a top-level comment of the project; ``parent`` names it."""

    id_prefix = "reply"

    parent = forms.ModelChoiceField(
        queryset=Comment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "You can reply only to a top-level comment."},
    )
    body = forms.CharField(
        label="Reply",
        max_length=COMMENT_MAX,
        widget=_textarea(3),
        error_messages={"required": "Write something first."},
    )

    def __init__(self, *args, project: Project, author, parent: Comment | None = None, **kwargs):
        if parent is not None:
            # One reply form per comment on the page: ids and the parent are its own.
            kwargs.setdefault("auto_id", f"reply-{parent.pk}-%s")
            kwargs.setdefault("initial", {"parent": parent.pk})
        super().__init__(*args, **kwargs)
        if parent is None and self.target is not None:
            # A posted reply takes the ids its form has on the page: after bad input, the
            # URL's fragment names its field.
            self.auto_id = f"reply-{self.target}-%s"
        self.project, self.author = project, author
        self.fields["parent"].queryset = project.comments.filter(parent__isnull=True)
        if parent is not None:
            self.fields["body"].label = f"Reply to {parent.author.public_name}"

    @property
    def target(self) -> int | None:
        """The comment replied to, as sent (or as offered, on a fresh form)."""
        raw = self.data.get("parent") if self.is_bound else self.initial.get("parent")
        return int(raw) if str(raw or "").isdigit() and str(raw).isascii() else None

    def perform(self) -> Comment:
        data = self.cleaned_data
        return self.project.add_comment(
            author=self.author, body=data["body"], parent=data["parent"]
        )


class CommentEditForm(ActionForm):
    """Edit your comment (a reply has no scope mark)."""

    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=_textarea(4),
        error_messages={"required": "Write something first, or delete the comment."},
    )
    is_scope = forms.BooleanField(
        label="This is about what the project should cover (scope)", required=False
    )

    def __init__(self, *args, comment: Comment, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"edit-{comment.pk}-%s")  # unique beside the page's forms
        kwargs.setdefault("initial", {"body": comment.body, "is_scope": comment.is_scope})
        super().__init__(*args, **kwargs)
        self.comment = comment
        self.fields["body"].widget.attrs["autofocus"] = True  # Edit puts the cursor in the text
        if comment.parent_id:
            del self.fields["is_scope"]
            self.fields["body"].label = "Reply"

    @property
    def target(self) -> int:
        return self.comment.pk

    def perform(self) -> Comment:
        data = self.cleaned_data
        return self.comment.edit(body=data["body"], is_scope=data.get("is_scope"))


class FlagForm(ActionForm):
    """Ask curators to look at someone else's comment."""

    reason = forms.CharField(label="What is wrong? (optional)", required=False, max_length=NOTE_MAX)

    def __init__(self, *args, comment: Comment, by, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"flag-{comment.pk}-%s")
        super().__init__(*args, **kwargs)
        self.comment, self.by = comment, by

    @property
    def target(self) -> int:
        return self.comment.pk

    def perform(self) -> object:
        return self.comment.flag(by=self.by, reason=self.cleaned_data["reason"])


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


class ProposalForm(ActionForm):
    """Propose a new project, or (given ``project``) an edit to one, without the agenda."""

    id_prefix = "proposal"

    title = forms.CharField(
        max_length=200,
        help_text="A short title: what should be produced.",
        error_messages={"required": "Give the project a short title."},
    )
    description = forms.CharField(
        max_length=PLAN_MAX,
        widget=_textarea(6, "What the project asks for (markdown)"),
        error_messages={"required": "Describe the project."},
    )
    kind = forms.ChoiceField(
        choices=ProjectKind.choices,
        initial=ProjectKind.PAPER,
        error_messages={"required": "Choose what kind of project it is."},
    )
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
        widget=_textarea(2),
        help_text="Optional: a word for the curators.",
    )

    def __init__(self, *args, by, project: Project | None = None, **kwargs) -> None:
        if project is not None:
            kwargs.setdefault(
                "initial",
                {"title": project.title, "description": project.description, "kind": project.kind},
            )
        super().__init__(*args, **kwargs)
        self.by, self.project = by, project
        if project is not None:
            del self.fields["agenda"]

    def perform(self) -> object:
        data = self.cleaned_data
        text = {
            "title": data["title"],
            "description": data["description"],
            "kind": data["kind"],
            "note": data["note"],
        }
        if self.project is None:
            return services.project_propose(by=self.by, agenda=data["agenda"], **text)
        return services.project_propose_edit(by=self.by, project=self.project, **text)
