"""Pages of the project list picked by their keys first (projects.paging)."""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.filters import ProjectFilter, Sort
from projects.models import Project
from projects.paging import KeysFirstPaginator
from tests.factories import AgendaFactory, ClaimFactory, CommentFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects() -> list[Project]:
    """Two agendas' worth of projects, some with claims, comments and interest, so that
    every sort has something to tell apart (and ties to break)."""
    made = []
    for agenda in (AgendaFactory(), AgendaFactory()):
        made += [ProjectFactory(agenda=agenda) for _ in range(12)]
    for n, project in enumerate(made):
        for _ in range(n % 3):
            CommentFactory(project=project)
        if n % 4 == 0:
            ClaimFactory(project=project)
    return made


def listed(paginator_class, sort: str, number: int, orphans: int) -> list[int]:
    finder = ProjectFilter({"sort": sort}, queryset=Project.objects.live().for_list())
    page = paginator_class(finder.qs, 5, orphans=orphans).page(number)
    return [(project.pk, project.comment_count, project.active_count) for project in page]


@pytest.mark.parametrize("orphans", [0, 2])
def test_every_page_in_every_order_holds_the_rows_djangos_paginator_gives(projects, orphans):
    for sort in Sort.values:
        if sort == Sort.RELEVANCE:
            continue  # only with a search
        pages = Paginator(Project.objects.live().order_by("pk"), 5, orphans=orphans).num_pages
        for number in range(1, pages + 1):
            assert listed(KeysFirstPaginator, sort, number, orphans) == listed(
                Paginator, sort, number, orphans
            ), (sort, number)


def test_a_page_costs_as_many_queries_as_with_djangos_paginator(
    projects, django_assert_num_queries
):
    finder = ProjectFilter({}, queryset=Project.objects.live().for_list())
    with CaptureQueriesContext(connection) as django:
        list(Paginator(finder.qs, 5).page(3))
    with django_assert_num_queries(len(django.captured_queries)):
        list(KeysFirstPaginator(finder.qs, 5).page(3))


@pytest.mark.postgresql
def test_the_rows_annotations_are_computed_for_the_pages_rows_alone(projects):
    """Not for every row the page skips: each subquery of a row's counts runs once a row
    shown."""
    finder = ProjectFilter({}, queryset=Project.objects.live().for_list())
    page = KeysFirstPaginator(finder.qs, 5).page(4)
    plan = page.object_list.explain(analyze=True)
    loops = [int(n) for n in re.findall(r"SubPlan \d+\n.*?loops=(\d+)", plan)]
    assert loops and max(loops) <= 5, plan
