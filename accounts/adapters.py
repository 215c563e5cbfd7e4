"""How django-allauth speaks for the board."""

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with mail that names the site by ``settings.SITE_NAME``, and failed
    sign-ins counted per login whatever host name the request used."""

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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send allauth's mail; without the sites framework it would name the request's host."""
        domain = get_current_site(allauth_context.request).domain
        site = MailSite(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
