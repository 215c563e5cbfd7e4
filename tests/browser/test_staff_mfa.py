"""Staff two-factor authentication in Chromium, through the real pages: set up an
authenticator app from the code the page shows (or a security key, with Chromium's virtual
authenticator), sign out, sign in with it, reach the admin; each page clean for axe-core
and the Content-Security-Policy."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from accounts.two_factor import SET_UP_MESSAGE
from tests.browser.conftest import LAPTOP, PHONE, axe_violations
from tests.factories import UserFactory, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def grace(db):
    """A curator with a verified address and no second factor yet."""
    user = UserFactory(username="grace", curator=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def clean(page: Page) -> None:
    """The page as it is now breaks no accessibility rule axe-core knows."""
    assert axe_violations(page) == []


def fits(page: Page) -> None:
    """Nothing on the page is wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in_with_password(page: Page, base: str) -> None:
    """From the admin's address, the site's sign-in form, first step."""
    page.goto(base + "/admin/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    clean(page)
    page.get_by_label("Username or email").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def confirm_with_password(page: Page) -> None:
    """allauth's "confirm it is you" step before a change to the second factors."""
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    clean(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_staff_set_up_an_authenticator_app_sign_out_and_sign_in_with_its_code(
    page_at, live_server, grace, viewport
):
    page = page_at(viewport)
    base = live_server.url

    # Signed in with a password alone, the admin sends staff to set up a second factor.
    sign_in_with_password(page, base)
    page.wait_for_url(base + "/accounts/2fa/")
    expect(page.locator(".messages")).to_contain_text(SET_UP_MESSAGE)
    expect(page.get_by_role("heading", name="Two-factor authentication", level=1)).to_be_visible()
    clean(page)
    fits(page)

    page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_with_password(page)
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.locator("svg.totp-qr")).to_be_visible()
    clean(page)
    fits(page)
    secret = page.get_by_label("Secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on the authenticator app").click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    clean(page)
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on the authenticator app").click()

    # Recovery codes, shown and downloadable.
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Unused recovery codes").locator("li")
    expect(codes).to_have_count(10)
    clean(page)
    fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download codes").click()
    saved = Path(download.value.path()).read_text().split()
    assert saved == [code.strip() for code in codes.all_inner_texts()]
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("link", name="Open the admin")).to_be_visible()

    # Signing in again asks for the code, and then the admin opens.
    sign_out(page)
    sign_in_with_password(page, base)
    page.wait_for_url(base + "/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    clean(page)
    fits(page)
    # Turning the app on did not use its code up: the same one may sign in.
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/admin/")
    expect(page.locator("#review-queues, #content").first).to_be_visible()
    clean(page)


def test_staff_add_a_security_key_and_sign_in_with_it(page_at, live_server, grace):
    """Chromium's virtual authenticator plays the key (a passkey on this computer)."""
    page = page_at(LAPTOP)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    key = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    base = live_server.url

    sign_in_with_password(page, base)
    page.wait_for_url(base + "/accounts/2fa/")
    page.get_by_role("link", name="Add a security key").click()
    confirm_with_password(page)
    expect(page.get_by_role("heading", name="Add a security key")).to_be_visible()
    clean(page)
    page.get_by_label("Name of the key").fill("Laptop passkey")
    page.get_by_role("button", name="Add this key").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    page.goto(base + "/accounts/2fa/webauthn/")
    expect(page.get_by_role("link", name="Remove Laptop passkey")).to_be_visible()
    clean(page)

    sign_out(page)
    sign_in_with_password(page, base)
    page.wait_for_url(base + "/accounts/2fa/authenticate/")
    clean(page)

    # A key that does not answer (here: one that lost its credential) is said so on the page.
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": key})["credentials"]
    cdp.send("WebAuthn.clearCredentials", {"authenticatorId": key})
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("alert")).to_contain_text("No security key answered")
    expect(page.get_by_role("alert")).to_be_focused()
    clean(page)
    for credential in stored:
        cdp.send("WebAuthn.addCredential", {"authenticatorId": key, "credential": credential})

    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(base + "/admin/")
    expect(page.locator("#content")).to_be_visible()
