"""Request checks that hold for every URL of the site."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

NUL_MESSAGE = "The address holds a NUL character, which no page here can read."


def refuse_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400 to a request whose path or query string holds a NUL character.

    No page, filter or slug can mean one, and PostgreSQL refuses NUL in text, so a lookup
    would fail deep in a view instead of saying plainly what is wrong.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.GET
        bad = [key for key in query if "\x00" in key + "".join(query.getlist(key))]
        if "\x00" in request.path or bad:
            if request.path.startswith("/api/"):
                # The API answers errors in its own JSON shape (see projects/api/schemas.py).
                errors = [
                    {"parameter": key.replace("\x00", ""), "message": NUL_MESSAGE} for key in bad
                ]
                return JsonResponse({"detail": NUL_MESSAGE, "errors": errors}, status=400)
            raise BadRequest(NUL_MESSAGE)
        return get_response(request)

    return middleware
