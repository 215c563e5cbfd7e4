"""What every request and answer of the site goes through: checks, headers, board links."""

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control

from projects.markdown.links import BOARD_LINK_CLASS, fill_board_links

NUL_MESSAGE = "The address or the form holds a NUL character, which no page here can read."
# Bodies whose fields Django parses into request.POST (the only ones the site accepts).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer 400 to a request whose path, query string or form fields hold a NUL
    character.

    No page, filter, slug or text field can mean one, and PostgreSQL refuses NUL in text,
    so a lookup or a save would fail deep in a view instead of saying plainly what is wrong.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.GET
        bad = [key for key in query if "\x00" in key + "".join(query.getlist(key))]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            form = request.POST
            bad += [key for key in form if "\x00" in key + "".join(form.getlist(key))]
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


def private_pages_for_the_signed_in(get_response: Callable[[HttpRequest], HttpResponse]):
    """Pages shown to a signed-in person are theirs: ``Cache-Control: private, no-store``,
    so no shared cache keeps them and no browser history shows them to the next user of
    the machine. Answers that say how to cache themselves (the open API) are left alone."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        # The header first: an answer that says how to cache itself needs no user read (nor
        # the database, which may be away: projects.outages).
        if not response.has_header("Cache-Control") and user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


# Browser features no page of the board uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        # Not publickey-credentials-get: passkeys (for staff's second factor) need it.
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def permissions_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    """Send ``Permissions-Policy`` on every answer: no camera, microphone, location,
    payment or other device access, so injected or embedded code cannot ask for them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


BOARD_LINK_MARKER = f'class="{BOARD_LINK_CLASS}'.encode()


def board_links(get_response: Callable[[HttpRequest], HttpResponse]):
    """Links in what people wrote to the board's projects read as each project's current
    title and standing (``projects.markdown.links.fill_board_links``): one query for a page
    that holds any, whatever their number, and none for a page without.

    The stored HTML cannot hold them: a title or a standing changes after the text is saved.
    Here, rather than in each view, every page and every htmx fragment gets them alike.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")  # stitched: see page_cache.respond
            and BOARD_LINK_MARKER in response.content
        ):
            page = response.content.decode(response.charset)
            response.content = fill_board_links(page).encode(response.charset)
        return response

    return middleware
