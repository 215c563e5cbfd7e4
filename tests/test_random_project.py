"""/projects/random/: a random live open project nobody holds, or a page that says there is
none."""

import pytest
from django.urls import reverse

from projects.models import Claim, Project
from projects.models.project import unique_slug
from projects.services import project_merge
from tests.factories import AgendaFactory, ClaimFactory, ProjectFactory

pytestmark = pytest.mark.django_db

URL = "/projects/random/"


def test_the_random_project_url_is_named_and_not_taken_for_a_project_slug():
    assert reverse("projects:project-random") == URL
    assert unique_slug("Random") == "random-2"


def test_it_redirects_to_the_one_project_nobody_holds_and_is_never_cached(client, curator):
    free = ProjectFactory(slug="free")
    ClaimFactory(project=ProjectFactory(slug="held"))
    ProjectFactory(slug="proposal", proposed=True)
    ProjectFactory(slug="retired", retired=True)
    ProjectFactory(slug="addressed", status=Project.Status.ADDRESSED)
    ClaimFactory(project=ProjectFactory(slug="released"), state=Claim.State.RELEASED)
    duplicate = ProjectFactory(slug="duplicate")
    project_merge(
        duplicate=duplicate, kept=Project.objects.get(slug="held"), by=curator, reason="Same."
    )

    seen = set()
    for _ in range(40):  # both free projects turn up (all but certainly)
        response = client.get(URL)
        assert response.status_code == 302
        assert "no-store" in response["Cache-Control"]
        seen.add(response["Location"])

    assert seen == {free.get_absolute_url(), "/projects/released/"}


def test_within_an_agenda_it_picks_only_that_agendas_projects(client):
    agenda = AgendaFactory(slug="mine")
    mine = ProjectFactory(agenda=agenda)
    ProjectFactory.create_batch(5)

    for _ in range(5):
        response = client.get(f"{URL}?agenda=mine")
        assert response["Location"] == mine.get_absolute_url()


def test_when_every_project_is_taken_a_friendly_page_says_so_and_links_back(client):
    ClaimFactory(project=ProjectFactory())

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Every project is taken right now" in html
    assert f'href="{reverse("projects:project-list")}"' in html
    assert "no-store" in response["Cache-Control"]


def test_an_agenda_with_nothing_free_is_named_on_the_page_with_a_link_to_it(client):
    agenda = AgendaFactory(slug="busy", title="Busy agenda")
    ClaimFactory(project=ProjectFactory(agenda=agenda))
    ProjectFactory()  # free, but in another agenda

    response = client.get(f"{URL}?agenda=busy")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Every open project of <em>Busy agenda</em> has someone working on it." in html
    assert f'href="{agenda.get_absolute_url()}"' in html


def test_an_unknown_agenda_answers_400_with_the_reason_escaped(client):
    response = client.get(URL, {"agenda": "<script>alert(1)</script>"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no agenda called" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_project_list_links_to_a_random_unclaimed_project(client):
    html = client.get("/").content.decode()

    assert f'<a href="{URL}">Surprise me: a random unclaimed project</a>' in html


@pytest.mark.parametrize("n", [1, 20])
def test_picking_costs_one_query_for_1_or_20_projects(client, django_assert_num_queries, n):
    """Guards against loading every candidate to choose in Python: one query picks."""
    ProjectFactory.create_batch(n)

    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 302


@pytest.mark.parametrize("n", [1, 20])
def test_the_nothing_free_page_costs_two_queries_for_1_or_20_taken_projects(
    client, django_assert_num_queries, n
):
    """Guards against a query per project on the page that says nothing is free: the
    agenda, then the pick."""
    agenda = AgendaFactory(slug="taken")
    for _ in range(n):
        ClaimFactory(project=ProjectFactory(agenda=agenda))

    with django_assert_num_queries(2):
        assert client.get(f"{URL}?agenda=taken").status_code == 200
