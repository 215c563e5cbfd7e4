"""The admin for a superuser: the changelists load, filter, search and edit."""

import pytest
from django.urls import reverse

from tests.factories import AgendaFactory, ProjectFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:projects_project_changelist",
    "admin:projects_agenda_changelist",
    "admin:projects_tag_changelist",
    "admin:accounts_user_changelist",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_load(admin_client, name):
    ProjectFactory()
    assert admin_client.get(reverse(name)).status_code == 200


def test_the_project_changelist_filters_searches_and_orders_by_number(admin_client):
    agenda = AgendaFactory()
    for number in (3, 1, 2):
        ProjectFactory(agenda=agenda, number=number, title=f"Idea number {number}")
    ProjectFactory(title="Something else", retired=True)
    url = reverse("admin:projects_project_changelist")

    listed = admin_client.get(url).context["cl"].result_list
    searched = admin_client.get(url, {"q": "number 2"}).context["cl"].result_list
    retired = admin_client.get(url, {"status__exact": "retired"}).context["cl"].result_list

    assert [p.number for p in listed if p.agenda == agenda] == [1, 2, 3]
    assert [p.title for p in searched] == ["Idea number 2"]
    assert [p.title for p in retired] == ["Something else"]


def test_project_change_and_add_pages_load_with_status_read_only(admin_client):
    project = ProjectFactory()

    change = admin_client.get(reverse("admin:projects_project_change", args=[project.pk]))
    add = admin_client.get(reverse("admin:projects_project_add"))

    assert change.status_code == add.status_code == 200
    assert "status" not in change.context["adminform"].form.fields
    assert "slug" not in change.context["adminform"].form.fields
    assert "slug" in add.context["adminform"].form.fields


def test_a_curator_edit_in_the_admin_rerenders_the_description(admin_client):
    project = ProjectFactory(description="Old text.")
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"agenda": project.agenda.pk, "tags": [], "description": "New *text*."})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.description_html == "<p>New <em>text</em>.</p>\n"
