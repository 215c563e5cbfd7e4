"""How django-allauth speaks for the board."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with mail that names the site by ``settings.SITE_NAME``."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send allauth's mail; without the sites framework it would name the request's host."""
        domain = get_current_site(allauth_context.request).domain
        site = MailSite(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
