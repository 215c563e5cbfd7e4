"""Rate limits on the board's writes, per account and per address, counted in the cache.

``settings.RATE_LIMITS`` is the one table of limits: for each kind of write, rates in
allauth's notation (``"10/m/user,30/m/ip"``: so many per period, per account or per
address). Each view that writes names its kind with ``@rate_limited(kind)``.

Counting is a fixed window per rate: ``cache.add`` starts a window's counter and
``cache.incr`` counts in it, both atomic in Redis and Memcached, so every app server
sharing the cache shares the counts (``manage.py check --deploy`` warns when the cache is
each process's own). A request refused for who sent it (403) or for what it names (404)
is given back, so it never counts against anyone; anonymous requests are sent to sign in
before anything is counted.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as memoize
from functools import wraps

from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)

# What each kind of write is called when the board says there were too many.
KINDS = {
    "comment": "comments",
    "edit": "comment edits",
    "claim": "claim changes",
    "check-in": "check-ins",
    "output": "linked outputs",
    "proposal": "proposals",
    "flag": "flags",
    "signal": "changes to what you want done and watch",
    "settings": "changes to your settings",
    "curation": "curation actions",
    "link": "uses of emailed links",
    "lookup": "name lookups",
    "preview": "previews",
}

RATE = re.compile(r"^(?P<amount>\d+)/(?P<count>\d*)(?P<unit>[smhd])(?:/(?P<per>user|ip))?$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A window's counter outlives its window by this much, so that an app server whose clock
# runs a little behind never finds it gone (and starts it again) while it still counts.
CLOCK_SKEW = 60


@dataclass(frozen=True)
class Rate:
    """At most ``amount`` writes per ``seconds``, per account (``user``) or address (``ip``)."""

    amount: int
    seconds: int
    per: str

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}s/{self.per}"


@memoize
def parse_rates(text: str) -> tuple[Rate, ...]:
    """The rates of a setting such as ``"10/m/user,100/h/user,30/m/ip"`` (allauth's notation:
    a period is ``s``, ``m``, ``h`` or ``d``, with an optional count, ``10m``; the address is
    the default ``per``). Empty: no limit. Raises ValueError on anything else."""
    rates = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = RATE.match(part)
        seconds = int(match["count"] or 1) * UNITS[match["unit"]] if match else 0
        if not seconds or not int(match["amount"]):
            raise ValueError(f"{part!r} is not a rate such as 10/m/user or 30/10m/ip")
        rates.append(Rate(int(match["amount"]), seconds, match["per"] or "ip"))
    return tuple(rates)


def check_table(table: dict[str, str]) -> None:
    """Refuse a table of limits that names an unknown kind, leaves one out, or holds a rate
    that does not parse (raises ImproperlyConfigured, saying which)."""
    if set(table) != set(KINDS):
        raise ImproperlyConfigured(
            f"RATE_LIMITS names the kinds {sorted(table)}; it must name exactly {sorted(KINDS)}."
        )
    for kind, text in table.items():
        try:
            parse_rates(text)
        except ValueError as error:
            setting = "RATE_LIMIT_" + kind.upper().replace("-", "_")
            raise ImproperlyConfigured(f"{setting}: {error}.") from None


def client_address(request: HttpRequest) -> str:
    """The address a request came from, read exactly as allauth reads it for its own limits:
    from ``REMOTE_ADDR``, or behind ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies from their
    ``X-Forwarded-For``, or from ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``; without a port, and
    an IPv6 address cut to its network (``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``, /64)."""
    return get_ip(request)


@dataclass(frozen=True)
class Refusal:
    """Why a write was refused: which kind, counted per what, and how many seconds until the
    window that refused it ends."""

    kind: str
    per: str
    retry_after: int

    @property
    def message(self) -> str:
        """What the person is told, with when to try again."""
        source = "from your account" if self.per == "user" else "from your network"
        return (
            f"Too many {KINDS[self.kind]} {source} in a short time. Nothing was saved: "
            f"try again in {wait_in_words(self.retry_after)}."
        )


def wait_in_words(seconds: int) -> str:
    """``45`` -> "45 seconds", ``150`` -> "3 minutes", ``5400`` -> "2 hours" (rounded up)."""
    if seconds >= 3600:
        count, unit = math.ceil(seconds / 3600), "hour"
    elif seconds >= 60:
        count, unit = math.ceil(seconds / 60), "minute"
    else:
        count, unit = seconds, "second"
    return f"{count} {unit}{'' if count == 1 else 's'}"


@dataclass
class Taken:
    """The counters one request went into, to give back if it turns out not to count."""

    keys: list[str]

    def give_back(self) -> None:
        """Take this request out of every count it went into."""
        for key in self.keys:
            try:
                cache.decr(key)
            except ValueError:  # its window has ended meanwhile: nothing to give back
                pass
            except Exception:
                logger.exception("Could not give back a rate limit count")


def _count(key: str, timeout: int) -> int:
    """Count one more in ``key``, atomically: the first request of a window adds the counter
    at 1, the others increment it."""
    for _ in range(2):
        if cache.add(key, 1, timeout):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between the add and the incr: start it again
            continue
    return 1


def take(request: HttpRequest, kind: str) -> Taken | Refusal:
    """Count this request against each of its kind's rates: the account's (when signed in),
    then the address's. The first rate it would exceed refuses it, and the counts already
    taken are given back. A cache that cannot be reached refuses nothing (and is logged):
    the limits guard the board, they must not stop it."""
    taken = Taken(keys=[])
    rates = parse_rates(settings.RATE_LIMITS[kind])
    for rate in sorted(rates, key=lambda r: r.per != "user"):
        if rate.per == "user":
            if not request.user.is_authenticated:
                continue
            who = f"user:{request.user.pk}"
        else:
            who = f"ip:{client_address(request)}"
        now = time.time()
        window = int(now // rate.seconds)
        window_ends = (window + 1) * rate.seconds
        key = f"board:rl:{kind}:{rate}:{who}:{window}"
        try:
            count = _count(key, math.ceil(window_ends - now) + CLOCK_SKEW)
        except Exception:
            logger.exception("Rate limits are not counted: the cache cannot be reached")
            taken.give_back()
            return Taken(keys=[])
        if count > rate.amount:
            taken.give_back()
            wait = max(1, math.ceil(window_ends - now))
            return Refusal(kind=kind, per=rate.per, retry_after=wait)
        taken.keys.append(key)
    return taken


def too_many(request: HttpRequest, refusal: Refusal | None = None) -> HttpResponse:
    """429 Too Many Requests, with ``Retry-After`` when the refusal says when. htmx gets the
    sentence alone, as plain text, for static/js/htmx-errors.js to show above the page
    (htmx swaps no 4xx answer, so the form keeps what was typed); a plain request gets a
    page in the site's look that says when to try again and, after one of the board's own
    forms, shows what was sent (never after allauth's, whose forms hold passwords)."""
    message = refusal.message if refusal else ""
    if getattr(request, "htmx", False) and refusal:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    else:
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = ""
        # What was typed, by field (not the token, ids or ticked boxes), to copy from.
        written = [
            (key.replace("_", " "), value)
            for key, values in (request.POST.lists() if refusal else [])
            if key != "csrfmiddlewaretoken" and "password" not in key
            for value in values
            if value.strip() and not value.strip().isdigit() and value != "on"
        ]
        context = {"message": message, "back": back, "written": written}
        response = render(request, "429.html", context, status=429)
    if refusal:
        response["Retry-After"] = str(refusal.retry_after)
    return response


def handler429(request: HttpRequest) -> HttpResponse:
    """The page allauth shows when one of its own limits (sign-in, sign-up, password reset)
    refuses a request: the same page, without a time (allauth does not say)."""
    return too_many(request)


def rate_limited(kind: str) -> Callable[[Callable], Callable]:
    """Count each POST to the view against ``kind``'s limits and answer 429 past them. Goes
    under the decorators that send anonymous requests to sign in; a request the view refuses
    with 403 or 404 is given back."""
    if kind not in KINDS:
        raise ImproperlyConfigured(f"No kind of write is called {kind!r}.")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                return view(request, *args, **kwargs)
            taken = take(request, kind)
            if isinstance(taken, Refusal):
                return too_many(request, taken)
            try:
                return view(request, *args, **kwargs)
            except (PermissionDenied, Http404):
                taken.give_back()
                raise

        return wrapper

    return decorator
