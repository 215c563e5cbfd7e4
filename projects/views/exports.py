"""An agenda's projects as a file, for people who mirror or study it: CSV and JSON."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from projects.models import Agenda
from projects.open_data import export_rows, rows_as_csv


def _as_attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Ask the browser to save the answer under ``filename`` rather than show it."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def agenda_export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """The agenda's live projects in source order as a CSV download (UTF-8, a header row)."""
    agenda = get_object_or_404(Agenda, slug=slug)
    rows = export_rows(agenda, absolute=request.build_absolute_uri)
    response = HttpResponse(rows_as_csv(rows), content_type="text/csv; charset=utf-8")
    return _as_attachment(response, f"{agenda.slug}-projects.csv")


@require_safe
def agenda_export_json(request: HttpRequest, slug: str) -> JsonResponse:
    """The agenda and its live projects in source order as a JSON download."""
    agenda = get_object_or_404(Agenda, slug=slug)
    document = {
        "agenda": {
            "slug": agenda.slug,
            "title": agenda.title,
            "author": agenda.author,
            "source_url": agenda.source_url,
            "published_on": agenda.published_on,
            "url": request.build_absolute_uri(agenda.get_absolute_url()),
        },
        "projects": export_rows(agenda, absolute=request.build_absolute_uri),
    }
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return _as_attachment(response, f"{agenda.slug}-projects.json")
