"""How django-allauth speaks for the board."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from projects.validators import validate_one_line


@dataclass(frozen=True)
class MailSite:
    """What allauth's mail templates read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with mail that names the site by ``settings.SITE_NAME``."""

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
