"""The admin's guards against input it cannot use (projects/admin/common.py): each case
failed with a 500 before, found by tests/test_hostile_corpus.py."""

import pytest
from django.contrib import admin
from django.urls import reverse

from projects.admin.common import GuardedAdminMixin
from projects.models import Agenda, Project
from tests.factories import AgendaFactory, ProjectFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:projects_project_changelist",
    "admin:projects_tag_changelist",
    "admin:accounts_user_changelist",
    "admin:auth_group_changelist",
    "admin:notifications_delivery_changelist",
]
WITH_ACTIONS = [name for name in CHANGELISTS if name != "admin:projects_tag_changelist"]


@pytest.mark.parametrize("name", WITH_ACTIONS)
@pytest.mark.parametrize("selected", ["abc", "9" * 40, "1\u200b"])
def test_an_action_on_a_selection_that_names_no_row_is_refused_with_a_message(
    admin_client, name, selected
):
    ProjectFactory()
    url = reverse(name)
    action = admin_client.get(url).context["action_form"].fields["action"].choices[1][0]

    response = admin_client.post(
        url, {"action": action, "index": "0", "_selected_action": selected}, follow=True
    )

    assert response.status_code == 200
    assert "not in this list" in response.content.decode()


@pytest.mark.parametrize("name", CHANGELISTS)
def test_a_search_of_thousands_of_words_searches_for_the_first_twenty(admin_client, name):
    ProjectFactory(title="Gradient hacking")

    response = admin_client.get(reverse(name), {"q": "- " * 5_000 + "x"})

    assert response.status_code == 200
    assert "Searched for the first 20 words only." in response.content.decode()


def test_a_short_search_is_left_alone(admin_client):
    ProjectFactory(title="Gradient hacking")
    ProjectFactory(title="Something else")

    response = admin_client.get(reverse("admin:projects_project_changelist"), {"q": "gradient"})

    assert [p.title for p in response.context["cl"].result_list] == ["Gradient hacking"]
    assert "words only" not in response.content.decode()


@pytest.mark.parametrize("agenda", ["abc", "9" * 400, "-1"])
def test_an_autocomplete_field_sent_no_id_says_so_at_the_field(admin_client, agenda):
    response = admin_client.post(
        reverse("admin:projects_project_add"),
        {"agenda": agenda, "number": "1", "title": "T", "slug": "t", "kind": "paper"},
    )

    assert response.status_code == 200
    assert "agenda" in response.context["adminform"].form.errors


def test_tags_that_are_no_ids_are_refused_at_the_field(admin_client):
    agenda = AgendaFactory()

    response = admin_client.post(
        reverse("admin:projects_project_add"),
        {
            "agenda": agenda.pk,
            "number": "1",
            "title": "T",
            "slug": "t",
            "kind": "paper",
            "description": "D",
            "tags": ["9" * 400, TagFactory().pk],
        },
    )

    assert "tags" in response.context["adminform"].form.errors
    assert not Project.objects.exists()


def test_the_agenda_autocomplete_pages_through_agendas_by_title(admin_client):
    for title in ("Zeta", "Alpha", "Mu"):
        AgendaFactory(title=title)
    query = {"app_label": "projects", "model_name": "project", "field_name": "agenda"}

    response = admin_client.get(reverse("admin:autocomplete"), {**query, "term": ""})

    assert [r["text"] for r in response.json()["results"]] == [
        str(a) for a in Agenda.objects.order_by("title")
    ]


def test_every_model_with_a_search_or_actions_has_the_guards():
    unguarded = [
        model
        for model, model_admin in admin.site._registry.items()
        if (model_admin.search_fields or model_admin.actions)
        and not isinstance(model_admin, GuardedAdminMixin)
    ]

    assert unguarded == []
