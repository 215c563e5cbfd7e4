"""System checks: settings that would be unsafe in production."""

from django.conf import settings
from django.core import checks

# Backends that write each message, links and all, where logs are read.
LOGGING_MAIL_BACKENDS = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)


@checks.register(checks.Tags.security)
def mail_is_not_logged_in_production(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG off, refuse a mail backend that writes messages to the console or a
    file: password reset and email verification links would land in the logs."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in LOGGING_MAIL_BACKENDS:
        return []
    return [
        checks.Error(
            "With DEBUG off, mail would be written to the logs, password reset and "
            "verification links included.",
            hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:pass@host:587.",
            id="board.E001",
        )
    ]


# What goes wrong with the limits in each cache that app servers do not share (the shared
# ones, settings.SHARED_CACHE_BACKENDS, count with atomic increments).
UNSHARED_COUNTING = {
    "django.core.cache.backends.locmem.LocMemCache": "each process counts alone, so N "
    "processes (app server workers, app servers) allow N times every limit",
    "django.core.cache.backends.dummy.DummyCache": "it keeps nothing, so no limit holds",
}


@checks.register(checks.Tags.caches, deploy=True)
def rate_limits_are_shared(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG off, warn when the cache the rate limits count in (the board's and
    allauth's) is not one that all app servers share with atomic counters: in each
    process's memory, every process would allow the whole limit again."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend in settings.SHARED_CACHE_BACKENDS:
        return []
    why = UNSHARED_COUNTING.get(backend, "its counters are not atomic across app servers")
    return [
        checks.Warning(
            f"Rate limits count in the cache {backend}: {why}.",
            hint="Set CACHE_URL to a Redis shared by all app servers, e.g. "
            "redis://redis.internal:6379/0.",
            id="board.W001",
        )
    ]


@checks.register(checks.Tags.security)
def staff_use_two_factor_in_production(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """With DEBUG off, warn when staff could reach the admin with a password alone."""
    if settings.DEBUG or settings.STAFF_MFA_REQUIRED:
        return []
    return [
        checks.Warning(
            "With DEBUG off, STAFF_MFA_REQUIRED is off: staff reach the admin with a "
            "password alone.",
            hint="Unset STAFF_MFA_REQUIRED (it defaults to on), or set it to true.",
            id="board.W002",
        )
    ]


@checks.register(checks.Tags.caches)
def pages_are_cached_only_in_a_shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Warn when PAGE_CACHE asks for page caching that is off because the cache is not
    shared: each process would keep pages another one has already changed."""
    if settings.PAGE_CACHE or not settings.PAGE_CACHE_WANTED:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    return [
        checks.Warning(
            f"Pages are not cached: the cache {backend} is not shared by every process, so "
            "a cached page could outlive a change made in another one.",
            hint="Set CACHE_URL to a Redis shared by all app servers, or PAGE_CACHE=false "
            "to say you mean it.",
            id="board.W003",
        )
    ]
