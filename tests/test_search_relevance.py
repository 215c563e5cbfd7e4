"""Relevance on the seed agenda: what a reader of the 26 ideas would expect a search to put
first. Run on both databases: full-text search on PostgreSQL, the word match on SQLite."""

import re

import pytest

from projects.importers import import_agenda
from projects.markdown import markdown_to_text
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)


def numbers(query: str) -> list[int]:
    """The item numbers ``query`` finds among live projects, best first."""
    results = Project.objects.live().search(query).order_by("-search_rank", "number")
    return list(results.values_list("number", flat=True))


def test_gradient_hacking_puts_item_2_first(seed):
    assert numbers("gradient hacking")[0] == 2


def test_situational_awareness_puts_items_19_and_20_on_top(seed):
    assert set(numbers("situational awareness")[:2]) == {19, 20}


def test_the_item_whose_title_names_it_ranks_above_the_one_that_only_mentions_it(seed):
    assert numbers("situational awareness") == [19, 20]


def test_cirl_finds_item_10(seed):
    assert numbers("CIRL") == [10]


def test_a_quoted_phrase_finds_only_projects_with_the_exact_phrase(seed):
    # Item 5 has both words ("implicit reward models ... value functions"), never in a row.
    assert sorted(numbers("reward functions")) == [5, 18]
    assert numbers('"reward functions"') == [18]


def test_a_minus_word_leaves_out_every_project_that_contains_it(seed):
    # "reward" is in items 5, 18 and 24; "functions" in 5 and 18.
    assert numbers("reward -functions") == [24]

    blog_posts = set(numbers("blog post"))
    without = set(numbers("blog post -alignment"))
    assert without and without < blog_posts
    for title, description in Project.objects.filter(number__in=without).values_list(
        "title", "description"
    ):
        assert not re.search(r"\balignment\b", f"{title} {markdown_to_text(description)}", re.I)


def test_or_finds_projects_with_either_word(seed):
    assert sorted(numbers("CIRL or AIXI")) == [10, 22]


def test_inflections_of_a_word_find_each_other(seed):
    # Item 16's title says "models"; item 25's text, "capabilities".
    assert 16 in numbers("model")
    assert 25 in numbers("capability")


def test_a_word_only_in_a_comment_finds_its_project_until_the_comment_is_hidden(
    seed, researcher, curator
):
    project = Project.objects.get(number=7)
    comment = project.add_comment(author=researcher, body="Related: the *zebrafish* debate.")

    assert numbers("zebrafish") == [7]

    comment.hide(by=curator)

    assert numbers("zebrafish") == []
