"""Changing an account's addresses asks for the password again, changing the password asks
for the current one, every verified address of the account hears of each change, and
passwords must be long and uncommon: allauth's real flows, Django's locmem mail."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, totp_code

# Notices are sent once the change commits, within the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct horse battery staple"  # UserFactory's
NEW_PASSWORD = "a quite different passphrase"
PREFIX = "[Research Agenda Board] "


@pytest.fixture
def ada(db):
    """A researcher with two verified addresses, the first primary."""
    user = UserFactory(username="ada", email="ada@example.org")
    EmailAddress.objects.create(user=user, email="ada@example.org", verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="ada@work.example.org", verified=True)
    return user


@pytest.fixture
def signed_in(client, ada):
    """The client, signed in as Ada through the real sign-in, with no mail yet."""
    response = client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD})
    assert response.status_code == 302
    mail.outbox.clear()
    return client


def notices(subject: str) -> list[str]:
    """Who got a notice with this subject, in order of address."""
    return sorted(address for m in mail.outbox if m.subject == PREFIX + subject for address in m.to)


def email_action(client, action: str, email: str):
    return client.post(reverse("account_email"), {"email": email, action: ""})


def test_adding_an_address_asks_for_the_password_again_even_just_after_signing_in(signed_in, ada):
    asked = email_action(signed_in, "action_add", "ada@elsewhere.example.org")
    page = signed_in.get(asked["Location"])

    assert asked.status_code == 302
    assert asked["Location"] == reverse("account_reauthenticate") + "?next=%2Faccounts%2Femail%2F"
    assert "<h1>Confirm it is you</h1>" in page.text and 'type="password"' in page.text
    assert not EmailAddress.objects.filter(email="ada@elsewhere.example.org").exists()
    assert mail.outbox == []


def test_a_wrong_password_adds_nothing_and_says_so_at_the_field(signed_in):
    asked = email_action(signed_in, "action_add", "ada@elsewhere.example.org")

    wrong = signed_in.post(asked["Location"], {"password": "not it", "next": "/accounts/email/"})
    empty = signed_in.post(asked["Location"], {"password": "", "next": "/accounts/email/"})

    assert wrong.status_code == 200 and "Incorrect password." in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "Enter your password." in empty.text
    assert not EmailAddress.objects.filter(email="ada@elsewhere.example.org").exists()
    assert mail.outbox == []


def test_with_the_password_the_address_is_added_and_the_others_are_told(signed_in, ada):
    asked = email_action(signed_in, "action_add", "ada@elsewhere.example.org")

    done = signed_in.post(asked["Location"], {"password": PASSWORD, "next": "/accounts/email/"})

    assert done.status_code == 302 and done["Location"] == reverse("account_email")
    added = EmailAddress.objects.get(email="ada@elsewhere.example.org")
    assert added.user == ada and not added.verified
    verification = [m for m in mail.outbox if "ada@elsewhere.example.org" in m.to]
    assert [m.subject for m in verification] == [PREFIX + "Confirm your email address"]
    told = notices("An email address was added to your account")
    assert told == ["ada@example.org", "ada@work.example.org"]
    body = next(m.body for m in mail.outbox if m.subject.endswith("added to your account"))
    assert "ada@elsewhere.example.org was added to your account" in body
    assert "http://testserver/accounts/password/reset/" in body


def test_within_a_few_minutes_of_confirming_no_second_ask(signed_in):
    asked = email_action(signed_in, "action_add", "ada@elsewhere.example.org")
    signed_in.post(asked["Location"], {"password": PASSWORD, "next": "/accounts/email/"})

    again = email_action(signed_in, "action_add", "ada@third.example.org")

    assert again["Location"] == reverse("account_email")
    assert EmailAddress.objects.filter(email="ada@third.example.org").exists()


def test_choosing_another_primary_address_asks_again_and_tells_both(signed_in, ada):
    asked = email_action(signed_in, "action_primary", "ada@work.example.org")
    unchanged = EmailAddress.objects.get(primary=True).email

    signed_in.post(asked["Location"], {"password": PASSWORD, "next": "/accounts/email/"})

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert unchanged == "ada@example.org"
    assert EmailAddress.objects.get(primary=True).email == "ada@work.example.org"
    assert notices("Your email address changed") == ["ada@example.org", "ada@work.example.org"]


def test_removing_an_address_asks_again_and_tells_it_and_the_others(signed_in, ada):
    asked = email_action(signed_in, "action_remove", "ada@work.example.org")
    kept = EmailAddress.objects.filter(email="ada@work.example.org").exists()

    signed_in.post(asked["Location"], {"password": PASSWORD, "next": "/accounts/email/"})

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert kept and not EmailAddress.objects.filter(email="ada@work.example.org").exists()
    assert notices("An email address was removed from your account") == [
        "ada@example.org",
        "ada@work.example.org",
    ]


def test_an_account_with_an_authenticator_app_may_confirm_with_a_code(client):
    grace = UserFactory(username="grace", two_factor=True)
    EmailAddress.objects.create(user=grace, email="grace@work.example.org", verified=True)
    client.force_login(grace)

    asked = email_action(client, "action_primary", "grace@work.example.org")
    page = client.get(asked["Location"])
    done = client.post(
        reverse("mfa_reauthenticate") + "?next=/accounts/email/",
        {"code": totp_code(), "next": "/accounts/email/"},
    )

    assert f'href="{reverse("mfa_reauthenticate")}' in page.text
    assert done["Location"] == reverse("account_email")
    assert EmailAddress.objects.get(primary=True).email == "grace@work.example.org"


def test_an_account_with_two_factor_authentication_is_told_how_to_add_an_address(client):
    """allauth's rule, in words that say what to do."""
    client.force_login(UserFactory(username="grace", two_factor=True))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = email_action(client, "action_add", "grace@elsewhere.example.org")

    assert response.status_code == 200
    assert "Turn two-factor authentication off, add and verify the address" in response.text
    assert 'value="grace@elsewhere.example.org"' in response.text
    assert not EmailAddress.objects.filter(email="grace@elsewhere.example.org").exists()


