"""What the admin's bulk actions share."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest


def apply_each(request: HttpRequest, queryset: QuerySet, change: Callable, done: str) -> None:
    """Apply a domain change to each selected object; report successes and each refusal."""
    ok = 0
    for obj in queryset:
        try:
            change(obj)
            ok += 1
        except ValidationError as error:
            messages.error(request, f"{obj}: {' '.join(error.messages)}")
    if ok:
        messages.success(request, f"{done}: {ok} {model_ngettext(queryset, ok)}.")
