"""Full-text search at scale and under concurrency, on PostgreSQL: ten thousand projects
paged in two queries through the GIN index, and two comments at once both indexed."""

import random
import re
import threading

import pytest
from django.core.paginator import Paginator
from django.db import connection, transaction

from projects.models import Project
from projects.search import fill_search_vectors
from tests.conftest import DEMO_AGENDA
from tests.factories import AgendaFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.postgresql

RARE = "zyzzogeton"


@pytest.fixture
def ten_thousand_projects(db) -> int:
    """10,000 open projects written from the seed agenda's words, one of them titled with a
    word no other has; vectors filled and the table analyzed, as in production."""
    vocabulary = re.findall(r"[a-z]{3,}", DEMO_AGENDA.read_text().lower())
    rng = random.Random(2022)
    agenda = AgendaFactory()
    projects = [
        Project(
            agenda=agenda,
            number=n,
            slug=f"project-{n}",
            title=" ".join(rng.choices(vocabulary, k=6)),
            description=" ".join(rng.choices(vocabulary, k=60)),
            description_html="",
        )
        for n in range(1, 10_001)
    ]
    projects[4321].title = f"The {RARE} question"
    Project.objects.bulk_create(projects, batch_size=2_000)
    fill_search_vectors()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project")
    return len(projects)


def test_a_page_of_results_costs_one_query_for_its_rows_and_one_for_the_count(
    ten_thousand_projects, django_assert_num_queries
):
    """Guards a count that loads every row, and a rank computed per row in Python."""
    results = Project.objects.live().search("alignment models").order_by("-search_rank", "pk")

    with django_assert_num_queries(2):
        page = Paginator(results, 20).page(2)
        rows = list(page)
        count = page.paginator.count

    assert 20 < count < ten_thousand_projects
    ranks = [row.search_rank for row in rows]
    assert len(rows) == 20 and ranks == sorted(ranks, reverse=True)


def test_a_selective_search_reads_the_gin_index(ten_thousand_projects):
    results = Project.objects.live().search(RARE)

    assert [p.number for p in results] == [4322]
    assert "project_search_idx" in results.explain()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_comments_committed_at_once_are_both_found():
    """The second comment's refresh waits for the first to commit and then reads it: an
    UPDATE that waited for the row instead would compute from a snapshot without it."""
    project = ProjectFactory(title="Discussed")
    first_in, errors = threading.Event(), []

    def comment(body: str, *, first: bool) -> None:
        try:
            with transaction.atomic():
                if not first:
                    first_in.wait(timeout=10)
                project.add_comment(author=UserFactory(), body=body)
                if first:
                    first_in.set()
                    # Hold the transaction open while the second comment is indexed.
                    threading.Event().wait(0.5)
        except Exception as error:  # reported below, on the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=comment, args=("zebrafish",), kwargs={"first": True}),
        threading.Thread(target=comment, args=("larval",), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert list(Project.objects.search("zebrafish")) == [project]
    assert list(Project.objects.search("larval")) == [project]