def test_changing_the_password_asks_for_the_current_one(signed_in, ada):
    wrong = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert wrong.status_code == 200 and "Please type your current password." in wrong.text
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD) and mail.outbox == []


def test_a_changed_password_is_told_to_every_address(signed_in, ada):
    response = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert notices("Your password was changed") == ["ada@example.org", "ada@work.example.org"]


def test_a_password_reset_by_email_is_told_to_every_address(client, ada):
    client.post(reverse("account_reset_password"), {"email": "ada@example.org"})
    link = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    form_url = client.get(link)["Location"]

    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)
    assert notices("Your password was reset") == ["ada@example.org", "ada@work.example.org"]


@pytest.mark.parametrize(
    "password, says",
    [
        ("Short1pass!", "at least 12 characters"),
        ("qwertyuiop123", "This password is too common."),
        ("381940265713", "This password is entirely numeric."),
        ("ada@example.org!", "The password is too similar to the"),
    ],
    ids=["short", "common", "numeric", "like-the-address"],
)
def test_a_new_password_must_be_long_uncommon_and_unlike_the_account(
    signed_in, ada, password, says
):
    change = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )
    signed_in.logout()
    signup = signed_in.post(
        reverse("account_signup"),
        {
            "email": "ada@example.net",
            "username": "ada2",
            "password1": password,
            "password2": password,
        },
    )

    assert change.status_code == 200 and says in change.text
    assert signup.status_code == 200 and (says in signup.text or password.startswith("ada@"))
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD) and mail.outbox == []


def test_the_confirm_page_makes_as_many_queries_with_five_addresses_as_with_two(signed_in, ada):
    """Guards a query per address among the ways to confirm (sign-in codes by email)."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(reverse("account_reauthenticate")).status_code == 200
        return len(queries)

    few = count()
    for n in range(3):
        EmailAddress.objects.create(user=ada, email=f"ada{n}@example.net", verified=True)

    assert count() == few
