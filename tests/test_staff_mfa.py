"""Staff reach the admin through the site's rate-limited sign-in and with two-factor
authentication (allauth's MFA app), through the real pages and flows."""

import re

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.two_factor import CONFIRM_MESSAGE, SET_UP_MESSAGE
from tests.factories import TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's
ADMIN = "/admin/"


def verified(user):
    """The user with a verified primary address: the site's sign-in asks for one."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, user, password: str = PASSWORD, next_url: str = ADMIN):
    """The first step of the site's sign-in, as the form posts it."""
    return client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": user.username, "password": password, "next": next_url},
    )


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def login_failures_allowed_per_account() -> int:
    """How many failed sign-ins allauth allows one account ("5/300s/key": 5)."""
    limits = account_settings.RATE_LIMITS["login_failed"]
    return int(re.search(r"(\d+)/[^,]*/key", limits).group(1))


# The admin's own sign-in is the site's


def test_the_admin_login_sends_to_the_sites_sign_in_with_next(client):
    to_site = client.get(reverse("admin:login") + "?next=/admin/projects/project/")
    from_index = client.get(ADMIN, follow=True)

    assert to_site.status_code == 302
    assert to_site["Location"] == "/accounts/login/?next=%2Fadmin%2Fprojects%2Fproject%2F"
    assert from_index.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert "<h1>Sign in</h1>" in from_index.content.decode()


def test_the_admin_login_sends_nobody_elsewhere(client):
    response = client.get(reverse("admin:login") + "?next=https://elsewhere.example/admin/")

    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_password_posted_to_the_admin_login_signs_nobody_in(client):
    staff = verified(UserFactory(curator=True))

    response = client.post(
        reverse("admin:login"), {"username": staff.username, "password": PASSWORD}
    )

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert signed_in_user_id(client) is None


def test_after_allauths_limit_of_failed_sign_ins_even_the_right_password_is_refused(client):
    staff = UserFactory(curator=True, two_factor=True)  # a verified address, and a TOTP app
    allowed = login_failures_allowed_per_account()

    wrong = [sign_in(client, staff, "not the password at all") for _ in range(allowed)]
    right = sign_in(client, staff)
    again = sign_in(client, staff)

    assert all(r.status_code == 200 for r in wrong)
    assert "The username and/or password you specified are not correct." in wrong[0].text
    for response in (right, again):
        assert response.status_code == 200
        assert "Too many failed attempts to sign in to this account." in response.text
        assert 'value="' + staff.username + '"' in response.text  # what was typed stays
    assert signed_in_user_id(client) is None
    assert "mfa_authenticate" not in str(right.get("Location", ""))


def test_the_limit_is_per_account(client):
    """Another account, from the same address, still signs in."""
    locked = verified(UserFactory(username="locked"))
    other = verified(UserFactory(username="other"))
    for _ in range(login_failures_allowed_per_account()):
        sign_in(client, locked, "not the password at all")

    response = sign_in(client, other, next_url="/")

    assert response.status_code == 302 and signed_in_user_id(client) == str(other.pk)


# The second step: a code


def test_signing_in_with_an_authenticator_app_asks_for_its_code(client):
    staff = UserFactory(curator=True, two_factor=True)

    first = sign_in(client, staff)
    page = client.get(first["Location"])
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    empty = client.post(reverse("mfa_authenticate"), {"code": ""})
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert first["Location"] == reverse("mfa_authenticate")
    assert "<h1>Two-factor authentication</h1>" in page.text
    assert 'autocomplete="one-time-code"' in page.text
    assert wrong.status_code == 200 and "That code is not right." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "Enter the six-digit code your authenticator app shows" in empty.text
    assert right.status_code == 302 and right["Location"] == ADMIN
    assert signed_in_user_id(client) == str(staff.pk)
    assert client.get(ADMIN).status_code == 200


def test_a_recovery_code_signs_in_once(client):
    staff = UserFactory(curator=True, two_factor=True)
    client.force_login(staff)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_generate_recovery_codes"))
    code = Authenticator.objects.get(user=staff, type="recovery_codes").wrap().get_unused_codes()[0]
    client.logout()

    sign_in(client, staff)
    used = client.post(reverse("mfa_authenticate"), {"code": code})
    client.logout()
    sign_in(client, staff)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})

    assert used.status_code == 302 and used["Location"] == ADMIN
    assert reused.status_code == 200 and "That code is not right." in reused.text


def test_wrong_codes_are_limited_like_wrong_passwords(client):
    staff = UserFactory(curator=True, two_factor=True)
    sign_in(client, staff)

    for _ in range(login_failures_allowed_per_account()):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})
    right = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert right.status_code == 200 and "Too many failed attempts" in right.text
    assert signed_in_user_id(client) is None


# Staff without a second factor


def test_staff_without_two_factor_are_sent_to_set_it_up_not_let_in(client):
    staff = verified(UserFactory(curator=True))
    assert sign_in(client, staff)["Location"] == ADMIN  # no second step: none is set up

    response = client.get(ADMIN)
    page = client.get(response["Location"])

    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert SET_UP_MESSAGE in page.text
    assert "Set up an authenticator app" in page.text and "Add a security key" in page.text
    assert "Review queues" not in page.text


@pytest.mark.parametrize(
    "name", ["admin:projects_project_changelist", "admin:projects_agenda_import"]
)
def test_every_admin_page_asks_for_it(client, name):
    client.force_login(UserFactory(curator=True))

    assert client.get(reverse(name))["Location"] == reverse("mfa_index")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # mail goes on commit
