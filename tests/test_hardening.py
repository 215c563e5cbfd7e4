"""First steps of hardening: private pages for the signed-in, passwords hard to guess."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_for_a_signed_in_person_are_private_and_not_stored(client, researcher):
    assert "no-store" not in client.get("/").get("Cache-Control", "")

    client.force_login(researcher)

    for url in ("/", "/me/", "/notifications/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, url


def test_a_password_needs_twelve_characters_and_must_not_be_common(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": "Short1pass!",
            "password2": "Short1pass!",
        },
    )

    assert "at least 12 characters" in response.content.decode()
