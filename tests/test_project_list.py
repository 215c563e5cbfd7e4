"""The project list as a triage tool: where each project stands, filters, sorts, pages."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Agenda, Interest, Project
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
)
from tests.html import text_of

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """The text of each row of the list, in order."""
    return [" ".join(row.split()) for row in text_of(html, ".project-row")]


def row_titles(response) -> list[str]:
    """The titles of the rows, without their numbers."""
    return [
        title.split(". ", 1)[-1]
        for title in text_of(response.content.decode(), ".project-row-title")
    ]


def test_each_row_says_in_words_where_its_project_stands(client, settings):
    settings.CLAIM_STALE_DAYS = 30
    agenda = AgendaFactory()
    long_ago = timezone.now() - datetime.timedelta(days=90)
    ProjectFactory(agenda=agenda, number=1, title="Nobody on this")
    busy = ProjectFactory(agenda=agenda, number=2, title="Two on this")
    ClaimFactory(
        project=busy,
        researcher=UserFactory(username="ada"),
        target_date=datetime.date(2027, 3, 1),
    )
    ClaimFactory(
        project=busy,
        researcher=UserFactory(username="bo"),
        target_date=datetime.date(2027, 2, 1),
    )
    quiet = ProjectFactory(agenda=agenda, number=3, title="Quiet one")
    ClaimFactory(project=quiet, researcher=UserFactory(username="cy"), last_activity_at=long_ago)
    done = ProjectFactory(agenda=agenda, number=4, title="Done once")
    ClaimFactory(project=done, researcher=UserFactory(username="di"), state="completed")
    partly = ProjectFactory(agenda=agenda, number=5, title="Part answered")
    OutputFactory(project=partly, accepted=True, title="A first answer")
    ProjectFactory(agenda=agenda, number=6, title="Answered", status=Project.Status.ADDRESSED)
    ProjectFactory(agenda=agenda, number=7, title="Withdrawn", retired=True)

    found = rows(client.get("/").content.decode())

    assert "Unclaimed" in found[0]
    assert "In progress 2 researchers: ada, bo; next target date 1 Feb 2027" in found[1]
    assert f"Stale 1 researcher: cy; silent since {long_ago:%-d %b %Y}" in found[2]
    assert "Completed, still open completed by di" in found[3]
    assert "Partly addressed" in found[4] and "A first answer" in found[4]
    assert "Addressed" in found[5]
    assert "Retired" in found[6]


def test_each_row_counts_the_demand_and_links_its_tags(client):
    tag = TagFactory(name="Deception")
    project = ProjectFactory(tags=[tag])
    for name in ("ada", "bo"):
        Interest.objects.create(project=project, researcher=UserFactory(username=name))
    CommentFactory(project=project)
    CommentFactory(project=project, hidden_at=timezone.now())  # hidden: not counted
    OutputFactory(project=project)
    OutputFactory(project=project, review="rejected")  # rejected: not counted

    html = client.get("/").content.decode()

    assert "2 want it done 1 comment 1 output" in rows(html)[0]
    # Each fact an element of its own, which site.css sets apart with a dot.
    facts = r'<span class="demand">2 want it done</span>\s*<span>1 comment</span>\s*<span>1 output'
    assert re.search(facts, html)
    assert f'href="/tags/{tag.slug}/"' in html


def test_community_proposals_are_a_labelled_group_after_the_agendas(client):
    agenda = AgendaFactory(title="Imported agenda")
    ProjectFactory(agenda=agenda, number=1, title="Imported idea")
    ProjectFactory(agenda=Agenda.community(), number=1, title="Proposed here")

    html = client.get("/").content.decode()

    groups = text_of(html, ".list-group-title")
    assert groups[0] == "Imported agenda"
    assert groups[1].startswith("Community proposals")
    assert row_titles(client.get("/")) == ["Imported idea", "Proposed here"]
    assert "P1" in rows(html)[1]


def test_filters_combine_with_each_other(client):
    tag = TagFactory(name="Interpretability")
    agenda, other = AgendaFactory(), AgendaFactory()
    ProjectFactory(agenda=agenda, title="Wanted paper", tags=[tag])
    ProjectFactory(agenda=agenda, title="Wanted sketch", tags=[tag], kind=Project.Kind.SKETCH)
    ProjectFactory(agenda=agenda, title="Untagged paper")
    ProjectFactory(agenda=other, title="Elsewhere paper", tags=[tag])
    claimed = ProjectFactory(agenda=agenda, title="Taken paper", tags=[tag])
    ClaimFactory(project=claimed)

    response = client.get(f"/?agenda={agenda.slug}&tag={tag.slug}&kind=paper&unclaimed=on")

    assert row_titles(response) == ["Wanted paper"]
    assert "1 project matches these filters" in response.content.decode()


def test_the_stale_and_outputs_filters_and_the_status_filter(client, settings):
    settings.CLAIM_STALE_DAYS = 30
    quiet = ProjectFactory(title="Quiet")
    ClaimFactory(project=quiet, last_activity_at=timezone.now() - datetime.timedelta(days=45))
    lively = ProjectFactory(title="Lively")
    ClaimFactory(project=lively)
    with_output = ProjectFactory(title="With output")
    OutputFactory(project=with_output)
    ProjectFactory(title="Gone", retired=True)

    assert row_titles(client.get("/?stale=on")) == ["Quiet"]
    assert row_titles(client.get("/?has_outputs=on")) == ["With output"]
    assert row_titles(client.get("/?status=retired")) == ["Gone"]


def test_sorts_order_by_newest_activity_demand_and_neglect(client):
    agenda = AgendaFactory()
    old = ProjectFactory(agenda=agenda, number=1, title="Old")
    wanted = ProjectFactory(agenda=agenda, number=2, title="Wanted but taken")
    neglected = ProjectFactory(agenda=agenda, number=3, title="Wanted, nobody on it")
    Project.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(9))
    for name in ("a", "b", "c"):
        Interest.objects.create(project=wanted, researcher=UserFactory(username=f"w{name}"))
    for name in ("a", "b"):
        Interest.objects.create(project=neglected, researcher=UserFactory(username=f"n{name}"))
    ClaimFactory(project=wanted)
    old.add_comment(author=UserFactory(), body="Still relevant?")

    def order(sort: str) -> list[str]:
        return row_titles(client.get(f"/?sort={sort}"))

    assert order("number") == ["Old", "Wanted but taken", "Wanted, nobody on it"]
    assert order("newest")[-1] == "Old"
    assert order("activity")[0] == "Old"
    assert order("wanted") == ["Wanted but taken", "Wanted, nobody on it", "Old"]
    assert order("neglected") == ["Wanted, nobody on it", "Old", "Wanted but taken"]


def test_bad_filter_values_are_named_next_to_their_field_with_400(client):
    ProjectFactory(title="Still listed")

    response = client.get("/?status=bogus&sort=sideways&agenda=nowhere&page=abc")

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Select a valid choice") == 3
    assert 'aria-invalid="true"' in html
    assert "Still listed" in html  # the list ignores what it could not read


def test_an_empty_result_says_so_and_offers_a_way_back(client):
    ProjectFactory(kind=Project.Kind.PAPER)

    html = client.get("/?kind=sketch").content.decode()

    assert "0 projects match these filters" in html
    assert "No project matches these filters." in html
    assert "Show every project" in html


def test_pages_keep_the_filters_in_their_links(client, settings):
    settings.PROJECTS_PER_PAGE = 2
    agenda = AgendaFactory()
    ProjectFactory.create_batch(5, agenda=agenda, kind=Project.Kind.SKETCH)

    html = client.get(f"/?kind=sketch&agenda={agenda.slug}").content.decode()

    assert f'href="?kind=sketch&amp;agenda={agenda.slug}&amp;page=2"' in html
    assert "page 1 of 3" in html


def test_htmx_gets_the_results_alone_and_the_answer_varies_on_it(client):
    ProjectFactory(title="Found by htmx", kind=Project.Kind.SKETCH)

    response = client.get("/?kind=sketch", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Found by htmx" in html and "<html" not in html
    assert 'id="announcer"' in html and "1 project matches these filters" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client):
    ProjectFactory(title="Restored")

    response = client.get(
        "/?kind=paper", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert "<html" in response.content.decode()


def test_a_tag_page_lists_the_projects_with_that_tag(client):
    tag = TagFactory(name="Agent foundations")
    ProjectFactory(title="Tagged one", tags=[tag])
    ProjectFactory(title="Not tagged")

    response = client.get(f"/tags/{tag.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Agent foundations</h1>" in html
    assert "Tagged one" in html and "Not tagged" not in html
    assert client.get("/tags/no-such-tag/").status_code == 404


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.context["finder"].errors
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?q=question",
        "?sort=neglected",
        "?sort=activity&unclaimed=on",
        "?stale=on&has_outputs=on&kind=paper",
        "?q=question&tag=topic-0&sort=wanted",
    ],
)
def test_the_list_costs_the_same_queries_for_one_row_as_for_twenty(client, query):
    """Guards the N+1s of a row: its agenda, tags, claims (active and completed), accepted
    outputs and demand counts are joined, prefetched or annotated for the whole page."""
    tag = TagFactory(name="Topic 0")
    agenda = AgendaFactory()
    silent = timezone.now() - datetime.timedelta(days=400)

    def add_projects() -> None:
        """One project held by a silent claim, one that was completed: every filter
        matches one of them."""
        held = ProjectFactory(agenda=agenda, tags=[tag])
        ClaimFactory(project=held, last_activity_at=silent)
        done = ProjectFactory(agenda=agenda, tags=[tag])
        ClaimFactory(project=done, state="completed")
        for project in (held, done):
            OutputFactory(project=project, accepted=True)
            CommentFactory(project=project)
            Interest.objects.create(project=project, researcher=UserFactory())

    add_projects()
    one = count_queries(client, f"/{query}")
    for _ in range(19):
        add_projects()
    twenty = count_queries(client, f"/{query}")

    # The count, the page's rows, and one each for tags, active claims, completed claims,
    # accepted outputs; the agenda and tag choices of the filter form; and reading the tag
    # a filter names.
    assert one == twenty == (9 if "tag=" in query else 8)


def test_a_tag_page_keeps_its_tag_and_its_finder_stays_on_it(client):
    tag, other = TagFactory(name="Agency"), TagFactory(name="Other")
    ProjectFactory(title="Tagged paper", tags=[tag])
    ProjectFactory(title="Other paper", tags=[other])

    response = client.get(f"/tags/{tag.slug}/?tag={other.slug}")

    html = response.content.decode()
    assert row_titles(response) == ["Tagged paper"]
    assert f'action="/tags/{tag.slug}/"' in html
    assert 'name="tag"' not in html  # the path holds the tag


def test_the_stale_filter_lists_exactly_the_rows_that_say_stale(client, settings):
    settings.CLAIM_STALE_DAYS = 30
    silent = timezone.now() - datetime.timedelta(days=60)
    half = ProjectFactory(title="One quiet, one busy")
    ClaimFactory(project=half, last_activity_at=silent)
    ClaimFactory(project=half)
    quiet = ProjectFactory(title="All quiet")
    ClaimFactory(project=quiet, last_activity_at=silent)
    retired = ProjectFactory(title="Retired, claim left over", retired=True)
    ClaimFactory(project=retired, last_activity_at=silent)

    assert row_titles(client.get("/?stale=on")) == ["All quiet"]


def test_neglected_counts_a_quiet_claim_as_nobody_on_it(client, settings):
    settings.CLAIM_STALE_DAYS = 30
    agenda = AgendaFactory()
    quiet = ProjectFactory(agenda=agenda, number=1, title="Wanted, claim gone quiet")
    ClaimFactory(project=quiet, last_activity_at=timezone.now() - datetime.timedelta(days=300))
    for name in ("a", "b", "c"):
        Interest.objects.create(project=quiet, researcher=UserFactory(username=f"q{name}"))
    busy = ProjectFactory(agenda=agenda, number=2, title="Wanted, worked on")
    ClaimFactory(project=busy)
    Interest.objects.create(project=busy, researcher=UserFactory(username="b1"))
    ProjectFactory(agenda=agenda, number=3, title="Unwanted")

    assert row_titles(client.get("/?sort=neglected")) == [
        "Wanted, claim gone quiet",
        "Unwanted",
        "Wanted, worked on",
    ]


def test_an_accepted_output_that_fully_answers_an_open_project_makes_it_addressed(client):
    project = ProjectFactory(title="Answered in full")
    OutputFactory(project=project, accepted=True, addresses="fully")

    assert "Addressed" in rows(client.get("/").content.decode())[0]


def test_pages_answer_head_requests(client):
    ProjectFactory()

    assert client.head("/").status_code == 200
    assert client.head("/agendas/").status_code == 200
    assert client.head("/activity/").status_code == 200


def test_an_empty_search_names_the_filters_only_when_some_are_set(client):
    ProjectFactory(title="Something else entirely")

    alone = client.get("/?q=zyzzogeton").content.decode()
    filtered = client.get("/?q=zyzzogeton&kind=sketch").content.decode()

    assert "No project matches “zyzzogeton”." in alone
    assert "No project matches “zyzzogeton” with these filters." in filtered


def test_rows_and_cells_come_without_the_templates_indentation(client):
    agenda = AgendaFactory()
    project = ProjectFactory(agenda=agenda, title="Toy models")
    ClaimFactory(project=project)
    project.tags.add(TagFactory(name="interpretability"))
    for path in ("/", agenda.get_absolute_url()):
        html = client.get(path).content.decode()
        lists = re.findall(r'<ol class="(?:project-list|glance)".*?</ol>', html, re.S)
        assert lists and all("\n " not in ol and "\n\n" not in ol for ol in lists), path
        # A line break still parts words where the template had blanks.
        assert "Toy models" in rows(html)[0] and "Paper" in rows(html)[0]


def test_squeeze_keeps_one_blank_where_there_were_many():
    from django.template import Context, Template

    rendered = Template(
        "{% load board %}{% squeeze %}<p>\n  <b>a</b>\n\n   <i>b</i> c  d</p>{% endsqueeze %}"
    ).render(Context())

    assert rendered == "<p>\n<b>a</b>\n<i>b</i> c  d</p>"
