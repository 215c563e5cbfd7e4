"""The rule that staff reach the admin with a second factor: an authenticator app (TOTP) or
a security key (WebAuthn), set up on their account and used in the session they are in.

allauth's MFA app asks for the second factor at sign-in (its login stage) from anyone who
has one set up, and records each step of a sign-in in the session. This module reads
those records; the admin site (projects.admin_site) asks it before every admin page.
"""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

# Recovery codes are a way back in, not a factor of their own: allauth removes them with
# the last authenticator.
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]

SET_UP_MESSAGE = (
    "The admin asks staff for two-factor authentication. Set up an authenticator app or "
    "a security key here, then open the admin again."
)
CONFIRM_MESSAGE = (
    "To open the admin, confirm it is you with your authenticator app or security key."
)


def has_second_factor(user) -> bool:
    """Whether the account has an authenticator app or a security key set up."""
    return is_mfa_enabled(user, SECOND_FACTORS)


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later confirmation) passed a second factor:
    a code from the app, a recovery code, or a security key."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def staff_second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect | None:
    """Where a signed-in staff member must go before an admin page, or None to go on.

    Without a second factor set up: to the two-factor page, to set one up. With one, but
    a session that was never asked for it (signed in before it was set up, or by a way
    that skipped it): to confirm with it, then back to the page they asked for.
    """
    if not settings.STAFF_MFA_REQUIRED:
        return None
    user = request.user
    if not (user.is_active and user.is_staff):
        return None
    if not has_second_factor(user):
        messages.warning(request, SET_UP_MESSAGE)
        return HttpResponseRedirect(reverse("mfa_index"))
    if used_second_factor(request):
        return None
    messages.info(request, CONFIRM_MESSAGE)
    if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        confirm = reverse("mfa_reauthenticate")
    else:
        confirm = reverse("mfa_reauthenticate_webauthn")
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return HttpResponseRedirect(f"{confirm}?{query}")
