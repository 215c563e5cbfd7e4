"""Pages for reading: the project list, an agenda, a project; and the health check."""

import logging

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from projects.models import Agenda, Project
from projects.views.common import render_page

logger = logging.getLogger(__name__)


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """Every public project across agendas, in agenda order, a page at a time."""
    paginator = Paginator(Project.objects.live().for_list(), settings.PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {"page_obj": page})


@require_GET
def agenda_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One agenda: its attribution and intro, then its projects in source order."""
    agenda = get_object_or_404(Agenda.objects.for_detail(), slug=slug)
    projects = agenda.projects.live().for_list()
    return render(request, "projects/agenda_detail.html", {"agenda": agenda, "projects": projects})


@require_GET
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One project: description and source, claims with plans, outputs, discussion, history."""
    project = get_object_or_404(Project.objects.public().for_detail(request.user), slug=slug)
    if project.merged_into_id:
        # A merged duplicate lives on at the project it was merged into.
        return redirect(project.merged_into, permanent=True)
    return render_page(request, project)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 after a database round trip, 503 if the database is unreachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check failed: database unreachable (%s)", error)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
