"""Who the signed-in reader is, without a query on every page they read."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from projects import page_cache


class KeptUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, but ``request.user`` is ``kept_user``'s."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request: HttpRequest):
    # As Django's middleware does: found once a request, and ``auth.login`` replaces it.
    if not hasattr(request, "_cached_user"):
        request._cached_user = kept_user(request)
    return request._cached_user


def kept_user(request: HttpRequest):
    """The user the session names, as ``auth.get_user`` finds them (one query), kept under
    the content version by ``page_cache.for_signed_in``: a page read again costs no query
    for its reader. Every write to the users table bumps the version, so a kept user is
    never older than the last write to them (a change of password, a deactivation) but for
    the second a bump may take to reach the cache.

    A kept user stands only while the session still names them with a backend this site
    signs in with and their password's hash as it was, and they are still active; anything
    else takes Django's own path, which signs out a session whose hash no longer holds."""
    user_id = request.session.get(auth.SESSION_KEY)
    if user_id is None:
        return auth.get_user(request)  # no one: no query
    user = page_cache.for_signed_in(request, str(user_id), lambda: auth.get_user(request))
    if not user.is_authenticated or _session_holds(request.session, user):
        return user
    return auth.get_user(request)


def _session_holds(session, user) -> bool:
    """Whether ``session`` is still ``user``'s, as ``auth.get_user`` would find it with its
    current secret, and they may still sign in."""
    return (
        user.is_active
        and str(session.get(auth.SESSION_KEY)) == str(user.pk)
        and session.get(auth.BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(
            session.get(auth.HASH_SESSION_KEY) or "", user.get_session_auth_hash()
        )
    )
