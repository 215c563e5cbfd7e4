"""An agenda's export as CSV and JSON: live projects in source order, public data only,
spreadsheet-safe cells, and a constant number of queries."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Claim, Output, Project
from projects.open_data import csv_cell
from projects.services import project_merge
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
    projects_of_every_standing,
)

pytestmark = pytest.mark.django_db


def csv_url(agenda) -> str:
    return reverse("projects:agenda-export-csv", args=[agenda.slug])


def json_url(agenda) -> str:
    return reverse("projects:agenda-export-json", args=[agenda.slug])


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.fixture
def agenda(curator):
    """An agenda with one project of each standing, out of order, plus a proposal and a
    merged duplicate that no export may show."""
    agenda = AgendaFactory(slug="open-problems")
    on_it = ProjectFactory(agenda=agenda, number=2, title="Taken idea", slug="taken-idea")
    on_it.tags.set([TagFactory(name="Evals"), TagFactory(name="Théorie", slug="théorie")])
    ClaimFactory(project=on_it, researcher=UserFactory(username="ada", display_name="Ada L."))
    ClaimFactory(project=on_it, researcher=UserFactory(username="alan"))
    ClaimFactory(project=on_it, state=Claim.State.RELEASED)
    on_it.set_interest(researcher=UserFactory(), interested=True)
    CommentFactory(project=on_it)
    CommentFactory(project=on_it).hide(by=curator)
    OutputFactory(project=on_it, url="https://example.org/accepted", accepted=True)
    OutputFactory(project=on_it, url="https://example.org/pending")
    ProjectFactory(agenda=agenda, number=1, title="Free idea", slug="free-idea")
    ProjectFactory(agenda=agenda, number=3, status=Project.Status.ADDRESSED, slug="done")
    ProjectFactory(agenda=agenda, number=4, retired=True, slug="dropped")
    ProjectFactory(agenda=agenda, number=5, proposed=True, slug="unpublished")
    duplicate = ProjectFactory(agenda=agenda, number=6, slug="duplicate")
    project_merge(duplicate=duplicate, kept=on_it, by=curator, reason="Same question.")
    return agenda


def test_the_csv_export_has_a_header_and_one_row_per_live_project_in_source_order(client, agenda):
    response = client.get(csv_url(agenda))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="open-problems-projects.csv"'
    header = response.content.decode().splitlines()[0]
    assert header == (
        "number,title,slug,kind,status,standing,tags,active_claims,researchers,interested,"
        "comments,accepted_outputs,url"
    )
    rows = read_csv(response)
    assert [row["slug"] for row in rows] == ["free-idea", "taken-idea", "done", "dropped"]
    assert [row["standing"] for row in rows] == ["unclaimed", "in_progress", "addressed", "retired"]
    taken = rows[1]
    assert taken["number"] == "2" and taken["title"] == "Taken idea"
    assert taken["kind"] == "paper" and taken["status"] == "open"
    assert taken["tags"] == "Evals; Théorie"
    assert taken["active_claims"] == "2"
    assert taken["researchers"] == "Ada L.; alan"
    assert taken["interested"] == "1"
    assert taken["comments"] == "1"
    assert taken["accepted_outputs"] == "https://example.org/accepted"
    assert taken["url"] == "http://testserver/projects/taken-idea/"
    assert "@example.org" not in response.content.decode()


def test_the_json_export_has_the_agenda_and_the_same_rows_with_lists(client, agenda):
    response = client.get(json_url(agenda))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="open-problems-projects.json"'
    document = response.json()
    assert document["agenda"]["slug"] == "open-problems"
    assert document["agenda"]["url"] == "http://testserver/agendas/open-problems/"
    rows = document["projects"]
    assert [row["slug"] for row in rows] == ["free-idea", "taken-idea", "done", "dropped"]
    assert rows[1]["tags"] == ["Evals", "Théorie"]
    assert rows[1]["researchers"] == ["Ada L.", "alan"]
    assert rows[1]["accepted_outputs"] == ["https://example.org/accepted"]
    assert rows[1]["active_claims"] == 2 and rows[0]["active_claims"] == 0
    assert [row["standing"] for row in rows] == ["unclaimed", "in_progress", "addressed", "retired"]
    assert "Théorie" in response.content.decode()  # UTF-8 as is, not \u escapes


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_each_exported_standing_is_the_one_the_list_the_glance_and_the_api_show(client, url):
    """A stale project is not "in progress", a completed or partly addressed one is not
    "unclaimed": the export writes ``Project.Standing`` values, as the API does."""
    agenda = AgendaFactory(slug="every-standing")
    projects_of_every_standing(agenda)

    response = client.get(url(agenda))

    rows = read_csv(response) if url is csv_url else response.json()["projects"]
    exported = {row["slug"]: row["standing"] for row in rows}
    listed = {p.slug: p.standing for p in Project.objects.live().for_list()}
    glanced = {p.slug: p.standing for p in agenda.glance.cells}
    api = {row["slug"]: row["standing"] for row in client.get("/api/projects/").json()["results"]}
    assert exported == listed == glanced == api
    assert sorted(exported.values()) == sorted(Project.Standing.values)


def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(client):
    agenda = AgendaFactory(slug="tricky")
    ProjectFactory(agenda=agenda, title='=HYPERLINK("https://evil.example","click")')
    ProjectFactory(agenda=agenda, title="+1 more idea")
    ProjectFactory(agenda=agenda, title="-minus")
    ProjectFactory(agenda=agenda, title="@SUM(A1)")
    ProjectFactory(agenda=agenda, title="An ordinary = title")

    rows = read_csv(client.get(csv_url(agenda)))

    assert [row["title"] for row in rows] == [
        '\'=HYPERLINK("https://evil.example","click")',
        "'+1 more idea",
        "'-minus",
        "'@SUM(A1)",
        "An ordinary = title",
    ]


def test_csv_cells_join_lists_and_guard_each_formula_start():
    assert csv_cell(["a", "b"]) == "a; b"
    assert csv_cell([]) == ""
    assert csv_cell(3) == "3"
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(f"{start}x") == f"'{start}x"


def test_an_unknown_agenda_has_no_export(client):
    assert client.get("/agendas/no-such-agenda/export.csv").status_code == 404
    assert client.get("/agendas/no-such-agenda/export.json").status_code == 404


def test_the_agenda_page_links_both_exports(client, agenda):
    html = client.get(agenda.get_absolute_url()).content.decode()

    assert f'href="{csv_url(agenda)}"' in html and f'href="{json_url(agenda)}"' in html
    assert "Download:" in html


def make_rows(agenda, n: int) -> None:
    for _ in range(n):
        project = ProjectFactory(agenda=agenda, tags=[TagFactory()])
        ClaimFactory(project=project)
        CommentFactory(project=project)
        project.set_interest(researcher=UserFactory(), interested=True)
        OutputFactory(project=project, review=Output.Review.ACCEPTED)


@pytest.mark.parametrize("n", [1, 20])
@pytest.mark.parametrize("url", [csv_url, json_url])
def test_an_export_costs_six_queries_for_1_or_20_projects(
    client, django_assert_num_queries, n, url
):
    """Guards the N+1 of each row's tags, researchers, accepted outputs and counts: the
    agenda, the projects with their counts (the list's rows), then tags, active claims with
    researchers, completed claims and accepted outputs, one query each."""
    agenda = AgendaFactory(slug="counted")
    make_rows(agenda, n)

    with django_assert_num_queries(6):
        response = client.get(url(agenda))

    assert response.status_code == 200


@pytest.mark.parametrize("url", [csv_url, json_url])
def test_an_export_leaves_the_stored_search_vectors_in_the_database(client, agenda, url):
    """No export reads a project's search vector: nothing in a row comes from it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(agenda))

    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "search_vector" in q["sql"]]
