"""When the database is away: 503 with a page that says to try again, never 500.

A view that cannot reach the database raises ``django.db.OperationalError`` or
``InterfaceError`` (psycopg's own errors, wrapped by Django, or raised bare). The
``database_outage`` middleware answers those from any view; ``handler500`` answers them
when they come from a middleware instead (the session and the signed-in user are read from
the database). Either way the answer is the same: 503 with ``Retry-After``, the page
``503.html`` rendered without the database (no request context), or the API's JSON error
under ``/api/``, logged once at warning with no traceback. A transaction the request had
open rolled back when the error left it; the broken connection is closed, so the next
request opens a new one and the site serves again as soon as the database is back.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from agenda_site.sessions import SessionNotEnded

logger = logging.getLogger(__name__)

# Seconds a client is told to wait before trying again.
RETRY_AFTER = 30
MESSAGE = (
    "The board cannot reach its database just now, and nothing was changed. "
    "Please try again in a minute."
)


def _database_errors() -> tuple[type[BaseException], ...]:
    """Django's errors for a database that cannot be reached, and psycopg's own."""
    errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:
        import psycopg
    except ImportError:  # SQLite only
        return errors
    return (*errors, psycopg.OperationalError, psycopg.InterfaceError)


DATABASE_ERRORS = _database_errors()


def drop_broken_connections() -> None:
    """Close each database connection that failed and no longer answers, so that the next
    query opens a new one (what Django does at the end of a request, done at once here so
    no later step of this request, and no test client, waits on a dead connection)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.in_atomic_block:
            try:
                connection.close_if_unusable_or_obsolete()
            except DATABASE_ERRORS:
                connection.connection = None


def service_unavailable(
    request: HttpRequest,
    error: BaseException,
    *,
    message: str = MESSAGE,
    cause: str = "Database unreachable",
) -> HttpResponse:
    """503 for a request that found the database away (or, with ``message``, a sign-out
    that found the cache away): the API's JSON error under /api/, the message alone for
    htmx (static/js/htmx-errors.js shows it), the page otherwise.

    Logs once per request, at warning, without a traceback. Nothing here reads the
    database: the page is rendered without the request's context, and the request's user
    becomes anonymous, so the middleware the answer passes back through reads nothing."""
    if not getattr(request, "_database_outage_logged", False):
        request._database_outage_logged = True
        logger.warning(
            "%s: %s %s answered 503 (%s: %s)",
            cause,
            request.method,
            request.path,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
        )
    drop_broken_connections()
    request.user = AnonymousUser()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    # Django logs every 5xx with its traceback; this one is logged above, once.
    response._has_been_logged = True
    return response


def database_outage(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 503 (``service_unavailable``) when a view finds the database away, or a
    sign-out the cache (``SessionNotEnded``). High in ``MIDDLEWARE``, above the session: a
    view's error reaches it before any other."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return get_response(request)

    def process_exception(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return service_unavailable(request, exception)
        if isinstance(exception, SessionNotEnded):
            # Nothing was ended: the messages waiting, "You have signed out." among them, are
            # dropped rather than shown on the next page.
            for _ in messages.get_messages(request):
                pass
            return service_unavailable(
                request, exception, message=exception.message, cause="Cache unreachable at sign-out"
            )
        return None

    middleware.process_exception = process_exception
    return middleware


def handler500(request: HttpRequest) -> HttpResponse:
    """The server error page, unless the error is the database away (raised by a middleware
    reading the session or the user): then 503, as from a view."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return service_unavailable(request, error)
    return defaults.server_error(request)
