"""No secret in the logs: the keys and tokens that some of the site's URLs carry are taken
out of every log line, the app's (settings.LOGGING) and the app server's
(agenda_site/granian-logging.json, which ``manage.py serve`` hands to granian).

A password reset link (/accounts/password/reset/key/<uid>-<key>/) and an email
verification link (/accounts/confirm-email/<key>/) each let whoever holds them take over
or claim an account; an unsubscribe link and a claim reminder's one-click link act for
their person without a sign-in. Their paths reach the logs in request lines, in the
Referer of the page's own styles and scripts, and in Django's warnings (a 404, a refused
CSRF token). Each such key becomes ``[redacted]``; the rest of the line stays.
"""

import logging
import re

REDACTED = "[redacted]"

# A path segment, or its percent-encoded form inside a query string ("%2F" for "/").
_SEGMENT = r"(?:(?!%2F)[^/?#&\s\"'<>\\])+"
_SLASH = r"(?:/|%2F)"

# What comes before each secret in its URL; the secret is the segment after it.
SECRET_URLS = re.compile(
    rf"(?P<before>{_SLASH}(?:confirm-email|notifications{_SLASH}unsubscribe|claims{_SLASH}reminded)"
    rf"{_SLASH}"
    # A reset link's key, but not the page it redirects to, .../<uid>-set-password/, which
    # holds no secret (the key moved into the session).
    rf"|{_SLASH}password{_SLASH}reset{_SLASH}key{_SLASH}(?![0-9A-Za-z]+-set-password\b))"
    rf"{_SEGMENT}",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with each key or token that a URL of the site carries replaced."""
    return SECRET_URLS.sub(lambda match: match["before"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    """A logging filter that lets every record through, with the secrets of its message,
    its traceback and its stack taken out (the message is formatted here, once)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class AccessLine(RedactSecrets):
    """The app server's access log line: the path and query string as one target (granian
    logs them apart), then redacted like every other line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Join the query string to the path in the record's fields, then redact."""
        fields = record.args
        if isinstance(fields, dict) and fields.get("query_string"):
            record.args = {**fields, "path": f"{fields['path']}?{fields['query_string']}"}
        return super().filter(record)
