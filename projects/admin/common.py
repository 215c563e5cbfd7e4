"""What the board's ModelAdmins share: nothing is ever deleted, one voice in the action bar,
and the helpers their bulk actions and button forms use."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst


def apply_each(request: HttpRequest, queryset: QuerySet, change: Callable, done: str) -> None:
    """Apply a domain change to each selected object; report what changed, what was already
    so (a change that returns False), and each refusal."""
    ok = unchanged = 0
    for obj in queryset:
        try:
            result = change(obj)
        except ValidationError as error:
            messages.error(request, f"{obj}: {' '.join(error.messages)}")
            continue
        if result is False:
            unchanged += 1
        else:
            ok += 1
    if ok:
        messages.success(request, f"{done}: {ok} {model_ngettext(queryset, ok)}.")
    if unchanged:
        noun = model_ngettext(queryset, unchanged)
        messages.info(request, f"{unchanged} {noun} already so: nothing to change.")


def action_bar(model_admin: admin.ModelAdmin, request: HttpRequest) -> ActionForm:
    """The action bar as posted, read (Django's changelist checked it before the action)."""
    bar = model_admin.action_form(request.POST)
    bar.is_valid()
    return bar


class BoardActionForm(ActionForm):
    """The action bar: labels sit beside their boxes, so they need no colon."""

    action = forms.ChoiceField(label="Action")


class BoardModelAdmin(admin.ModelAdmin):
    """A ModelAdmin of the board: it offers no delete to anyone, superusers included.

    What the board promises to keep (projects, their history, discussion, versions) is
    retired, hidden or merged through the domain instead; without the delete permission
    Django shows no delete link, drops "Delete selected", and its delete view answers 403.
    """

    action_form = BoardActionForm

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """Never: nothing here is deleted from the admin."""
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """The list, titled by what it lists ("Comments"), not "Select comment to change"."""
        title = capfirst(self.opts.verbose_name_plural)
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_action_choices(self, request: HttpRequest, default_choices=None) -> list:
        """The actions, under a prompt instead of Django's bare dashes."""
        return super().get_action_choices(request, default_choices=[("", "Choose an action")])


class ButtonForm(forms.Form):
    """A form whose submit buttons are its choice: each button is named after one of
    ``buttons``, and exactly one of them must be the one pressed."""

    buttons: tuple[str, ...] = ()

    def clean(self) -> dict:
        """Find the pressed button; ``cleaned_data["button"]`` names it."""
        data = super().clean()
        pressed = [name for name in self.buttons if name in self.data]
        if len(pressed) != 1:
            raise ValidationError("Press one of the buttons.", code="button")
        data["button"] = pressed[0]
        return data
