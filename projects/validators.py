"""What people type that others will read or follow: links and one-line text.

Links people follow must be what they look like: ``validate_link`` refuses user-info
(``https://doi.org@evil.example/``), backslashes, bad ports, invisible characters and any
scheme but http(s). One-line fields (titles, names, notes, reasons) hold no line break;
invisible characters (bidi overrides, zero-width characters) are *stripped* from them by
``OneLineField`` and refused by the models' ``validate_one_line`` (the admin and any other
model form go through the same form field, so only a value set in code meets the refusal).
Usernames are ASCII letters, digits, ``-`` and ``_``; display names may be in any script.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.utils.deconstruct import deconstructible

# Bidi embeddings, overrides and isolates; zero-width spaces, joiners and marks; the BOM,
# soft hyphen and word joiner: characters that change how text looks without showing.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
LINE_BREAK = re.compile("[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")

_http_url = URLValidator(schemes=["http", "https"])


@deconstructible
class LinkValidator:
    """Refuse a link that does not lead where it seems to: one clear message per case."""

    def __call__(self, value: str) -> None:
        """Raise ValidationError (code "invisible", "backslash", "scheme", "userinfo",
        "port" or "invalid") unless ``value`` is a plain http(s) address."""
        value = str(value)
        if INVISIBLE.search(value) or LINE_BREAK.search(value):
            raise ValidationError(
                "Remove the invisible characters from the link (paste it again, or type it).",
                code="invisible",
            )
        if "\\" in value:
            raise ValidationError("A link cannot contain a backslash (\\).", code="backslash")
        try:
            parts = urlsplit(value)
        except ValueError:  # an unclosed IPv6 bracket: "https://["
            raise ValidationError(
                "Enter a full web address starting with http:// or https://.", code="invalid"
            ) from None
        if parts.scheme.lower() not in ("http", "https"):
            raise ValidationError(
                "Enter a full web address starting with http:// or https://.", code="scheme"
            )
        if "@" in parts.netloc:
            raise ValidationError(
                "A link cannot hold a name or password before the host (the part before @).",
                code="userinfo",
            )
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0 or (port is None and parts.netloc.endswith(":")):
            raise ValidationError(
                "The port after the host must be a number from 1 to 65535.", code="port"
            )
        try:
            _http_url(value)
        except ValidationError:
            raise ValidationError(
                "Enter a full web address starting with http:// or https://.", code="invalid"
            ) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinkValidator)

    def __hash__(self) -> int:
        return hash(LinkValidator)


validate_link = LinkValidator()


def link_host(url: str) -> str:
    """The host a link really leads to (``doi.org``), for display beside its title."""
    try:
        return (urlsplit(str(url)).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def validate_one_line(value: str) -> None:
    """Refuse line breaks and invisible characters in a one-line field."""
    if LINE_BREAK.search(str(value)):
        raise ValidationError("Keep this to one line (no line breaks).", code="line_break")
    if INVISIBLE.search(str(value)):
        raise ValidationError("Remove the invisible characters.", code="invisible")


def one_line(value: str) -> str:
    """``value`` without invisible characters and surrounding white space."""
    return INVISIBLE.sub("", value).strip()


class OneLineField(forms.CharField):
    """A form field for one line of text: strips invisible characters, refuses line breaks,
    and refuses a value that was only invisible characters and spaces."""

    default_validators = [validate_one_line]

    def to_python(self, value):
        """Strip invisible characters; "This field cannot be blank." if nothing is left."""
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        cleaned = one_line(value)
        if not cleaned:
            raise ValidationError("This field cannot be blank.", code="blank")
        return cleaned


class OneLineCharField(models.CharField):
    """A model field for one line of text; its forms (admin included) use ``OneLineField``."""

    default_validators = [validate_one_line]

    def formfield(self, **kwargs):
        """The one-line form field (choices keep their select)."""
        return super().formfield(**{"form_class": OneLineField, **kwargs})


validate_username = RegexValidator(
    r"\A[A-Za-z0-9_-]+\Z",
    message="Use only letters a-z, digits, hyphens (-) and underscores (_) in a username.",
    code="username",
)

# allauth's ACCOUNT_USERNAME_VALIDATORS names this list.
username_validators = [validate_username]
