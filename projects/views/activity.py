"""The board's recent activity, a page at a time."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from projects.models import Event

PER_PAGE = 50


def nearest_page(paginator: Paginator, number: str | None) -> Page:
    """The page asked for, or the nearest there is: past the end, the last page; below 1,
    missing or not a whole number, the first."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    return paginator.page(min(max(wanted, 1), paginator.num_pages))


@require_safe
def activity(request: HttpRequest) -> HttpResponse:
    """Public events of live projects across the board, newest first, ``?page=`` at a time."""
    paginator = Paginator(Event.objects.for_feed(), PER_PAGE)
    page = nearest_page(paginator, request.GET.get("page"))
    return render(request, "projects/event_list.html", {"page_obj": page})
