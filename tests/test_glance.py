"""An agenda at a glance (on its page and on /agendas/), and the agendas page itself."""

import datetime
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.importers import import_agenda
from projects.models import Agenda, Claim, Output, Project
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    UserFactory,
)
from tests.html import assert_inert, text_of

pytestmark = pytest.mark.django_db

SEED_SLUG = "some-conceptual-alignment-research-projects"
AGENDAS = reverse("projects:agenda-list")


class _Cells(HTMLParser):
    """Each glance cell of a page: its standing class, link, and the text of its name."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cells: list[dict] = []
        self._in_cell = self._in_name = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "a" and "glance-cell" in classes:
            standing = next(c.removeprefix("standing-") for c in classes if c != "glance-cell")
            self.cells.append({"standing": standing, "href": dict(attrs)["href"], "name": ""})
            self._in_cell = True
        self._in_name = self._in_cell and tag == "span" and "visually-hidden" in classes

    def handle_endtag(self, tag):
        self._in_name = False
        if tag == "a":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_name:
            self.cells[-1]["name"] += data


def cells(html: str) -> list[dict]:
    """The glance cells of a page, in order."""
    return _Cells(html).cells


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def seed(demo_agenda_bytes) -> Agenda:
    import_agenda(demo_agenda_bytes)
    return Agenda.objects.get(slug=SEED_SLUG)


def test_the_glance_shows_every_standing_of_the_seed_after_claims_completions_and_curation(
    client, seed, researcher, other_researcher, curator, settings
):
    project = {p.number: p for p in seed.projects.all()}
    project[2].claim(researcher=researcher, plan="A first draft by spring.")
    stale = project[3].claim(researcher=other_researcher)
    silent_since = timezone.now() - datetime.timedelta(days=settings.CLAIM_STALE_DAYS + 1)
    Claim.objects.filter(pk=stale.pk).update(last_activity_at=silent_since)
    project[4].claim(researcher=UserFactory(username="cy")).complete(note="Posted it.")
    partial = project[5].link_output(
        by=researcher, url="https://example.org/partial", title="A start", kind="blog_post"
    )
    partial.accept(by=curator)
    answer = project[6].link_output(
        by=researcher,
        url="https://example.org/answer",
        title="The answer",
        kind="paper",
        addresses=Output.Addresses.FULLY,
    )
    answer = answer.accept(by=curator)
    project[6].mark_addressed(by=curator, reason="The paper answers it.", outputs=[answer])
    project[7].retire(by=curator, reason="Superseded by item 6.")

    html = client.get(seed.get_absolute_url()).content.decode()

    found = cells(html)
    assert [cell["href"] for cell in found] == [project[n].get_absolute_url() for n in range(1, 27)]
    assert [cell["standing"] for cell in found[:8]] == [
        "unclaimed",
        "in_progress",
        "stale",
        "completed",
        "partly_addressed",
        "addressed",
        "retired",
        "unclaimed",
    ]
    assert {cell["standing"] for cell in found[7:]} == {"unclaimed"}
    assert found[1]["name"] == f"2. {project[2].title}: in progress"
    assert found[1]["name"].startswith("2. A paper which does the same for gradient hacking")
    assert found[2]["name"] == f"3. {project[3].title}: stale"
    assert found[3]["name"] == f"4. {project[4].title}: completed, still open"
    assert found[4]["name"] == f"5. {project[5].title}: partly addressed"
    assert found[5]["name"] == f"6. {project[6].title}: addressed"
    assert found[6]["name"] == f"7. {project[7].title}: retired"
    assert found[0]["name"] == f"1. {project[1].title}: unclaimed"
    assert text_of(html, ".glance-legend") == [
        "Unclaimed 20 In progress 1 Stale 1 Completed, still open 1 Partly addressed 1 "
        "Addressed 1 Retired 1"
    ]

    index = client.get(AGENDAS).content.decode()
    assert text_of(index, ".glance-summary") == [
        "26 projects: 1 in progress, 1 stale, 1 completed but still open, 1 partly addressed, "
        "1 addressed, 1 retired, 20 unclaimed"
    ]
    assert cells(index) == found


def test_the_glance_sits_above_the_list_and_its_cells_are_a_labelled_list(client, seed):
    html = client.get(seed.get_absolute_url()).content.decode()

    assert html.index("At a glance") < html.index('class="glance"') < html.index("project-row")
    assert f'<ol class="glance" aria-label="{seed.title} at a glance">' in html
    assert html.count('class="glance-cell ') == 26
    assert '<span class="glance-number" aria-hidden="true">26</span>' in html
    assert 'class="glance-legend-none"' in html  # a standing nobody is in still has its line


def test_the_glance_leaves_out_proposals_and_merged_duplicates_and_escapes_titles(client):
    agenda = AgendaFactory()
    shown = ProjectFactory(agenda=agenda, number=1, title="<script>alert(1)</script> & more")
    ProjectFactory(agenda=agenda, number=2, title="A proposal under review", proposed=True)
    duplicate = ProjectFactory(agenda=agenda, number=3, title="A merged duplicate")
    Project.objects.filter(pk=duplicate.pk).update(merged_into=shown)

    for url in (agenda.get_absolute_url(), AGENDAS):
        html = client.get(url).content.decode()
        assert [cell["href"] for cell in cells(html)] == [shown.get_absolute_url()]
        assert "A proposal under review" not in html and "A merged duplicate" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
        assert_inert(html, allowed_scripts=6)


def test_the_agendas_page_lists_each_agenda_with_its_author_progress_and_glance(client, seed):
    other = AgendaFactory(title="A shorter list", author="Grace Hopper")
    ClaimFactory(project=ProjectFactory(agenda=other, number=1))
    ProjectFactory(agenda=other, number=2)
    Agenda.community()

    response = client.get(AGENDAS)

    html = response.content.decode()
    assert response.status_code == 200
    assert text_of(html, ".agenda-entry-title") == [
        "A shorter list",
        "Some conceptual alignment research projects",
        "Community proposals",
    ]
    assert f'href="{seed.get_absolute_url()}"' in html
    assert "By Grace Hopper." in html
    assert text_of(html, ".glance-summary") == [
        "2 projects: 1 in progress, 1 unclaimed",
        "26 projects: 26 unclaimed",
        "No projects yet.",
    ]
    assert "Community proposals: ideas researchers proposed here, not from a published" in html


def test_community_proposals_come_last_numbered_as_proposals(client):
    community = Agenda.community()
    proposal = ProjectFactory(agenda=community, number=3, title="An idea from the board")
    ProjectFactory(agenda=AgendaFactory(title="Zebra problems"), number=1)

    html = client.get(AGENDAS).content.decode()

    assert text_of(html, ".agenda-entry-title") == ["Zebra problems", "Community proposals"]
    assert cells(html)[-1]["name"] == "P3. An idea from the board: unclaimed"
    assert cells(html)[-1]["href"] == proposal.get_absolute_url()
    assert 'class="agenda-entry agenda-entry-community"' in html


def test_the_agendas_page_is_in_the_site_navigation_and_an_agendas_breadcrumb(client, seed):
    assert f'<li><a href="{AGENDAS}">Agendas</a></li>' in client.get("/").content.decode()
    page = client.get(seed.get_absolute_url()).content.decode()
    assert f'<ol><li><a href="{AGENDAS}">Agendas</a></li></ol>' in page


def test_the_agendas_page_ignores_its_query_string_and_refuses_a_post(client):
    assert client.get(AGENDAS + "?page=x&sort=sideways").status_code == 200
    assert client.post(AGENDAS).status_code == 405


def test_an_agenda_read_without_its_prefetch_asks_one_query_for_its_glance(
    django_assert_num_queries,
):
    """Guards the fallback of ``Agenda.glance``: one query for all its cells, not one each."""
    agenda = AgendaFactory()
    add_projects(agenda, 5)
    agenda = Agenda.objects.get(pk=agenda.pk)

    with django_assert_num_queries(1):
        glance = agenda.glance
        assert glance.summary == (
            "5 projects: 1 in progress, 1 completed but still open, 1 partly addressed, "
            "1 retired, 1 unclaimed"
        )
        assert [entry.count for entry in glance.legend] == [1, 1, 0, 1, 1, 0, 1]


def add_projects(agenda: Agenda, count: int) -> None:
    """``count`` projects in every standing in turn, with what makes each so."""
    for n in range(count):
        project = ProjectFactory(agenda=agenda)
        match n % 5:
            case 1:
                ClaimFactory(project=project)
            case 2:
                ClaimFactory(project=project, state="completed")
            case 3:
                OutputFactory(project=project, accepted=True)
                CommentFactory(project=project)
            case 4:
                Project.objects.filter(pk=project.pk).update(status=Project.Status.RETIRED)


def test_the_agenda_page_costs_the_same_queries_for_one_project_as_for_twenty(client):
    """Guards the N+1s of a glance cell and of a row: each cell's standing is an annotation
    of the one glance query (never a query per cell), and the rows' tags, claims and outputs
    are prefetched for the whole list."""
    agenda = AgendaFactory()
    add_projects(agenda, 1)
    one = count_queries(client, agenda.get_absolute_url())
    add_projects(agenda, 19)
    twenty = count_queries(client, agenda.get_absolute_url())

    # The agenda, its tags, its glance; the count of its projects (for the pages), the
    # rows, and their tags, active claims, completed claims and accepted outputs.
    assert one == twenty == 9


def test_the_agendas_page_costs_two_queries_for_one_agenda_as_for_five_big_ones(client):
    """Guards the N+1 of an agenda entry: every agenda's cells and standings come from one
    prefetch query for all agendas, never a query per agenda or per project."""
    add_projects(AgendaFactory(), 1)
    one = count_queries(client, AGENDAS)
    for _ in range(4):
        add_projects(AgendaFactory(), 20)
    add_projects(Agenda.community(), 5)
    five = count_queries(client, AGENDAS)

    assert Agenda.objects.count() == 6
    # The agendas; the live projects of them all, with their standings.
    assert one == five == 2
