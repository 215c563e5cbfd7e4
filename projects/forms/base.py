"""What every form of the board shares: parse, then perform one domain action."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse_lazy

from projects.markdown import render_markdown

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
        mark_preview(self)

    @property
    def previewing(self) -> str:
        """The markdown field whose Preview button sent the form ("" when it was sent to
        save): such a form is shown again with the preview, and nothing is saved."""
        return previewed_field(self)

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

        Returns whether the change happened (never for a preview, which saves nothing).
        """
        if self.previewing:
            self.is_valid()  # errors show beside the preview, as they would on saving
            self.focus_first_error()
            return False
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


def textarea(rows: int, placeholder: str = "") -> forms.Textarea:
    """A textarea; its maxlength comes from the field's own max_length."""
    return forms.Textarea(attrs={"rows": rows, "placeholder": placeholder})


class MarkdownTextarea(forms.Textarea):
    """A textarea for markdown, with Write and Preview beside it.

    Without JavaScript, Preview is a submit button (``name="preview"``, its value the
    field's name): the view shows the form again, text kept, with the preview above the
    text, and saves nothing. With htmx the same button posts the text to the preview
    endpoint and shows the answer in place of the text; Write goes back to it.
    """

    preview = False  # set on a form's own copy when its Preview button sent it

    def render(self, name, value, attrs=None, renderer=None) -> str:
        """The textarea inside its Write/Preview group, with the preview when asked for."""
        textarea_html = super().render(name, value, attrs, renderer)
        field_id = (attrs or {}).get("id") or self.attrs.get("id") or name
        context = {
            "name": name,
            "field_id": field_id,
            "textarea": textarea_html,
            # The text as the form will save it: CharField strips it first.
            "preview_html": render_markdown(str(value or "").strip()) if self.preview else "",
            "previewing": self.preview,
        }
        return render_to_string("projects/_writing.html", context)


def markdown_textarea(
    rows: int, placeholder: str = "", *, mentions: bool = False
) -> MarkdownTextarea:
    """A markdown textarea with Write/Preview; its maxlength comes from the field. With
    ``mentions``, names are offered after "@" as one types (static/js/mentions.js)."""
    attrs = {"rows": rows, "placeholder": placeholder}
    if mentions:
        attrs["data-mention-lookup"] = reverse_lazy("accounts:mention-lookup")
    return MarkdownTextarea(attrs=attrs)


def previewed_field(form: forms.BaseForm) -> str:
    """The name of the markdown field a bound form was sent to preview, else ""."""
    name = form.data.get("preview", "") if form.is_bound else ""
    field = form.fields.get(name) if isinstance(name, str) else None
    return name if field is not None and isinstance(field.widget, MarkdownTextarea) else ""


def mark_preview(form: forms.BaseForm) -> None:
    """Have the previewed field (if any) render its preview."""
    if name := previewed_field(form):
        form.fields[name].widget.preview = True
