"""The names offered after "@" as one writes: active people by the start of their username
or display name, at most eight, for people who may take part, within a rate limit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProjectFactory, UserFactory
from tests.html import Elements

pytestmark = pytest.mark.django_db

LOOKUP = reverse("accounts:mention-lookup")


def offered(response) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return [a["data-username"] for tag, a in Elements(html).found if a.get("role") == "option"]


@pytest.fixture
def bob(client):
    bob = UserFactory(username="bob")
    client.force_login(bob)
    return bob


def test_people_are_offered_by_the_start_of_their_username_or_display_name(client, bob):
    UserFactory(username="ada", display_name="Ada Lovelace")
    UserFactory(username="countess", display_name="Ada King")
    UserFactory(username="alan")

    assert offered(client.get(LOOKUP, {"q": "ad"})) == ["ada", "countess"]
    assert offered(client.get(LOOKUP, {"q": "@AL"})) == ["alan"]


def test_deactivated_people_are_not_offered(client, bob):
    UserFactory(username="ada", is_active=False)

    assert offered(client.get(LOOKUP, {"q": "ada"})) == []


def test_at_most_eight_are_offered_in_one_query(client, bob):
    """Guards a query per person offered."""
    for n in range(12):
        UserFactory(username=f"ada{n:02}")

    with CaptureQueriesContext(connection) as queries:
        names = offered(client.get(LOOKUP, {"q": "ada"}))

    assert names == [f"ada{n:02}" for n in range(8)]
    assert len([q for q in queries if "accounts_user" in q["sql"]]) <= 2  # the session's, ours


def test_a_prefix_no_username_could_start_with_offers_nobody(client, bob):
    UserFactory(username="ada")

    for q in ("", "@", "a d", "ada%", "é", "a" * 151):
        assert offered(client.get(LOOKUP, {"q": q})) == []


def test_names_are_escaped(client, bob):
    UserFactory(username="eve", display_name="<b>Eve</b>")

    html = client.get(LOOKUP, {"q": "eve"}).content.decode()

    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>" not in html


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(LOOKUP, {"q": "ada"})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_past_the_rate_limit_the_lookup_answers_429(client, bob, settings, rate_limit_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "lookup": "2/m/user"}

    assert client.get(LOOKUP, {"q": "a"}).status_code == 200
    assert client.get(LOOKUP, {"q": "ad"}).status_code == 200
    response = client.get(LOOKUP, {"q": "ada"})

    assert response.status_code == 429 and "Too many name lookups" in response.content.decode()


def test_the_comment_forms_ask_for_names_after_the_at_sign(client, bob):
    project = ProjectFactory()

    html = client.get(project.get_absolute_url()).content.decode()

    assert f'data-mention-lookup="{LOOKUP}"' in html
    assert "js/mentions.js" in html
