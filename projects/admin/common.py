"""What the board's ModelAdmins share: nothing is ever deleted, one voice in the action bar,
no 500 for input the admin cannot use, and the helpers their bulk actions and button forms
use."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import model_ngettext
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import Field, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.text import capfirst, smart_split

# Words of a changelist search (or an autocomplete's) that are searched for; each word is
# one more condition on every search field, and SQLite refuses a query nested too deep.
MAX_SEARCH_WORDS = 20


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


def readable(field: Field, value: object) -> bool:
    """Whether ``value`` is one that ``field`` can hold: a hand-made form may send any text
    for an id (``abc``, or a number past what the column stores)."""
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class ReadableValuesMixin:
    """An autocomplete select that shows, of the values sent, only those its field can
    read: Django's would look each one up as an id and fail on ``abc`` (500)."""

    def optgroups(self, name: str, value: list, attr=None) -> list:
        """The options for the readable values."""
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        return super().optgroups(name, [v for v in value if readable(target, v)], attr)


class ReadableAutocompleteSelect(ReadableValuesMixin, AutocompleteSelect):
    """The admin's autocomplete for a foreign key, for any value sent."""


class ReadableAutocompleteSelectMultiple(ReadableValuesMixin, AutocompleteSelectMultiple):
    """The admin's autocomplete for a many-to-many field, for any values sent."""


class GuardedAdminMixin:
    """What every screen of the admin does with input it cannot use, instead of failing
    with a 500: a search of many words searches for the first ``MAX_SEARCH_WORDS``; a
    selection for an action that names no row is refused with a message; an autocomplete
    field sent a value that is no id shows nothing chosen (and the form says why).

    The board's ModelAdmins have it through ``BoardModelAdmin``; the others registered
    here (people, groups, the outbox) name it first among their bases.
    """

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        """Django's search, for at most ``MAX_SEARCH_WORDS`` words (quoted phrases count as
        one); the changelist says when words were left out."""
        words = list(smart_split(search_term))
        if len(words) > MAX_SEARCH_WORDS:
            search_term = " ".join(words[:MAX_SEARCH_WORDS])
            if request.path != reverse("admin:autocomplete"):
                messages.warning(request, f"Searched for the first {MAX_SEARCH_WORDS} words only.")
        return super().get_search_results(request, queryset, search_term)

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Run the chosen action, if every selected row is one this list could hold."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(readable(self.opts.pk, value) for value in selected):
            self.message_user(
                request,
                "The selection names rows that are not in this list. Select them again.",
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        """Django's field, with an autocomplete that shows only readable values."""
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ReadableAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        """Django's field, with an autocomplete that shows only readable values."""
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ReadableAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BoardModelAdmin(GuardedAdminMixin, admin.ModelAdmin):
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
