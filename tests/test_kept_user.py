"""The signed-in reader kept in the shared cache (accounts.middleware): a page read again
costs no query for them, and nothing a kept copy says outlasts a write to them or lets a
session stand that Django would end."""

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects.page_cache import content_version
from tests.factories import UserFactory

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "a long and unguessable passphrase"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reader(client: Client, path: str = "/") -> str | None:
    """Whom the page at ``path`` names as signed in (None: no one)."""
    html = client.get(path).content.decode()
    if "Sign out" not in html:
        return None
    return html.split(f'<a href="{reverse("accounts:dashboard")}">', 1)[1].split("<", 1)[0]


def kept_key(user: User) -> str:
    return f"kept:{content_version()}:user:{user.pk}"


@transactional
def test_a_page_read_again_asks_the_database_nothing_about_its_reader(
    page_cache, django_assert_num_queries
):
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    client = signed_in(ada)
    assert reader(client) == "Ada Lovelace"
    assert isinstance(cache.get(kept_key(ada)), User)
    with django_assert_num_queries(2) as read:  # the session and the content version
        assert reader(client) == "Ada Lovelace"
    assert not any("accounts_user" in query["sql"] for query in read.captured_queries)


@transactional
def test_a_deactivated_reader_is_signed_out_at_their_next_page(page_cache):
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    client = signed_in(ada)
    assert reader(client) == "Ada Lovelace"
    User.objects.filter(pk=ada.pk).update(is_active=False)
    assert reader(client) is None


@transactional
def test_a_new_password_signs_out_every_other_session_at_its_next_page(page_cache):
    ada = UserFactory(username="ada", display_name="Ada Lovelace", password=PASSWORD)
    here, elsewhere = signed_in(ada), signed_in(ada)
    assert reader(here) == reader(elsewhere) == "Ada Lovelace"
    answer = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": PASSWORD + "!", "password2": PASSWORD + "!"},
    )
    assert answer.status_code == 302, answer.content.decode()
    assert reader(here) == "Ada Lovelace"
    assert reader(elsewhere) is None


@transactional
@pytest.mark.parametrize(
    "kept",
    [
        pytest.param({"password": "another hash"}, id="password"),
        pytest.param({"is_active": False}, id="inactive"),
        pytest.param({"pk": None}, id="someone else"),
    ],
)
def test_a_kept_copy_the_session_does_not_hold_yields_to_the_database(page_cache, kept):
    """However a kept copy came to differ from the database (a bump that never reached the
    cache), a session it does not hold is judged by the database, as Django judges it."""
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    bob = UserFactory(username="bob", display_name="Bob")
    client = signed_in(ada)
    assert reader(client) == "Ada Lovelace"
    copy = User.objects.get(pk=ada.pk)
    copy.display_name = "A copy that must not show"
    for name, value in kept.items():
        setattr(copy, name, bob.pk if name == "pk" else value)
    cache.set(kept_key(ada), copy)
    assert reader(client) == "Ada Lovelace"
    assert client.session[HASH_SESSION_KEY] == ada.get_session_auth_hash()


@transactional
def test_a_session_whose_hash_no_longer_holds_is_ended(page_cache):
    ada = UserFactory(username="ada", display_name="Ada Lovelace")
    client = signed_in(ada)
    assert reader(client) == "Ada Lovelace"
    session = client.session
    session[HASH_SESSION_KEY] = "not ada's"
    session.save()
    assert reader(client) is None


@transactional
def test_no_reader_is_kept_from_a_post_or_a_page_never_cached(page_cache):
    ada = UserFactory(username="ada")
    client = signed_in(ada)
    client.post("/")  # a POST to a page that may be kept (refused, but it reads the user)
    client.post(reverse("notifications:notification-mark-read"))
    client.get(reverse("notifications:notification-list"))
    client.get(reverse("account_email"))
    assert cache.get(kept_key(ada)) is None


@pytest.mark.django_db
def test_page_caching_off_reads_the_reader_from_the_database_every_time():
    client = signed_in(UserFactory(username="ada", display_name="Ada Lovelace"))
    for _ in range(2):
        with CaptureQueriesContext(connection) as read:
            assert reader(client) == "Ada Lovelace"
        assert any("accounts_user" in query["sql"] for query in read.captured_queries)
