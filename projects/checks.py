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
            id="board.W001",
        )
    ]
