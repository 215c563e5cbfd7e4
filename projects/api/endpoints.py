"""The read-only JSON API: agendas and their live projects, nothing a visitor could not see.

Every list is paged (``limit``/``offset``); bad query parameters answer 400 and an unknown
slug 404, both with a JSON body saying why. The OpenAPI document is generated from these
signatures and the schemas in ``projects.api.schemas``.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError

from projects.api.schemas import (
    AgendaDetailOut,
    AgendaPage,
    PageParams,
    Problem,
    ProjectDetailOut,
    ProjectFilters,
    ProjectPage,
)
from projects.glance import Glance
from projects.models import Agenda, Claim, Output, Project

api = NinjaAPI(
    title="Research Agenda Board",
    version="1",
    description=(
        "Read-only open data: published research agendas and their project ideas, who is "
        "working on each, and what came of it. Answers carry an ETag (send it back in "
        "If-None-Match to get 304 when nothing changed) and Access-Control-Allow-Origin: *."
    ),
    urls_namespace="api",
    # No interactive docs page: django-ninja's Swagger UI (served locally when "ninja" is an
    # installed app) fails axe-core (contrast, nested controls, no lang). The README links
    # the OpenAPI document instead.
    docs_url=None,
)


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """400, not django-ninja's 422: the request itself is wrong; each parameter says why."""
    errors = [
        {"parameter": ".".join(str(part) for part in error["loc"][1:]), "message": error["msg"]}
        for error in exc.errors
    ]
    detail = "Bad query parameters: " + "; ".join(
        f"{error['parameter']}: {error['message']}" for error in errors
    )
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


def _absolute(request: HttpRequest, path: str) -> str:
    """The full URL of a path on this site, as the request reached it."""
    return request.build_absolute_uri(path)


def _page(
    request: HttpRequest,
    rows: QuerySet,
    count: int,
    params: PageParams,
    serialize: Callable[[HttpRequest, Any], dict],
) -> dict:
    """One page of ``rows`` with links to the pages before and after it (same filters)."""

    def link(offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(offset)
        query["limit"] = str(params.limit)
        return request.build_absolute_uri("?" + query.urlencode())

    start, end = params.offset, params.offset + params.limit
    return {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "next": link(end) if end < count else None,
        "previous": link(max(start - params.limit, 0)) if start > 0 else None,
        "results": [serialize(request, row) for row in rows[start:end]],
    }


def standing_counts(glance: Glance) -> dict[str, int]:
    """How many of an agenda's live projects there are, and in each standing (0 for none):
    the numbers of its glance's legend, so that the API and the pages never disagree."""
    return {"total": len(glance.cells)} | {entry.value: entry.count for entry in glance.legend}


def agenda_data(request: HttpRequest, agenda: Agenda) -> dict:
    """An agenda as the API shows it; needs ``AgendaQuerySet.with_glance``."""
    return {
        "slug": agenda.slug,
        "title": agenda.title,
        "author": agenda.author,
        "source_url": agenda.source_url,
        "published_on": agenda.published_on,
        "url": _absolute(request, agenda.get_absolute_url()),
        "counts": standing_counts(agenda.glance),
    }


def project_data(request: HttpRequest, project: Project) -> dict:
    """A project as the API lists it; needs ``ProjectQuerySet.for_api``."""
    return {
        "slug": project.slug,
        "number": project.number,
        "agenda": project.agenda.slug,
        "title": project.title,
        "kind": project.kind,
        "status": project.status,
        "standing": project.standing,
        "tags": [{"slug": tag.slug, "name": tag.name} for tag in project.tags.all()],
        "claim_limit": project.claim_limit,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "url": _absolute(request, project.get_absolute_url()),
        "counts": {
            "active_claims": project.active_count,
            "completed_claims": project.completed_count,
            "interested": project.interest_count,
            "comments": project.comment_count,
            "outputs": project.output_count,
        },
    }


def claim_data(request: HttpRequest, claim: Claim) -> dict:
    """A claim: who (public name and page, never an email address), its state and dates."""
    return {
        "researcher": {
            "name": claim.researcher.public_name,
            "url": _absolute(request, claim.researcher.get_absolute_url()),
        },
        "state": claim.state,
        "started_at": claim.started_at,
        "last_activity_at": claim.last_activity_at,
        "target_date": claim.target_date,
        "ended_at": claim.ended_at,
    }


def output_data(output: Output) -> dict:
    """A linked output that was not rejected."""
    return {
        "url": output.url,
        "title": output.title,
        "kind": output.kind,
        "addresses": output.addresses,
        "review": output.review,
    }


@api.get(
    "/agendas/",
    response={200: AgendaPage, 400: Problem},
    url_name="agenda-list",
    tags=["agendas"],
    summary="Every agenda, with how many of its projects stand where",
)
def agenda_list(request: HttpRequest, params: Query[PageParams]) -> dict:
    """A page of agendas by title, each with counts of its live projects by standing."""
    agendas = Agenda.objects.with_glance().order_by("title", "pk")
    return _page(request, agendas, Agenda.objects.count(), params, agenda_data)


@api.get(
    "/agendas/{slug}/",
    response={200: AgendaDetailOut, 404: Problem},
    url_name="agenda-detail",
    tags=["agendas"],
    summary="One agenda, with its introduction",
)
def agenda_detail(request: HttpRequest, slug: str) -> dict:
    """One agenda with its intro (markdown) and counts; 404 for an unknown slug."""
    agenda = Agenda.objects.with_glance().filter(slug=slug).first()
    if agenda is None:
        raise HttpError(404, f"There is no agenda with the slug “{slug}”.")
    return {**agenda_data(request, agenda), "intro": agenda.intro}


@api.get(
    "/projects/",
    response={200: ProjectPage, 400: Problem},
    url_name="project-list",
    tags=["projects"],
    summary="Live projects, in agenda order, optionally filtered",
)
def project_list(request: HttpRequest, params: Query[ProjectFilters]) -> dict:
    """A page of live projects (never unpublished proposals or merged duplicates)."""
    projects = Project.objects.live().matching(
        agenda=params.agenda,
        status=params.status,
        tag=params.tag,
        kind=params.kind,
        unclaimed=params.unclaimed,
    )
    return _page(request, projects.for_api(), projects.count(), params, project_data)


@api.get(
    "/projects/{slug}/",
    response={200: ProjectDetailOut, 301: None, 404: Problem},
    url_name="project-detail",
    tags=["projects"],
    summary="One project, with its text, claims and outputs",
)
def project_detail(request: HttpRequest, slug: str) -> dict | HttpResponse:
    """One live project; a merged duplicate redirects (301) to the project it was merged
    into; 404 for an unknown slug or an unpublished proposal."""
    project = Project.objects.public().for_api_detail().filter(slug=slug).first()
    if project is None:
        raise HttpError(404, f"There is no project with the slug “{slug}”.")
    if project.merged_into_id:
        kept = reverse("api:project-detail", args=[project.merged_into.slug])
        return HttpResponsePermanentRedirect(kept)
    return {
        **project_data(request, project),
        "description": project.description,
        "summary": project.summary,
        "claims": [claim_data(request, claim) for claim in project.claim_list],
        "outputs": [output_data(output) for output in project.shown_outputs],
    }
