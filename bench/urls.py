"""The board's URLs plus the benchmark's baseline, and the middleware that reports each
answer's query count (bench/settings.py uses both; nothing else does)."""

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import path

from agenda_site import urls as root

QUERIES_HEADER = "X-Bench-Queries"


def baseline(request: HttpRequest) -> HttpResponse:
    """The least a page can do: a few bytes, through every middleware, no query of its own."""
    return HttpResponse("ok", content_type="text/plain")


def count_queries(get_response):
    """Middleware: the number of SQL statements run for the request, in QUERIES_HEADER."""

    def middleware(request: HttpRequest) -> HttpResponse:
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counted):
            response = get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response

    return middleware


urlpatterns = [
    path("bench/baseline", baseline),
    *root.urlpatterns,
]
handler429, handler500 = root.handler429, root.handler500
