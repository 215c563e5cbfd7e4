"""How django-allauth speaks for the board."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import User
from projects.validators import validate_one_line


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with mail that names the site by ``settings.SITE_NAME``, notices of
    account changes that reach every address of the account, and failed sign-ins counted per
    login whatever host name the request used."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed attempts to sign in to this account. Wait a few minutes, then "
            "try again."
        ),
    }

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The key allauth counts failed sign-ins under (5 per 5 minutes per login). allauth
        puts the current site's domain in it, which without the sites framework is the
        request's Host header, port and all: each name in ALLOWED_HOSTS, each port, would
        start a fresh count. One board, one count per login."""
        login = credentials.get("email", credentials.get("username", ""))
        return f"login:{login.lower()}"

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address, for allauth's rate limits and the board's. A request that
        passed fewer proxies than ``ALLAUTH_TRUSTED_PROXY_COUNT`` (sent to an app server
        directly, with an X-Forwarded-For of its own making) counts under the address that
        connected, as a request without that header does: allauth would raise (a 500)."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            return request.META["REMOTE_ADDR"]

    def clean_email(self, email: str) -> str:
        """An address with no invisible character and no line break. Django's validator
        checks a domain's IDNA form, which drops zero-width characters and lets a bidi
        override through, so ``ada@exa\u200bmple.org`` would pass and look like someone
        else's address. Signing up, adding an address and resetting a password ask here."""
        validate_one_line(email)
        return super().clean_email(email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send allauth's mail; without the sites framework it would name the request's host."""
        domain = get_current_site(allauth_context.request).domain
        site = MailSite(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def send_notification_mail(
        self,
        template_prefix: str,
        user: User,
        context: dict | None = None,
        email: str | None = None,
    ) -> None:
        """Tell each verified address of the account of a change to it (a password, an
        address, a second factor), not only the primary one: someone who took over the
        account and made their own address primary must not silence the owner's. An
        address the change names (the one removed, the one moved from) hears too."""
        addresses = set(
            EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
        )
        addresses.update(filter(None, [email, (context or {}).get("deleted_email")]))
        reset = reverse("account_reset_password")
        # Outside a request (a script), the site's public address stands in for the host.
        reset = (
            self.request.build_absolute_uri(reset)
            if self.request
            else urljoin(settings.SITE_URL, reset)
        )
        context = {"password_reset_url": reset, **(context or {})}
        if not addresses:
            super().send_notification_mail(template_prefix, user, context)
        for address in sorted(addresses):
            super().send_notification_mail(template_prefix, user, context, email=address)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's two-factor adapter, with a QR code the page can show inline."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        # allauth's rule: an unverified address on an account it can no longer recover by
        # mail would lock its owner out of signing up with it.
        "add_email_blocked": (
            "An account with two-factor authentication cannot add an email address. Turn "
            "two-factor authentication off, add and verify the address, then turn it on again."
        ),
        "incorrect_code": (
            "That code is not right. Enter the code your app shows now, or a recovery code "
            "you have not used."
        ),
    }

    def build_totp_svg(self, url: str) -> str:
        """The QR code as an inline ``<svg>``: the Content-Security-Policy refuses the
        ``data:`` image allauth would make of it. Hidden from screen readers, which read
        the secret written beside it instead."""
        svg = super().build_totp_svg(url)
        svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
        return svg.replace("<svg ", '<svg class="totp-qr" aria-hidden="true" focusable="false" ', 1)
