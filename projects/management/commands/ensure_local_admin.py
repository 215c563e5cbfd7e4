"""``manage.py ensure_local_admin``: a superuser for a development machine, made once."""

import secrets
from urllib.parse import urljoin

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

USERNAME = "admin"


class Command(BaseCommand):
    help = "On a development machine (DEBUG on), create the superuser 'admin' if none exists."

    def add_arguments(self, parser: CommandParser) -> None:
        """``--url``: where the site is served, so the message points at the admin there."""
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="The address the site is served at (default: %(default)s).",
        )

    def handle(self, *args, **options) -> None:
        """Create the account with a random password printed once, or say it exists."""
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to make a development admin with DEBUG off; "
                "use `manage.py createsuperuser` on a real deployment."
            )
        admin_url = urljoin(options["url"], reverse("admin:index"))
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                f"An admin account exists; sign in at {admin_url}. Forgot its password? "
                f"`.venv/bin/python manage.py changepassword {USERNAME}`."
            )
            self.stdout.write(self.two_factor_note(options["url"]))
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(USERNAME, "admin@localhost", password)
        # Verified, so that the site's sign-in (which requires a verified address) works too.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local admin account (shown once): username {USERNAME}, "
                f"password {password}  ->  {admin_url}"
            )
        )
        self.stdout.write(self.two_factor_note(options["url"]))

    def two_factor_note(self, site_url: str) -> str:
        """How the admin's two-factor rule stands on this machine, and how to change it."""
        if settings.STAFF_MFA_REQUIRED:
            set_up = urljoin(site_url, reverse("mfa_index"))
            return (
                "The admin asks staff for two-factor authentication: sign in on the site, then "
                f"set up an authenticator app at {set_up} (or run with STAFF_MFA_REQUIRED=false)."
            )
        return (
            "Two-factor authentication for staff is off here (STAFF_MFA_REQUIRED=false, as "
            "`make run` sets it); `make run STAFF_MFA_REQUIRED=true` turns it on, as in production."
        )
