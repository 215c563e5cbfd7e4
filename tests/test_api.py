"""The read-only JSON API: only public data, filters and pages, 400 and 404 in JSON, ETags
and CORS, and a constant number of queries per request."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.filters import ProjectFilter
from projects.models import Agenda, Claim, Output, Project
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


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def project_rows(client, agenda: str) -> list[dict]:
    """Every project row the API lists for ``agenda`` (up to 100)."""
    return client.get(f"/api/projects/?agenda={agenda}&limit=100").json()["results"]


def test_the_project_list_shows_each_live_project_with_its_agenda_tags_and_counts(client):
    agenda = AgendaFactory(slug="open-problems")
    project = ProjectFactory(
        agenda=agenda, number=3, title="Map the failure modes", slug="map-the-failure-modes"
    )
    project.tags.set([TagFactory(name="Interpretability")])
    ClaimFactory(project=project)
    ClaimFactory(project=project, state=Claim.State.COMPLETED)
    project.set_interest(researcher=UserFactory(), interested=True)
    CommentFactory(project=project)
    OutputFactory(project=project)

    response = client.get("/api/projects/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    page = response.json()
    assert page["count"] == 1 and page["next"] is None and page["previous"] is None
    row = page["results"][0]
    assert row["slug"] == "map-the-failure-modes" and row["number"] == 3
    assert row["agenda"] == "open-problems"
    assert row["title"] == "Map the failure modes"
    assert (row["kind"], row["status"], row["standing"]) == ("paper", "open", "in_progress")
    assert row["tags"] == [{"slug": "interpretability", "name": "Interpretability"}]
    assert row["claim_limit"] is None
    assert row["url"] == "http://testserver/projects/map-the-failure-modes/"
    assert row["counts"] == {
        "active_claims": 1,
        "completed_claims": 1,
        "interested": 1,
        "comments": 1,
        "outputs": 1,
    }
    assert "description" not in row


def test_the_project_list_leaves_out_unpublished_proposals_and_merged_duplicates(client, curator):
    kept = ProjectFactory(slug="kept")
    duplicate = ProjectFactory(agenda=kept.agenda, slug="duplicate")
    project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question.")
    ProjectFactory(slug="still-a-proposal", proposed=True)
    ProjectFactory(slug="retired-idea", retired=True)

    assert sorted(slugs(client.get("/api/projects/"))) == ["kept", "retired-idea"]


def test_the_project_list_filters_by_agenda_status_tag_kind_and_whether_anyone_is_on_it(client):
    agenda, other_agenda = AgendaFactory(slug="first"), AgendaFactory(slug="second")
    tag = TagFactory(name="Evals")
    free = ProjectFactory(agenda=agenda, slug="free", tags=[tag])
    taken = ProjectFactory(agenda=agenda, slug="taken", kind=Project.Kind.SKETCH)
    ClaimFactory(project=taken)
    ProjectFactory(agenda=other_agenda, slug="elsewhere", retired=True)

    assert slugs(client.get("/api/projects/?agenda=first")) == ["free", "taken"]
    assert slugs(client.get("/api/projects/?status=retired")) == ["elsewhere"]
    assert slugs(client.get("/api/projects/?tag=evals")) == ["free"]
    assert slugs(client.get("/api/projects/?kind=sketch")) == ["taken"]
    assert slugs(client.get("/api/projects/?unclaimed=false")) == ["taken"]
    assert slugs(client.get("/api/projects/?unclaimed=true")) == ["free"]
    assert slugs(client.get("/api/projects/?agenda=no-such-agenda")) == []
    assert slugs(client.get("/api/projects/?tag=free&unknown=ignored")) == []
    assert free.slug in slugs(client.get("/api/projects/?unknown=ignored"))


def test_unclaimed_means_what_the_lists_nobody_on_it_means_open_with_no_active_claim(client):
    """A retired or addressed project is not "unclaimed", even with nobody (or somebody
    still) on it: ``unclaimed=true`` is the home page's "Nobody on it", ``false`` its opposite
    among open projects."""
    agenda = AgendaFactory(slug="every-standing")
    made = projects_of_every_standing(agenda)
    ClaimFactory(project=ProjectFactory(agenda=agenda, slug="retired-yet-held", retired=True))
    ticked = ProjectFilter({"unclaimed": "on"}, queryset=Project.objects.live().for_list())
    nobody_on_it = {project.slug for project in ticked.qs}

    unclaimed = set(slugs(client.get("/api/projects/?unclaimed=true")))
    claimed = set(slugs(client.get("/api/projects/?unclaimed=false")))

    assert unclaimed == nobody_on_it
    assert unclaimed == {made[s].slug for s in ("unclaimed", "completed", "partly_addressed")}
    assert claimed == {made[s].slug for s in ("in_progress", "stale")}
    for closed in ("every-standing-retired", "every-standing-addressed", "retired-yet-held"):
        assert closed not in unclaimed | claimed


def test_the_project_list_pages_by_limit_and_offset_and_links_the_pages_around(client):
    agenda = AgendaFactory(slug="big")
    ProjectFactory.create_batch(5, agenda=agenda)
    numbers = sorted(agenda.projects.values_list("number", flat=True))

    page = client.get("/api/projects/?agenda=big&limit=2&offset=2").json()

    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [row["number"] for row in page["results"]] == numbers[2:4]
    assert page["next"] == "http://testserver/api/projects/?agenda=big&limit=2&offset=4"
    assert page["previous"] == "http://testserver/api/projects/?agenda=big&limit=2&offset=0"
    last = client.get(page["next"]).json()
    assert [row["number"] for row in last["results"]] == numbers[4:]
    assert last["next"] is None
    assert client.get("/api/projects/?offset=100").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("limit=-1", "limit", "greater than or equal to 1"),
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=abc", "limit", "valid integer"),
        ("limit=101", "limit", "less than or equal to 100"),
        ("offset=-5", "offset", "greater than or equal to 0"),
        ("offset=99999999999999999999999", "offset", "less than or equal to 1000000"),
        ("status=proposed", "status", "'open', 'addressed' or 'retired'"),
        ("status=claimed", "status", "'open', 'addressed' or 'retired'"),
        ("kind=essay", "kind", "'paper'"),
        ("unclaimed=maybe", "unclaimed", "valid boolean"),
    ],
)
def test_a_bad_query_parameter_answers_400_with_json_saying_what_is_wrong(
    client, query, parameter, words
):
    ProjectFactory()

    response = client.get(f"/api/projects/?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Bad query parameters: ")
    assert [error["parameter"] for error in body["errors"]] == [parameter]
    assert words in body["errors"][0]["message"]
    assert words in body["detail"]


def test_a_bad_page_size_of_the_agenda_list_answers_400_too(client):
    response = client.get("/api/agendas/?limit=500")

    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "limit"


def test_an_unknown_slug_answers_404_in_json(client):
    ProjectFactory(slug="a-proposal", proposed=True)

    for url, words in [
        ("/api/projects/no-such-project/", "There is no project with the slug “no-such-project”."),
        ("/api/projects/a-proposal/", "There is no project with the slug “a-proposal”."),
        ("/api/agendas/no-such-agenda/", "There is no agenda with the slug “no-such-agenda”."),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json() == {"detail": words}


def test_a_merged_duplicate_redirects_to_the_api_page_of_the_project_it_was_merged_into(
    client, curator
):
    kept = ProjectFactory(slug="kept")
    duplicate = ProjectFactory(agenda=kept.agenda, slug="duplicate")
    project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question.")

    response = client.get("/api/projects/duplicate/")

    assert response.status_code == 301
    assert response["Location"] == "/api/projects/kept/"
    assert client.get("/api/projects/duplicate/", follow=True).json()["slug"] == "kept"


def test_a_project_shows_its_text_claims_and_outputs_but_no_email_or_rejected_output(client):
    project = ProjectFactory(
        slug="with-everything",
        description="Find *where* it breaks.",
        summary="Agreed: **toy models** first.",
        claim_limit=2,
    )
    ada = UserFactory(username="ada", display_name="Ada L.", email="ada@example.org")
    started = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)
    ClaimFactory(
        project=project,
        researcher=ada,
        started_at=started,
        target_date=datetime.date(2031, 1, 31),
    )
    ended = ClaimFactory(project=project, state=Claim.State.RELEASED, ended_at=timezone.now())
    OutputFactory(
        project=project,
        url="https://example.org/paper",
        title="The paper",
        kind=Output.Kind.PAPER,
        addresses=Output.Addresses.FULLY,
        accepted=True,
    )
    OutputFactory(project=project, title="Spam", review=Output.Review.REJECTED)

    response = client.get("/api/projects/with-everything/")

    assert response.status_code == 200
    body = response.json()
    assert body["description"] == "Find *where* it breaks."
    assert body["summary"] == "Agreed: **toy models** first."
    assert body["claim_limit"] == 2
    assert body["claims"][0] == {
        "researcher": {"name": "Ada L.", "url": "http://testserver/people/ada/"},
        "state": "active",
        "started_at": started.isoformat().replace("+00:00", "Z"),
        "last_activity_at": body["claims"][0]["last_activity_at"],
        "target_date": "2031-01-31",
        "ended_at": None,
    }
    assert body["claims"][1]["state"] == "released"
    assert body["claims"][1]["researcher"]["name"] == ended.researcher.public_name
    assert body["claims"][1]["ended_at"] is not None
    assert body["outputs"] == [
        {
            "url": "https://example.org/paper",
            "title": "The paper",
            "kind": "paper",
            "addresses": "fully",
            "review": "accepted",
        }
    ]
    assert body["counts"]["outputs"] == 1
    text = response.content.decode()
    assert "@example.org" not in text and "Spam" not in text


def test_counts_leave_out_hidden_and_deleted_comments_and_rejected_outputs(client, curator):
    project = ProjectFactory(slug="counted")
    CommentFactory(project=project)
    CommentFactory(project=project).hide(by=curator)
    CommentFactory(project=project).delete_by_author()
    OutputFactory(project=project)
    OutputFactory(project=project, accepted=True)
    OutputFactory(project=project, review=Output.Review.REJECTED)
    ClaimFactory(project=project, state=Claim.State.DORMANT)

    counts = client.get("/api/projects/counted/").json()["counts"]

    assert counts == {
        "active_claims": 0,
        "completed_claims": 0,
        "interested": 0,
        "comments": 1,
        "outputs": 2,
    }


def test_the_agenda_list_counts_each_agendas_live_projects_by_standing(client, curator):
    agenda = AgendaFactory(
        title="Open problems",
        slug="open-problems",
        author="A. Author",
        published_on=datetime.date(2022, 5, 1),
    )
    projects_of_every_standing(agenda)
    ClaimFactory.create_batch(2, project=ProjectFactory(agenda=agenda))  # in progress, twice
    ProjectFactory(agenda=agenda, proposed=True)  # never counted
    kept = ProjectFactory(agenda=agenda)
    project_merge(
        duplicate=ProjectFactory(agenda=agenda), kept=kept, by=curator, reason="Same."
    )  # the duplicate is not counted; the kept one is unclaimed
    AgendaFactory(title="Zebra problems", slug="zebra")

    page = client.get("/api/agendas/").json()

    assert page["count"] == 2
    first, empty = page["results"]
    assert first["slug"] == "open-problems" and first["author"] == "A. Author"
    assert first["published_on"] == "2022-05-01"
    assert first["source_url"] == "https://example.org/open-problems"
    assert first["url"] == "http://testserver/agendas/open-problems/"
    assert first["counts"] == {
        "total": 9,
        "unclaimed": 2,
        "in_progress": 2,
        "stale": 1,
        "completed": 1,
        "partly_addressed": 1,
        "addressed": 1,
        "retired": 1,
    }
    assert empty["counts"] == dict.fromkeys(first["counts"], 0)
    assert "intro" not in first


@pytest.mark.parametrize("url", ["/api/agendas/", "/api/agendas/every-standing/"])
def test_an_agendas_counts_are_its_glances_legend_and_its_projects_standings(client, url):
    """The API counts what the agenda's page and /agendas/ show, and what the project list
    says of each project: one number per standing, and the total."""
    agenda = AgendaFactory(slug="every-standing")
    projects_of_every_standing(agenda)
    projects_of_every_standing(AgendaFactory(slug="more"))
    ClaimFactory(project=ProjectFactory(agenda=agenda))

    body = client.get(url).json()

    rows = body.get("results", [body])
    counts = next(row["counts"] for row in rows if row["slug"] == "every-standing")
    glance = Agenda.objects.with_glance().get(slug="every-standing").glance
    assert counts == {"total": len(glance.cells)} | {e.value: e.count for e in glance.legend}
    listed = [row["standing"] for row in project_rows(client, "every-standing")]
    assert counts == {"total": len(listed)} | {s: listed.count(s) for s in Project.Standing.values}
    assert counts["in_progress"] == 2 and counts["stale"] == 1


def test_an_agenda_shows_its_intro_as_markdown(client):
    AgendaFactory(slug="with-intro", intro="Questions we *need* answered.")

    body = client.get("/api/agendas/with-intro/").json()

    assert body["intro"] == "Questions we *need* answered."
    assert body["counts"]["total"] == 0


API_URLS = [
    "/api/agendas/",
    "/api/agendas/caching/",
    "/api/projects/",
    "/api/projects/cached/",
    "/api/openapi.json",
]


@pytest.mark.parametrize("url", API_URLS)
def test_every_answer_has_an_etag_and_the_same_etag_back_gets_304(client, url):
    ProjectFactory(slug="cached", agenda=AgendaFactory(slug="caching"))

    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize("url", API_URLS[:4])
def test_a_new_claim_changes_the_etag_so_clients_get_the_new_data(client, url):
    project = ProjectFactory(slug="cached", agenda=AgendaFactory(slug="caching"))
    before = client.get(url)["ETag"]

    ClaimFactory(project=project)

    response = client.get(url, headers={"If-None-Match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


@pytest.mark.parametrize(
    "url",
    [*API_URLS, "/api/projects/?limit=0", "/api/projects/nothing-here/"],
)
def test_any_site_may_read_every_api_answer(client, url):
    ProjectFactory(slug="cached", agenda=AgendaFactory(slug="caching"))

    response = client.get(url, headers={"Origin": "https://elsewhere.example"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == "ETag"


def test_the_api_offers_no_docs_page_and_only_answers_get(client):
    assert client.get("/api/docs").status_code == 404
    for url in ("/api/projects/", "/api/openapi.json"):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (method, url)


@pytest.mark.parametrize("url", ["/api/agendas/", "/api/projects/cached/", "/api/openapi.json"])
def test_head_answers_as_get_with_the_same_etag_and_no_body(client, url):
    ProjectFactory(slug="cached")

    got, head = client.get(url), client.head(url)

    assert (head.status_code, head.content) == (200, b"")
    assert dict(head.headers) == dict(got.headers)
    assert head["ETag"] == got["ETag"]


def make_projects(n: int) -> None:
    """``n`` projects across two agendas, each with a tag, claims, interest, a comment and an
    output: everything a row shows."""
    agendas = [AgendaFactory(), AgendaFactory()]
    for i in range(n):
        project = ProjectFactory(agenda=agendas[i % 2], tags=[TagFactory(), TagFactory()])
        ClaimFactory(project=project)
        ClaimFactory(project=project, state=Claim.State.COMPLETED)
        project.set_interest(researcher=UserFactory(), interested=True)
        CommentFactory(project=project)
        OutputFactory(project=project, accepted=True)


@pytest.mark.parametrize("n", [1, 20])
def test_the_project_list_costs_three_queries_for_1_or_20_projects(
    client, django_assert_num_queries, n
):
    """Guards the N+1 of each row's agenda, tags and counts (claims, interest, comments,
    outputs): one count, one page with its agendas and counts in subqueries, one for tags."""
    make_projects(n)

    with django_assert_num_queries(3):
        response = client.get("/api/projects/")

    assert len(response.json()["results"]) == n


def make_agendas(n: int) -> None:
    """``n`` agendas, each with a project of every standing."""
    for _ in range(n):
        projects_of_every_standing(AgendaFactory())


@pytest.mark.parametrize("n", [1, 20])
def test_the_agenda_list_costs_three_queries_for_1_or_20_agendas(
    client, django_assert_num_queries, n
):
    """Guards the N+1 of counting each agenda's projects by standing: one count of agendas,
    one page of agendas, one query for all their live projects' standings (the glance)."""
    make_agendas(n)

    with django_assert_num_queries(3):
        response = client.get("/api/agendas/")

    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 20])
