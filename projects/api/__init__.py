"""The read-only JSON API under /api/, and the headers every one of its answers carries."""

import copy
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.http import ConditionalGetMiddleware
from django.urls import URLPattern
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware

from projects.api.endpoints import api

__all__ = ["api", "open_data_headers", "read_only", "urls"]

revalidated = decorator_from_middleware(ConditionalGetMiddleware)


def open_data_headers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an API view: an ETag (a hash of the body) that a matching If-None-Match turns
    into 304, caches told to revalidate every time, and any origin allowed to read it."""

    @wraps(view)
    def with_cache_control(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # Always revalidated, never served stale: the ETag makes revalidation cheap.
        patch_cache_control(response, public=True, no_cache=True)
        return response

    conditional = revalidated(with_cache_control)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = conditional(request, *args, **kwargs)
        # The data is public: any site's script may read it (no cookies are involved).
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag"
        return response

    return wrapped


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an API view: GET, and HEAD answered as GET (the server sends no body); any other
    method 405. django-ninja routes each operation by method alone, so without this a HEAD
    got 405 where GET got 200, and its OpenAPI document answered a POST."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if request.method == "HEAD":
            request = copy.copy(request)
            request.method = "GET"
        return view(request, *args, **kwargs)

    return wrapped


def urls() -> tuple:
    """The API's URL patterns, for ``include``: each view wrapped in ``open_data_headers``,
    and read only."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = read_only(open_data_headers(pattern.callback))
    return patterns, app_name, namespace
