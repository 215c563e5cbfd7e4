"""Pages for reading: the project list, the agendas, an agenda, a project; the health and
readiness checks."""

import copy
import functools
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.models import User
from projects import page_cache, permissions, stitching
from projects.filters import ProjectFilter, Sort
from projects.forms import (
    CheckInForm,
    CompleteForm,
    ConfirmForm,
    OutputForm,
    ReleaseForm,
    WatchForm,
)
from projects.models import Agenda, Claim, Comment, Flag, Project, Tag
from projects.outages import drop_broken_connections
from projects.paging import KeysFirstPaginator
from projects.views.common import (
    FLASH_KEY,
    PAGE,
    STAKES,
    Forms,
    discussion_pages,
    page_context,
    render_own_sections,
    render_page,
    render_sections,
)

logger = logging.getLogger(__name__)


@require_safe
@vary_on_headers("HX-Request")
def project_list(request: HttpRequest, tag: str | None = None) -> HttpResponse:
    """The project finder: every live project, searched, filtered and sorted as the query
    string says, a page at a time. ``/tags/<slug>/`` is the same list for one tag.

    htmx (the search box as you type, a filter, a page link) gets the results section;
    anything else, the page. Bad filter values are shown next to their field and answered
    with 400 on a full page (200 for htmx, which swaps only successful answers).
    """
    results_only = bool(request.htmx) and not request.htmx.history_restore_request
    shown = ("results", "status") if results_only else ("title", "feeds", "content", "status")
    template = None if results_only else "projects/project_list.html"
    page_cache.read_ahead(request, shell=("project-list", False), template=template, parts=shown)
    # The parts are the same for every reader signed in (or not): kept, they cost no query.
    parts = page_cache.shell(
        request, "project-list", shown, lambda: _list_parts(request, tag, results_only)
    )
    status = int(parts["status"])
    if results_only:
        return page_cache.respond_part(request, parts, "results")
    return page_cache.respond(request, template, parts, status=status)


def _list_parts(request: HttpRequest, slug: str | None, results_only: bool) -> dict[str, str]:
    """The project list's parts, rendered: the results section alone for htmx, else the
    page's title, feed links and content; and the answer's status (404 for no such tag)."""
    tag = get_object_or_404(Tag, slug=slug) if slug is not None else None
    data = request.GET.copy()
    if tag is not None:
        # The path names the tag; a ?tag= in the query string cannot change it.
        data["tag"] = tag.slug
    finder = ProjectFilter(data, queryset=Project.objects.live().for_list())
    paginator = KeysFirstPaginator(finder.qs, settings.PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "finder": finder,
        "page_obj": page,
        "query": finder.query,
        "grouped": finder.sorted_by == Sort.NUMBER and not finder.query,
        "tag": tag,
        "finder_url": tag.get_absolute_url() if tag else reverse("projects:project-list"),
        "results_summary": _results_summary(paginator.count, finder),
    }
    parts = "projects/_project_list_parts.html#"
    if results_only:
        return {"results": render_to_string(f"{parts}results", context, request), "status": "200"}
    return {
        "title": render_to_string(f"{parts}title", context, request),
        "feeds": render_to_string(f"{parts}feeds", context, request),
        "content": render_to_string(f"{parts}content", context, request),
        "status": "400" if finder.errors else "200",
    }


def _results_summary(count: int, finder: ProjectFilter) -> str:
    """The results' heading, also read out after a live update: how many, for what."""
    projects = f"{count} project{pluralize(count)}"
    if finder.query:
        return f"{projects} match{pluralize(count, 'es,')} “{finder.query}”"
    if finder.is_filtered:
        return f"{projects} match{pluralize(count, 'es,')} these filters"
    return projects


@require_safe
def agenda_list(request: HttpRequest) -> HttpResponse:
    """Every agenda, the community's proposals last: who wrote it, its progress in words, and
    its projects at a glance."""
    agendas = Agenda.objects.for_index()
    return render(request, "projects/agenda_list.html", {"agendas": agendas})


