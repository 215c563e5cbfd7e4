"""Nothing the board promises to keep can be deleted: people are deactivated, never deleted."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import User
from projects.models import Comment
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


# 1. People are deactivated, never deleted


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("wrote", [False, True], ids=["wrote-nothing", "wrote-a-comment"])
def test_a_superuser_cannot_delete_a_user_in_the_admin(superuser_client, wrote):
    person = UserFactory(username="writer")
    if wrote:
        ProjectFactory().add_comment(author=person, body="Words the board keeps.")
    users = User.objects.count()
    delete_url = reverse("admin:accounts_user_delete", args=[person.pk])
    changelist = reverse("admin:accounts_user_changelist")

    asked = superuser_client.get(delete_url)
    posted = superuser_client.post(delete_url, {"post": "yes"})
    bulk = superuser_client.post(
        changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [person.pk], "post": "yes"}
    )
    listed = superuser_client.get(changelist)
    change = superuser_client.get(reverse("admin:accounts_user_change", args=[person.pk]))

    assert (asked.status_code, posted.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    actions = [value for value, _ in listed.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "deactivate_selected" in actions
    assert change.status_code == 200 and delete_url not in change.content.decode()
    assert User.objects.count() == users  # 0 rows gone
    assert Comment.objects.filter(author=person).count() == int(wrote)


def test_the_user_page_offers_deactivation_instead(superuser_client):
    person = UserFactory(username="writer")

    html = superuser_client.get(
        reverse("admin:accounts_user_change", args=[person.pk])
    ).content.decode()

    assert 'name="is_active"' in html
    assert "Untick to deactivate the account" in html and "never deleted" in html


def test_deactivating_users_in_the_admin_keeps_them_and_what_they_wrote(superuser_client):
    writer, other = UserFactory(username="writer"), UserFactory(username="other")
    comment = ProjectFactory().add_comment(author=writer, body="Still here, with my name.")

    response = superuser_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_selected", ACTION_CHECKBOX_NAME: [writer.pk]},
        follow=True,
    )

    assert "Deactivated 1 account: nothing was deleted." in response.content.decode()
    writer.refresh_from_db(), other.refresh_from_db()
    assert not writer.is_active and other.is_active
    page = superuser_client.get(comment.project.get_absolute_url()).content.decode()
    assert "Still here, with my name." in page and writer.public_name in page


def test_a_deactivated_user_cannot_sign_in(client):
    person = UserFactory(username="writer", is_active=False)

    assert not client.login(username="writer", password="correct horse battery staple")
    assert User.objects.filter(pk=person.pk).exists()


def test_code_cannot_delete_a_user_one_at_a_time_or_in_bulk(superuser_client):
    person = UserFactory(username="quiet")  # wrote nothing: no foreign key protects it

    with pytest.raises(ProtectedError, match="never deleted"):
        person.delete()
    with pytest.raises(ProtectedError, match="never deleted"):
        User.objects.filter(pk=person.pk).delete()
    with pytest.raises(ProtectedError):
        User.objects.all().delete()

    assert User.objects.filter(pk=person.pk).exists()
