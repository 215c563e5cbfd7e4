"""Proposing projects and edits, and flagging comments, from the site."""

import pytest
from django.urls import reverse

from projects import services
from projects.models import Agenda, Flag, Project, Proposal
from tests.factories import AgendaFactory, CommentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client, researcher):
    client.force_login(researcher)
    return researcher


def test_proposing_a_project_for_the_community_list(client, ada):
    response = client.post(
        reverse("projects:project-propose"),
        {
            "title": "A survey of reward hacking",
            "description": "List **every** case.",
            "kind": "list",
        },
    )

    assert response.status_code == 303
    proposal = Proposal.objects.get()
    assert proposal.project.agenda == Agenda.objects.get(slug="community")
    assert proposal.project.status == "proposed"
    page = client.get(ada.get_absolute_url()).content.decode()
    assert "A survey of reward hacking" in page and "Awaiting review" in page


def test_proposing_into_an_agenda_numbers_it_last(client, ada):
    agenda = AgendaFactory()
    ProjectFactory(agenda=agenda, number=26)
    data = {"title": "Item 27", "description": "More.", "kind": "paper", "agenda": agenda.pk}

    client.post(reverse("projects:project-propose"), data)

    assert Project.objects.get(title="Item 27").number == 27


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"title": "", "description": "x", "kind": "paper"},
            "title",
            "Give the project a short title.",
        ),
        (
            {"title": "t" * 201, "description": "x", "kind": "paper"},
            "title",
            "at most 200 characters",
        ),
        (
            {"title": "T", "description": "", "kind": "paper"},
            "description",
            "Describe the project.",
        ),
        ({"title": "T", "description": "x", "kind": "poem"}, "kind", "Select a valid choice."),
    ],
)
def test_a_bad_proposal_says_why_and_keeps_what_was_typed(client, ada, data, field, message):
    response = client.post(reverse("projects:project-propose"), data)

    assert response.status_code == 303
    # Back at the field at fault: a fragment naming it is what makes the browser focus it.
    assert response["Location"] == reverse("projects:project-propose") + f"#proposal-{field}"
    html = client.get(response["Location"]).content.decode()
    assert message in html
    assert f'value="{data["title"]}"' in html or data["title"] == ""  # kept as typed
    assert not Proposal.objects.exists() and not Project.objects.exists()


def test_reloading_after_a_bad_proposal_shows_a_fresh_form_and_posts_nothing(client, ada):
    response = client.post(reverse("projects:project-propose"), {"title": "T"})

    first = client.get(response["Location"]).content.decode()
    again = client.get(response["Location"]).content.decode()

    assert "Describe the project." in first and "Describe the project." not in again


def test_proposing_an_edit_and_refusing_an_empty_one(client, ada):
    project = ProjectFactory(title="Old", description="Old text.")
    url = reverse("projects:project-propose-edit", args=[project.slug])

    form = client.get(url).content.decode()
    unchanged = client.post(url, {"title": "Old", "description": "Old text.", "kind": project.kind})
    changed = client.post(url, {"title": "New", "description": "Old text.", "kind": project.kind})

    assert 'value="Old"' in form
    assert unchanged.status_code == 303
    assert "Your edit changes nothing yet." in client.get(unchanged["Location"]).content.decode()
    assert changed.status_code == 303
    assert Proposal.objects.get().title == "New"
    project.refresh_from_db()
    assert project.title == "Old"  # until a curator approves


def test_nobody_else_sees_your_proposals(client, ada, other_researcher):
    services.project_propose(
        by=ada, agenda=AgendaFactory(), title="Secret-ish", description="x", kind="paper"
    )
    client.force_login(other_researcher)
    assert "Secret-ish" not in client.get(ada.get_absolute_url()).content.decode()


def test_flagging_a_comment_from_the_page(client, ada):
    comment = CommentFactory()

    response = client.post(
        reverse("projects:comment-flag", args=[comment.pk]),
        {"reason": "Spam"},
        HTTP_HX_REQUEST="true",
    )

    assert "Flagged for curators" in response.content.decode()
    assert Flag.objects.get().reason == "Spam"
    assert (
        "flagged a comment" not in client.get(comment.project.get_absolute_url()).content.decode()
    )