def test_a_project_costs_four_queries_for_1_or_20_claims_and_outputs(
    client, django_assert_num_queries, n
):
    """Guards the N+1 of each claim's researcher and of the outputs: the project with its
    agenda and counts, then its tags, its claims with researchers, its outputs."""
    project = ProjectFactory(slug="busy", tags=[TagFactory()])
    for _ in range(n):
        ClaimFactory(project=project, state=Claim.State.COMPLETED)
        OutputFactory(project=project)

    with django_assert_num_queries(4):
        response = client.get("/api/projects/busy/")

    assert len(response.json()["claims"]) == n


@pytest.mark.parametrize("n", [1, 20])
def test_an_agenda_costs_two_queries_for_1_or_20_projects(client, django_assert_num_queries, n):
    """Guards against counting an agenda's projects one standing, or one project, at a time:
    the agenda, then its live projects' standings (the glance) in one query."""
    agenda = AgendaFactory(slug="one")
    for number in range(n):
        ClaimFactory(project=ProjectFactory(agenda=agenda, number=number + 1))

    with django_assert_num_queries(2):
        assert client.get("/api/agendas/one/").json()["counts"]["in_progress"] == n


@pytest.mark.parametrize(
    "url",
    [
        "/api/agendas/",
        "/api/agendas/every-standing/",
        "/api/projects/",
        "/api/projects/every-standing-unclaimed/",
        "/api/projects/duplicate/",
    ],
)
def test_no_api_answer_reads_the_stored_search_vectors(client, curator, url):
    """Nothing the API answers reads a project's search vector: it stays in the database."""
    agenda = AgendaFactory(slug="every-standing")
    made = projects_of_every_standing(agenda)
    duplicate = ProjectFactory(agenda=agenda, slug="duplicate")
    project_merge(duplicate=duplicate, kept=made["unclaimed"], by=curator, reason="Same.")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code in (200, 301)
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "search_vector" in q["sql"]]