def test_staff_set_up_an_authenticator_app_through_the_pages_then_sign_in_with_it(client):
    staff = verified(UserFactory(curator=True, email="grace@example.org"))
    sign_in(client, staff)

    asked = client.get(reverse("mfa_activate_totp"))  # the password again, first
    client.post(asked["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    codes = client.get(activated["Location"])
    download = client.get(reverse("mfa_download_recovery_codes"))

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert re.search(r'<svg class="totp-qr" aria-hidden="true"', page.text)
    assert "data:image" not in page.text  # the policy would refuse it
    assert f'value="{secret}"' in page.text
    assert "That code is not right." in wrong.text
    assert activated["Location"] == reverse("mfa_view_recovery_codes")
    unused = Authenticator.objects.get(user=staff, type="recovery_codes").wrap().get_unused_codes()
    assert len(unused) == 10 and all(f"<code>{c}</code>" in codes.text for c in unused)
    assert download["Content-Disposition"].startswith("attachment")
    assert download.content.decode().split() == unused
    assert [m.subject for m in mail.outbox] == [
        "[Research Agenda Board] Two-factor authentication: authenticator app turned on"
    ]
    assert mail.outbox[0].to == ["grace@example.org"]

    client.post(reverse("account_logout"))
    sign_in(client, staff)  # the same code again: turning the app on does not use it up
    signed_in = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert signed_in["Location"] == ADMIN and client.get(ADMIN).status_code == 200


# Staff whose session skipped the second factor


def test_a_session_without_the_second_factor_confirms_it_before_the_admin(client):
    staff = UserFactory(curator=True, two_factor=True)
    client.force_login(staff)  # as a session from before the factor was set up

    response = client.get("/admin/projects/project/?status__exact=open")
    page = client.get(response["Location"])
    confirmed = client.post(
        response["Location"], {"code": totp_code(), "next": "/admin/projects/project/"}
    )

    assert response["Location"] == (
        reverse("mfa_reauthenticate")
        + "?next=%2Fadmin%2Fprojects%2Fproject%2F%3Fstatus__exact%3Dopen"
    )
    assert CONFIRM_MESSAGE in page.text and "<h1>Confirm it is you</h1>" in page.text
    assert confirmed["Location"] == "/admin/projects/project/"
    assert client.get(ADMIN).status_code == 200


def test_a_researcher_signed_in_is_refused_the_admin(client):
    client.force_login(UserFactory())

    assert client.get(ADMIN).status_code == 403
    assert client.get(reverse("admin:login")).status_code == 403


def test_staff_with_the_rule_off_reach_the_admin_with_a_password(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(UserFactory(curator=True))

    assert client.get(ADMIN).status_code == 200


def test_the_admins_own_password_change_is_the_sites(admin_client):
    response = admin_client.get(reverse("admin:password_change"))

    assert response["Location"] == reverse("account_change_password")


def test_the_admins_sign_out_needs_no_second_factor(client):
    client.force_login(UserFactory(curator=True))

    client.post(reverse("admin:logout"))

    assert signed_in_user_id(client) is None


# The pages


def test_the_account_pages_link_two_factor_authentication(client, researcher):
    client.force_login(researcher)

    html = client.get(reverse("account_email")).text

    assert f'<a href="{reverse("mfa_index")}">Two-factor authentication</a>' in html


def test_the_two_factor_pages_speak_in_sentence_case(client, sign_in_with_two_factor):
    staff = UserFactory(curator=True)
    sign_in_with_two_factor(client, staff)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_generate_recovery_codes"))
    pages = [
        client.get(reverse(name)).text
        for name in (
            "mfa_index",
            "mfa_deactivate_totp",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_list_webauthn",
            "mfa_add_webauthn",
            "mfa_reauthenticate",
        )
    ]
    title_case = re.compile(
        r"Two-Factor|Authenticator App|Recovery Codes|Security Keys?\b|Sign In|Add Security"
    )

    assert "<h1>Two-factor authentication</h1>" in pages[0]
    assert '<a href="/admin/">Open the admin</a>' in pages[0]
    for html in pages:
        assert not title_case.search(html), title_case.search(html)
    for html in pages[:-1]:  # "confirm it is you" is a step, not one of your account's pages
        assert 'aria-label="Your account"' in html


def test_the_security_key_page_loads_allauths_script_from_the_site(client, curating):
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    html = client.get(reverse("mfa_add_webauthn")).text

    assert '<script src="/static/mfa/js/webauthn.js"></script>' in html
    # Every other <script> is data for it, which the browser does not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all('type="application/json"' in attrs for attrs in inline)


def test_the_two_factor_pages_make_as_many_queries_for_five_keys_as_for_one(
    client, curating, curator
):
    """Guards a query per security key on the two-factor page and the list of keys."""

    def count(name: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    def add_key(n: int) -> None:
        Authenticator.objects.create(
            user=curator, type="webauthn", data={"name": f"Key {n}", "credential": {}}
        )

    add_key(0)
    few = {name: count(name) for name in ("mfa_index", "mfa_list_webauthn")}
    for n in range(1, 5):
        add_key(n)

    assert {name: count(name) for name in few} == few


def test_the_factories_secret_is_what_the_app_would_hold(db):
    staff = UserFactory(curator=True, two_factor=True)

    totp = Authenticator.objects.get(user=staff, type="totp").wrap()

    assert totp.validate_code(totp_code(TOTP_SECRET))
