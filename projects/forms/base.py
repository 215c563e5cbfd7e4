"""What every form of the board shares: parse, then perform one domain action."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

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


def textarea(rows: int, placeholder: str = "", *, mentions: bool = False) -> forms.Textarea:
    """A textarea; its maxlength comes from the field's own max_length. With ``mentions``,
    names are offered after "@" as one types (static/js/mentions.js)."""
    attrs = {"rows": rows, "placeholder": placeholder}
    if mentions:
        attrs["data-mention-lookup"] = reverse_lazy("accounts:mention-lookup")
    return forms.Textarea(attrs=attrs)
