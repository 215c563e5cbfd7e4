"""Every answer carries a strict Content-Security-Policy and a Permissions-Policy, and the
session and CSRF cookies are HttpOnly, SameSite=Lax, Secure and __Host- named in production."""

import pytest
from django.conf import settings

from tests.factories import ProjectFactory
from tests.test_settings import start

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as directive -> sources."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


def test_public_signed_in_account_and_admin_pages_send_the_strict_policy(
    client, admin_client, researcher
):
    project = ProjectFactory()
    public = ["/", "/?q=alignment", project.get_absolute_url(), "/accounts/login/", "/nowhere/"]
    for url in public:
        assert policy_of(client.get(url)) == EXPECTED_POLICY, url
    client.force_login(researcher)
    for url in ("/me/", "/notifications/", "/accounts/email/"):
        assert policy_of(client.get(url)) == EXPECTED_POLICY, url
    for url in (
        "/admin/",
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
    ):
        assert policy_of(admin_client.get(url)) == EXPECTED_POLICY, url


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere(client):
    header = client.get("/")["Content-Security-Policy"]

    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "nonce-" not in header and "*" not in header and "http" not in header


def test_every_answer_switches_off_camera_microphone_location_and_payment(client):
    for url in ("/", "/nowhere/", "/healthz"):
        features = client.get(url)["Permissions-Policy"].split(", ")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in features, url
        assert not [f for f in features if f.startswith("publickey-credentials")]  # passkeys


def test_the_session_and_csrf_cookies_are_httponly_lax_secure_and_host_only(client):
    csrf = client.get("/accounts/login/").cookies[settings.CSRF_COOKIE_NAME]
    password = "correct horse battery staple"
    signup = {"email": "ada@example.org", "username": "ada"}
    response = client.post(
        "/accounts/signup/", signup | {"password1": password, "password2": password}
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]

    for cookie in (csrf, session):
        assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax", cookie
        assert cookie["path"] == "/" and not cookie["domain"], cookie


COOKIES = """
import django
django.setup()
from django.conf import settings
for kind in ("SESSION", "CSRF"):
    print(*(getattr(settings, f"{kind}_COOKIE_{part}") for part in ("NAME", "SECURE", "HTTPONLY",
          "SAMESITE", "DOMAIN", "PATH")))
"""


def test_with_debug_off_the_cookies_are_host_prefixed_secure_httponly_and_lax():
    result = start(SECRET_KEY="a-long-random-production-value-0123456789", program=COOKIES)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "__Host-sessionid True True Lax None /",
        "__Host-csrftoken True True Lax None /",
    ]


def test_in_development_the_cookies_keep_plain_names_and_work_over_http():
    result = start(DEBUG="true", program=COOKIES)

    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["sessionid", "False"],
        ["csrftoken", "False"],
    ]