@require_safe
def agenda_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One agenda: its attribution and intro, its projects at a glance, then its projects in
    source order, a page at a time."""
    shown, template = ("title", "feeds", "content"), "projects/agenda_detail.html"
    page_cache.read_ahead(request, shell=("agenda", False), template=template, parts=shown)
    parts = page_cache.shell(request, "agenda", shown, lambda: _agenda_parts(request, slug))
    return page_cache.respond(request, template, parts)


def _agenda_parts(request: HttpRequest, slug: str) -> dict[str, str]:
    """An agenda page's title, feed links and content, rendered (404 for no such agenda)."""
    agenda = get_object_or_404(Agenda.objects.for_detail(), slug=slug)
    paginator = KeysFirstPaginator(agenda.projects.live().for_list(), settings.PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {"agenda": agenda, "page_obj": page}
    return {
        part: render_to_string(f"projects/_agenda_detail_parts.html#{part}", context, request)
        for part in ("title", "feeds", "content")
    }


# A discussion page number past this is no page (and would overflow the database's OFFSET).
MAX_DISCUSSION_PAGE = 100_000


@require_safe
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One project: description and source, claims with plans, outputs, discussion (a page
    of threads, ``?discussion=<page>``), history. htmx asking for the discussion (its
    "Earlier comments" and "Later comments" links) gets that section; anything else, the
    page. A page number that is not one answers 400, a page past the last 404."""
    raw = request.GET.get("discussion", "1")
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_DISCUSSION_PAGE):
        message = "The discussion page must be a whole number from 1, as in ?discussion=2."
        return render(request, "400.html", {"message": message}, status=400)
    page = int(raw)
    if (
        request.htmx
        and request.htmx.target == "discussion"
        and not (request.htmx.history_restore_request)
    ):
        project = get_object_or_404(Project.objects.live(), slug=slug)
        response = render_sections(
            request,
            project,
            section="discussion",
            discussion_page=page,
        )
    else:
        response = _kept_page(request, slug, page) or _own_page(request, slug, page)
    return response


def _own_page(request: HttpRequest, slug: str, page: int) -> HttpResponse:
    """The project page rendered whole for its reader (a merged project's address sends them
    on; 404 past the discussion's last page)."""
    project = get_object_or_404(Project.objects.public().for_detail(request.user, page), slug=slug)
    if project.merged_into_id:
        # A merged duplicate lives on at the project it was merged into.
        return redirect(project.merged_into, permanent=True)
    if page > discussion_pages(project):
        raise Http404("This discussion has no such page.")
    return render_page(request, project)


# Who reads a kept project page: signed in, active, taking part, but holding nothing there
# (pk 0 is no one's).
BYSTANDER = User(pk=0, username="", is_active=True)
# Where a kept page marks a section, or a piece of one, that may be a reader's own
# (project_detail.html, _comment.html): ``<!--own:NAME-->`` before it, ``<!--/own:NAME-->`` after.
OWN_MARK = re.compile(r"<!--(/?)own:([a-z0-9-]+)-->")
ACTIONS = "acts-"  # a comment's actions: acts-<pk>


def _kept_page(request: HttpRequest, slug: str, page: int) -> HttpResponse | None:
    """The project page from parts kept for everyone signed in with no stake in the project,
    with what is the reader's own rendered in its place (``_own_pieces``), kept for them
    too. None when the reader is to get their page rendered whole (``_reader_stakes``), or
    when the kept content lacks a piece's marks (logged).

    For a browser that takes it, stitched (``page_cache.stitched_page``): the content as
    kept compressed, for everyone or, with the reader's pieces in, for the reader alone, a
    chain (``stitching.Chain``) whose holes take the reader's token."""
    shown = ("title", "description", "feeds", "content")
    page_cache.read_ahead(
        request,
        shell=(KEPT_SHELL, True),
        template=KEPT_PAGE,
        parts=shown,
        reader=(_stakes_name(slug),),
        reader_parts=(_pieces_name(slug, page),),
        everyone=("curators",),
    )
    found = _reader_stakes(request, slug)
    if found is None:
        return None
    pk, held = found
    parts = page_cache.shell(
        request,
        KEPT_SHELL,
        shown,
        lambda: _bystander_parts(request, slug, page),
        tokens=True,
        cut=_kept_compressed,
    )
    content = parts.raw["content"]  # with the forms' token slots
    own, chain = {}, parts.pieces.get("content")
    if held:
        marks = functools.cache(lambda: _marks(content))
        # The pieces depend on the project, the discussion page and what the reader holds
        # there, all at the content version the key has; so does the content they make.
        try:
            own = page_cache.for_reader_parts(
                request,
                _pieces_name(slug, page),
                lambda: _own_pieces(request, Project(pk=pk, slug=slug), held, page, marks()),
                holds=(pk, tuple(sorted(held))),
                cut=lambda raw: {"content": _content_chain(_splice(content, marks(), raw))},
            )
        except _StakeGone:
            return None
        chain = own.pieces.get("content")
    filled = chain.filled(page_cache.token_input(request).encode()) if chain else None
    response = filled and page_cache.stitched_page(
        request, KEPT_PAGE, parts, stretches={"content": filled}
    )
    if not response:
        spliced = _splice(parts["content"], _marks(parts["content"]), own)
        if spliced is None:
            return None
        parts["content"] = mark_safe(spliced)
        response = render(request, KEPT_PAGE, {"parts": parts})
    patch_vary_headers(response, ["HX-Request"])
    return response


KEPT_PAGE = "projects/project_kept.html"
# What a kept project page's entries are named: changed with what they hold, so that the
# processes of an older release, during a deploy, never read entries they cannot unpack.
KEPT_SHELL = "project-chained"


def _pieces_name(slug: str, page: int) -> str:
    """Where a reader's own pieces of the project page at ``slug`` are kept (with the
    project's pk and what they hold there, ``for_reader_parts``'s ``holds``): named before
    their stakes are read, so that ``read_ahead`` reads them with the rest."""
    return f"{KEPT_SHELL}:own:{slug}:{page}"


def _kept_compressed(html: str) -> stitching.Piece | stitching.Chain | None:
    """A kept part as it is kept compressed too (``page_cache.shell``'s ``cut``): the
    content without its marks, as a chain around its forms' tokens; a part without a slot
    or a mark, as one piece; neither for a part with links filled in on the way out."""
    if page_cache.BOARD_LINK in html:
        return None
    if page_cache.token_input_slot() not in html and not OWN_MARK.search(html):
        return stitching.piece(html.encode())
    return _content_chain(OWN_MARK.sub("", html))


def _content_chain(content: str | None) -> stitching.Chain | None:
    """``content`` (forms' tokens as the slot, no marks) compressed ahead of time around
    the slots, where each reader's token goes; None for no content, or one with links
    filled in on the way out."""
    if content is None or page_cache.BOARD_LINK in content:
        return None
    stretches = content.split(page_cache.token_input_slot())
    return stitching.chain([s.encode() for s in stretches], page_cache.TOKEN_INPUT_LENGTH)


class _StakeGone(Exception):
    """What the reader was found to hold is no longer there (changed by a write whose bump
    of the content version has yet to reach the cache): their page is rendered whole."""


def _own_pieces(
    request: HttpRequest, project: Project, held: set[str], page: int, marks: dict
) -> dict[str, str]:
    """What of a kept page is the reader's own, by the name of its marks, forms' tokens left
    as the slot: the sections their stakes show (``STAKES``), and pieces of the others:
    their active claim's forms and the output form, their watch button, and the actions of
    the comments on the page that they wrote or flagged. ``project`` is its pk and slug (the
    stakes query found it published at that slug), for the pieces' links and forms."""
    slot = {"csrf_token": page_cache.token_slot()}
    own = {section for kind in held for section in STAKES[kind]}
    pieces = render_own_sections(request, project.pk, own, page, slot) if own else {}
    if "active_claim" in held:
        pieces |= _own_claim_pieces(request, project, own, slot)
    if "watch" in held and "signals" not in own:
        project.watching = True
        context = {"project": project, "watch_form": WatchForm(project=project, user=request.user)}
        pieces["watch"] = render_to_string(f"{PAGE}#watch-form", context | slot, request)
    if {"comment", "flag"} & held:
        on_page = [
            int(name[len(ACTIONS) :]) for end, name in marks if not end and name.startswith(ACTIONS)
        ]
        pieces |= _own_comment_actions(request, project, on_page, slot)
    return pieces


def _marks(content: str) -> dict[tuple[str, str], list[re.Match]]:
    """Where each mark is in kept content, by ("" or "/", the piece's name)."""
    marks: dict[tuple[str, str], list[re.Match]] = {}
    for match in OWN_MARK.finditer(content):
        marks.setdefault((match[1], match[2]), []).append(match)
    return marks


def _splice(content: str, marks: dict, pieces: dict[str, str]) -> str | None:
    """``content`` with each piece named in ``pieces`` put in place of what its marks hold,
    and every mark gone; None (logged) when a piece is not marked exactly once, in order,
    apart from the others."""
    spans = []
    for name in pieces:
        begins, ends = marks.get(("", name), []), marks.get(("/", name), [])
        if len(begins) != 1 or len(ends) != 1 or begins[0].start() > ends[0].start():
            logger.error("A kept project page lacks the marks of its piece %s", name)
            return None
        spans.append((begins[0].start(), ends[0].end(), name))
    pieces_in_order, at = [], 0
    for begin, end, name in sorted(spans):
        if begin < at:
            logger.error("A kept project page has the piece %s inside another", name)
            return None
        pieces_in_order += [content[at:begin], pieces[name]]
        at = end
    return OWN_MARK.sub("", "".join([*pieces_in_order, content[at:]]))


def _own_claim_pieces(
    request: HttpRequest, project: Project, skip: set[str], slot: dict
) -> dict[str, str]:
    """For a reader with an active claim on ``project``: their claim's forms, and the output
    form with their claims to choose from (unless its section, in ``skip``, is rendered
    whole); one query."""
    user = request.user
    claims = list(
        Claim.objects.filter(project_id=project.pk, researcher_id=user.pk)
        .select_related("project")  # a claim's staleness is by its project's window
        .defer("project__search_vector")
    )
    mine = next((claim for claim in claims if claim.is_active), None)
    if mine is None:
        raise _StakeGone
    context = {
        "project": mine.project,
        "my_active_claim": mine,
        **{
            name: form(claim=mine)
            for name, form in (
                ("confirm_form", ConfirmForm),
                ("checkin_form", CheckInForm),
                ("complete_form", CompleteForm),
                ("release_form", ReleaseForm),
            )
        },
    }
    pieces = {"my-claim": render_to_string(f"{PAGE}#my-claim", context | slot, request)}
    if "outputs" not in skip:
        form = OutputForm(project=mine.project, by=user, claims=claims)
        context = {"project": mine.project, "output_form": form}
        pieces["output-form"] = render_to_string(f"{PAGE}#output-form", context | slot, request)
    return pieces


def _own_comment_actions(
    request: HttpRequest, project: Project, on_page: list[int], slot: dict
) -> dict[str, str]:
    """The actions, as the reader sees them, of the comments among ``on_page`` (the kept
    page's, with their actions marked) that they wrote or flagged, by mark; one query."""
    if not on_page:
        return {}
    user = request.user
    flagged = Flag.objects.filter(comment=OuterRef("pk"), flagged_by_id=user.pk)
    theirs = (
        Comment.objects.filter(project_id=project.pk, pk__in=on_page)
        .annotate(flagged_by_me=Exists(flagged))
        .filter(Q(author_id=user.pk) | Q(flagged_by_me=True))
        .select_related("author")  # a quote names the author
    )
    pieces = {}
    for comment in theirs:
        comment.may_flag = permissions.can_flag(user, comment)
        context = {"comment": comment, "project": project}
        pieces[f"{ACTIONS}{comment.pk}"] = render_to_string(
            "projects/_comment.html#actions", context | slot, request
        )
    return pieces


def _reader_stakes(request: HttpRequest, slug: str) -> tuple[int, set[str]] | None:
    """For a reader whose project page may come from kept parts: the project's pk and the
    kinds of ``STAKES`` the reader holds there (none for a bystander). None for anyone else:
    page caching off, not signed in (visitors get whole pages kept), staff, a curator (by
    the set of them kept under the content version), a form asked for or sent back, a
    quote, or a project not published or merged away. One query, none when the reader's
    stakes are kept at the content version."""
    user = request.user
    if not (
        settings.PAGE_CACHE
        and permissions.can_participate(user)
        and not (user.is_staff or user.is_superuser)
        and set(request.GET) <= {"discussion"}
        and FLASH_KEY not in request.session
        and user.pk not in page_cache.for_everyone(request, "curators", permissions.curator_ids)
    ):
        return None
    # Kept for the reader under the content version: a reload costs no query.
    found = page_cache.for_reader(request, _stakes_name(slug), lambda: _stakes(slug, user), tuple)
    if not found:
        return None
    pk, *held = found
    stakes = dict(zip(STAKES, held, strict=True))
    permissions.found_no_curator(user)  # the reader's own sections need not ask
    if stakes["active_claim"]:
        stakes["claim"] = False  # shown by the pieces of the active one (``STAKES``)
    return pk, {kind for kind, has in stakes.items() if has}


def _stakes_name(slug: str) -> str:
    """Where a reader's stakes in the project at ``slug`` are kept (``page_cache.for_reader``).
    The kinds are in it: a release that changes them never reads an older tuple."""
    return f"stakes:{'+'.join(STAKES)}:{slug}"


def _stakes(slug: str, user: User) -> tuple:
    """The pk of the published, unmerged project at ``slug`` and whether ``user`` holds each
    kind of ``STAKES`` there; empty for no such project, or when the query lost its
    stand-ins (logged). One query."""
    sql, params = _stakes_query()
    if params.count(_ANY_SLUG) != 1 or params.count(_ANY_READER) != len(STAKES):
        # The ORM compiled the stand-ins into something else: the reader gets their own
        # page rather than one they were not checked for.
        logger.error("The stakes query does not take its slug and reader: %s", sql)
        return ()
    asked = {_ANY_SLUG: slug, _ANY_READER: user.pk}
    with connection.cursor() as cursor:
        cursor.execute(sql, [asked.get(param, param) for param in params])
        return tuple(cursor.fetchone() or ())


# Stand-ins for the slug and the reader in the stakes query, compiled once per process:
# building its subqueries anew took longer than the rest of a kept page. The reader is in
# each of them once.
_ANY_SLUG, _ANY_READER = "\x00slug", -7_654_321


@functools.cache
def _stakes_query() -> tuple[str, tuple]:
    """The SQL (and its parameters, the stand-ins among them) that finds the published,
    unmerged project at a slug, and what a reader holds there."""
    found = (
        Project.objects.public()
        .filter(slug=_ANY_SLUG, merged_into__isnull=True)
        .with_stakes_of(User(pk=_ANY_READER))
        .values_list("pk", *(f"stake_{kind}" for kind in STAKES))[:1]
    )
    return found.query.sql_with_params()


def _bystander_parts(request: HttpRequest, slug: str, page: int) -> dict[str, str]:
    """The project page's parts as a signed-in reader with no stake in it sees them, forms'
    tokens left as the slot (``page_cache.token_slot``), the sections that may be a reader's
    own marked; 404 past the discussion's last page."""
    project = get_object_or_404(Project.objects.public().for_detail(BYSTANDER, page), slug=slug)
    if page > discussion_pages(project):
        raise Http404("This discussion has no such page.")
    reader = copy.copy(request)
    reader.user = BYSTANDER
    context = page_context(reader, project, Forms()) | {
        "user": BYSTANDER,
        "csrf_token": page_cache.token_slot(),
        "keeping": True,  # marks the sections that may be a reader's own
    }
    return {
        part: render_to_string(f"{PAGE}#page-{part}", context, reader)
        for part in ("title", "description", "feeds", "content")
    }


@require_safe
def comment_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's lasting address: to its project's page, at the discussion page that holds
    it (or the placeholder left in its place), scrolled to it."""
    comment = get_object_or_404(
        Comment.objects.select_related("project", "parent"),
        pk=pk,
        project__in=Project.objects.live(),
    )
    return redirect(comment.page_url())


def _database_state() -> str:
    """ "ok" after a database round trip, "unreachable" when it fails (logged, and the broken
    connection closed, so the next request connects again)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check failed: database unreachable (%s)", error)
        drop_broken_connections()
        return "unreachable"
    return "ok"


def _cache_state() -> str:
    """ "ok", or "unreachable" when the shared cache (Redis) does not answer a PING. A cache
    in each process's memory is always there."""
    reachable = getattr(cache, "reachable", None)
    return "ok" if reachable is None or reachable() else "unreachable"


def _health() -> tuple[dict[str, str], bool, bool]:
    """The health report, whether the database answers, and whether the cache does."""
    database, cache_state = _database_state(), _cache_state()
    if database != "ok":
        status = "unavailable"
    elif cache_state != "ok":
        status = "degraded"
    else:
        status = "ok"
    report = {"status": status, "database": database, "cache": cache_state}
    return report, database == "ok", cache_state == "ok"


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 after a database round trip, 503 if the database is
    unreachable. The cache away is "degraded" and still 200: the site serves without it
    (its rate limits count nothing meanwhile)."""
    report, database_ok, _ = _health()
    return JsonResponse(report, status=200 if database_ok else 503)


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """For a readiness check that takes an app server out of rotation: the same report as
    ``healthz``, but 503 when the shared cache is unreachable too, for deployments that
    would rather not serve than serve with their rate limits uncounted."""
    report, database_ok, cache_ok = _health()
    return JsonResponse(report, status=200 if database_ok and cache_ok else 503)
