"""The visitor's pages: the list, an agenda, a project; error pages and the health check."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.importers import import_agenda
from projects.models import Project
from tests.conftest import BASE_DIR
from tests.factories import AgendaFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_shows_every_seed_project_in_source_order_with_its_kind(client, demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    titles = list(Project.objects.in_agenda_order().values_list("title", flat=True))
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert html.count('class="project-row"') == 26
    assert "Exercises" in html and "Investigation" in html and "Scenario" in html
    assert "Some conceptual alignment research projects" in html
    assert "Open" in html


def test_the_list_leaves_out_proposals_awaiting_a_curator(client):
    ProjectFactory(title="An idea still under review", proposed=True)
    ProjectFactory(title="A retired idea", retired=True)

    html = client.get("/").content.decode()

    assert "An idea still under review" not in html
    assert "A retired idea" in html and "Retired" in html


def test_the_list_pages_through_many_projects(client, settings):
    settings.PROJECTS_PER_PAGE = 10
    agenda = AgendaFactory()
    ProjectFactory.create_batch(25, agenda=agenda)

    first = client.get("/").content.decode()
    last = client.get("/?page=3").content.decode()

    assert first.count('class="project-row"') == 10 and "Page 1 of 3" in first
    assert last.count('class="project-row"') == 5
    assert client.get("/?page=99").status_code == 200  # past the end: the last page


def test_the_list_query_count_does_not_grow_with_projects(client):
    """Guards the N+1 of reading each row's agenda (select_related in for_list)."""
    for n in (5, 50):
        for agenda in (AgendaFactory(), AgendaFactory()):
            ProjectFactory.create_batch(n // 2, agenda=agenda)
    few_agenda = AgendaFactory()
    ProjectFactory.create_batch(5, agenda=few_agenda)

    Project.objects.exclude(agenda=few_agenda).delete()
    few = count_queries(client, "/")
    ProjectFactory.create_batch(45, agenda=AgendaFactory())
    many = count_queries(client, "/")

    assert Project.objects.count() == 50
    # The page's count, one page of projects with agendas, their tags, active claims,
    # completed claims, accepted outputs; the filter form's agenda and tag choices.
    assert few == many == 8


def test_an_agenda_page_shows_its_attribution_intro_and_projects(client, demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)

    response = client.get(
        reverse("projects:agenda-detail", args=["some-conceptual-alignment-research-projects"])
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Some conceptual alignment research projects</h1>" in html
    assert 'href="https://www.lesswrong.com/posts/27AWRKbKyXuzQoaSk/' in html
    assert "lesswrong.com" in html and "Research Agendas" in html
    assert html.count('class="project-row"') == 26


def test_the_agenda_page_query_count_does_not_grow_with_projects(client):
    """Guards per-row queries on an agenda page (tags prefetched, projects in one query)."""
    agenda = AgendaFactory()
    ProjectFactory.create_batch(5, agenda=agenda)
    few = count_queries(client, agenda.get_absolute_url())
    ProjectFactory.create_batch(45, agenda=agenda)
    assert count_queries(client, agenda.get_absolute_url()) == few


def test_an_agenda_page_shows_its_projects_a_page_at_a_time(client, settings):
    settings.PROJECTS_PER_PAGE = 4
    agenda = AgendaFactory()
    for number in range(1, 11):
        ProjectFactory(agenda=agenda, number=number, title=f"Idea number {number}")

    first = client.get(agenda.get_absolute_url()).content.decode()
    last = client.get(agenda.get_absolute_url() + "?page=3").content.decode()

    assert first.count('class="project-row"') == 4 and "Idea number 4<" in first
    assert "{#" not in first and "{%" not in first  # no template syntax shown as text
    assert "page 1 of 3" in first and 'href="?page=2#projects"' in first
    assert last.count('class="project-row"') == 2 and "Idea number 10<" in last
    assert f"<title>{agenda.title}, page 3 ·" in last and 'href="?page=2#projects"' in last
    # A page past the end is the last page, as on the project list.
    assert "Idea number 10<" in client.get(agenda.get_absolute_url() + "?page=99").content.decode()


def test_a_project_page_renders_its_description_source_and_attribution(client, demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    project = Project.objects.get(number=1)

    response = client.get(project.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{project.title}</h1>" in html
    assert (
        '<a href="https://bounded-regret.ghost.io/ml-systems-will-have-weird-failure-modes-2/" '
        'rel="nofollow ugc noopener">deceptive alignment</a>'
    ) in html
    assert "Item 1 of" in html and "Read the original item" in html
    assert "https://www.lesswrong.com/posts/27AWRKbKyXuzQoaSk/" in html
    assert "#:~:text=A%20paper%20which%20does%20for%20deceptive" in html
    assert "Paper" in html


def test_markdown_in_a_description_is_sanitized_on_the_page(client):
    project = ProjectFactory(
        description=(
            "Hi <script>alert('x')</script> [click](javascript:alert(1)) "
            '<img src=x onerror="alert(2)"> [data](data:text/html;base64,PHNjcmlwdD4=) **bold**'
        )
    )

    html = client.get(project.get_absolute_url()).content.decode()
    description = html[html.index('class="prose description"') :]

    assert "<script>alert" not in description
    assert "<img" not in description
    assert 'href="javascript:' not in description and 'href="data:' not in description
    assert "&lt;script&gt;" in description  # raw HTML is shown as text, inert
    assert "<strong>bold</strong>" in description


def test_unknown_and_proposed_projects_answer_404_in_the_site_style(client):
    proposed = ProjectFactory(proposed=True)

    for url in ("/projects/no-such-project/", proposed.get_absolute_url(), "/agendas/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()


def test_a_server_error_answers_500_in_the_site_style(client, settings):
    settings.ROOT_URLCONF = "tests.urls_errors"
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_pages_refuse_to_change_data_on_post(client):
    project = ProjectFactory()
    assert client.post(project.get_absolute_url()).status_code == 405
    assert client.post("/").status_code == 405


def test_healthz_answers_200_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_cannot_be_reached():
    """A real unreachable database: a process whose DATABASE_URL points at a closed port."""
    script = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/healthz'); print(r.status_code, r.json())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "503 {'status': 'unavailable', 'database': 'unreachable', 'cache': 'ok'}"
    )
