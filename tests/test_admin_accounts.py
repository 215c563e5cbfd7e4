"""The admin shows people in one "Accounts" section, with each user's email addresses."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_index_has_one_accounts_section_and_no_two_alike(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    captions = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)
    assert captions.count("Accounts") == 1
    assert len(captions) == len(set(captions))


def test_email_addresses_have_no_admin_page_of_their_own():
    with pytest.raises(NoReverseMatch):
        reverse("admin:account_emailaddress_changelist")


def test_a_users_page_lists_their_email_addresses(admin_client):
    user = UserFactory(username="ada", email="ada@example.org")
    EmailAddress.objects.create(user=user, email="ada@example.org", primary=True)

    html = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()

    assert "Email addresses" in html and 'value="ada@example.org"' in html


def test_an_admin_can_mark_an_address_verified_on_the_users_page(admin_client):
    user = UserFactory(username="ada", email="ada@example.org")
    address = EmailAddress.objects.create(user=user, email="ada@example.org", primary=True)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and name != "password"
    }
    data.update(
        {
            "groups": [],
            "user_permissions": [],
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "emailaddress_set-TOTAL_FORMS": "1",
            "emailaddress_set-INITIAL_FORMS": "1",
            "emailaddress_set-0-id": str(address.pk),
            "emailaddress_set-0-user": str(user.pk),
            "emailaddress_set-0-email": "ada@example.org",
            "emailaddress_set-0-verified": "on",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    address.refresh_from_db()
    assert address.verified and address.primary


def test_a_user_who_wrote_on_the_board_cannot_be_deleted_in_the_admin(admin_client):
    """Their comments would go with them, behind the search index's back and the history's."""
    from tests.factories import ProjectFactory

    gone = UserFactory(username="writer")
    ProjectFactory().add_comment(author=gone, body="Words the board keeps.")

    response = admin_client.post(
        reverse("admin:accounts_user_delete", args=[gone.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert type(gone).objects.filter(pk=gone.pk).exists()


def test_authenticators_have_no_admin_page_that_would_show_their_secrets():
    with pytest.raises(NoReverseMatch):
        reverse("admin:mfa_authenticator_changelist")


def test_a_users_page_names_their_second_factors_but_not_their_secrets(admin_client):
    from tests.factories import TOTP_SECRET

    user = UserFactory(username="ada", two_factor=True)

    html = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).text

    assert "Two-factor authentication" in html and "Authenticator app (added " in html
    assert TOTP_SECRET not in html
