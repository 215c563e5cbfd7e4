"""Search: reading a query, matching and ranking projects (on whichever database runs the
suite), and highlighting results."""

import pytest
from django.db import connection
from django.template import Context, Template

from projects.models import Project
from projects.search import (
    MAX_TERMS,
    GinIndexOnPostgreSQL,
    excerpt,
    highlight,
    parse_query,
)
from tests.factories import CommentFactory, OutputFactory, ProjectFactory

# Reading a query


def test_words_phrases_exclusions_and_or_are_read_into_alternatives():
    terms = parse_query('gradient "deceptive alignment" -RL or CIRL')

    first, second = terms.clauses
    assert [t.text for t in first.required] == ["gradient", "deceptive alignment"]
    assert [t.text for t in first.excluded] == ["RL"]
    assert [t.text for t in second.required] == ["CIRL"]
    assert terms.websearch == '"gradient" "deceptive alignment" -"RL" or "CIRL"'


@pytest.mark.parametrize("query", ["", "   ", "the of and", '""', "-", "or", "!!! ???", None])
def test_a_query_with_nothing_to_look_for_is_no_search(query):
    assert not parse_query(query)


def test_a_hyphenated_word_is_one_term_of_several_words():
    (term,) = parse_query("gradient-hacking").clauses[0].required

    assert term.words == ("gradient", "hacking")


def test_an_unclosed_quote_runs_to_the_end_and_stray_characters_never_reach_the_database():
    terms = parse_query('"gradient hacking\x00 <script>')

    assert terms.websearch == '"gradient hacking <script>"'


def test_a_very_long_query_is_cut_to_a_bounded_number_of_terms():
    terms = parse_query(" ".join(f"word{n}" for n in range(500)))

    assert len(terms.clauses[0].required) == MAX_TERMS


def test_the_words_to_mark_are_stems_without_common_or_excluded_words():
    assert parse_query("the hacking of gradients -models").stems == {"hack", "gradient"}
    assert parse_query("hack -hacking").stems == set()


# Highlighting


def test_highlight_marks_each_query_word_in_any_inflection_and_case():
    html = highlight("Gradient hacking: a hacker hacks gradients.", "hack GRADIENT")

    assert html == (
        "<mark>Gradient</mark> <mark>hacking</mark>: a hacker <mark>hacks</mark> "
        "<mark>gradients</mark>."
    )


def test_highlight_never_marks_excluded_or_common_words():
    html = highlight("The model of the world", "the model -world")

    assert html == "The <mark>model</mark> of the world"


def test_highlight_escapes_script_in_the_text_and_in_the_query():
    html = highlight('<script>alert("x")</script> a script', '<script>alert("x")</script>')

    assert "<script>" not in html
    assert html == (
        "&lt;<mark>script</mark>&gt;<mark>alert</mark>(&quot;<mark>x</mark>&quot;)"
        "&lt;/<mark>script</mark>&gt; a <mark>script</mark>"
    )


def test_highlight_without_a_query_is_the_text_escaped():
    assert highlight("<b>bold</b> & more", "") == "&lt;b&gt;bold&lt;/b&gt; &amp; more"


# Excerpts


LONG = (
    "A paper which does for [deceptive alignment](https://example.org/x) what the goal "
    "misgeneralization paper does for inner alignment, i.e. describing it in ML language "
    "and setting up toy examples, for example telling a model to take actions which "
    "minimize changes in its weights, given that it is being trained using actor-critic "
    "RL with a certain advantage function, and seeing if it knows how to do so; then the "
    "same again for gradient hacking, which is harder still."
)


def test_an_excerpt_is_plain_text_around_the_first_match_cut_at_words():
    assert excerpt(LONG, "gradient hacking", length=100) == (
        "…and seeing if it knows how to do so; then the same again for gradient hacking, "
        "which is harder…"
    )


def test_an_excerpt_near_the_end_ends_with_the_text():
    assert excerpt(LONG, "hacking", length=60) == (
        "…the same again for gradient hacking, which is harder still."
    )


def test_an_excerpt_without_a_match_is_the_beginning():
    text = excerpt(LONG, "zebrafish", length=80)

    assert text.startswith("A paper which does for deceptive alignment what")
    assert text.endswith("…") and len(text) <= 81
    assert not text[:-1].endswith(" ")


def test_a_short_text_is_its_own_excerpt():
    assert excerpt("Just **this**.", "this") == "Just this."


def test_the_template_filters_excerpt_then_highlight_and_never_run_script():
    project = ProjectFactory.build(
        title="Gradient <script>alert(1)</script> hacking",
        description="Some *markdown* about gradient hacking <img src=x onerror=alert(1)>.",
    )
    template = Template(
        "{% load board %}<h2>{{ project.title|highlight:query }}</h2>"
        "<p>{{ project.description|excerpt:query|highlight:query }}</p>"
        "<p>{{ project.description|excerpt:query }}</p>"
    )

    html = template.render(Context({"project": project, "query": "hacking <script>"}))

    assert "<script>" not in html and "<img" not in html
    assert "<h2>Gradient &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; " in html
    assert "about gradient <mark>hacking</mark> &lt;img src=x onerror=alert(1)&gt;." in html
    assert "<p>Some markdown about gradient hacking &lt;img" in html


# Matching and ranking (SQLite's word match, or PostgreSQL's full-text search)


def ranked(query: str) -> list[str]:
    return [p.title for p in Project.objects.live().search(query).order_by("-search_rank", "pk")]


@pytest.mark.django_db
def test_a_blank_query_keeps_every_project_ranked_zero():
    ProjectFactory.create_batch(3)

    projects = Project.objects.search("  ")

    assert projects.count() == 3
    assert {p.search_rank for p in projects} == {0.0}


@pytest.mark.django_db
def test_every_word_must_match_in_any_inflection():
    ProjectFactory(title="Gradient hacking in ML terms", description="Examples.")
    ProjectFactory(title="Gradient descent", description="Nothing about the other word.")

    assert ranked("hack gradients") == ["Gradient hacking in ML terms"]


@pytest.mark.django_db
def test_a_title_match_outranks_a_description_that_repeats_the_words():
    ProjectFactory(title="Something else", description="Gradient hacking. " * 40)
    ProjectFactory(title="Gradient hacking", description="Short.")
    discussed = ProjectFactory(title="A third thing", description="Short.")
    for _ in range(30):
        CommentFactory(project=discussed, body="We keep discussing gradient hacking here.")

    assert ranked("gradient hacking") == ["Gradient hacking", "Something else", "A third thing"]


@pytest.mark.django_db
def test_a_title_match_outranks_a_description_match_even_with_a_long_discussion():
    titled = ProjectFactory(title="Situational awareness", description="Short.")
    for _ in range(30):
        CommentFactory(project=titled, body="Long talk about sharp transitions and more. " * 5)
    ProjectFactory(title="Models", description="Whether situational awareness comes gradually.")

    assert ranked("situational awareness") == ["Situational awareness", "Models"]


@pytest.mark.django_db
def test_comments_and_outputs_are_found_but_only_shown_ones():
    commented = ProjectFactory(title="Commented")
    CommentFactory(project=commented, body="Compare with the zebrafish study.")
    hidden = ProjectFactory(title="Hidden")
    CommentFactory(project=hidden, body="zebrafish", hidden_at="2024-01-01T00:00Z")
    linked = ProjectFactory(title="Linked")
    OutputFactory(project=linked, title="A zebrafish replication")
    rejected = ProjectFactory(title="Rejected")
    OutputFactory(project=rejected, title="zebrafish", review="rejected")

    assert sorted(ranked("zebrafish")) == ["Commented", "Linked"]


@pytest.mark.django_db
def test_a_phrase_matches_only_its_words_in_a_row():
    ProjectFactory(title="Reward functions that depend on weights")
    ProjectFactory(title="Implicit reward models and value functions")

    assert ranked('"reward functions"') == ["Reward functions that depend on weights"]
    assert len(ranked("reward functions")) == 2


@pytest.mark.django_db
def test_a_minus_word_leaves_out_projects_that_have_it_anywhere():
    ProjectFactory(title="Reward hacking", description="About reward.")
    other = ProjectFactory(title="Reward design", description="About reward.")
    CommentFactory(project=other, body="This is really about hacking.")
    ProjectFactory(title="Reward shaping", description="About reward.")

    assert ranked("reward -hacking") == ["Reward shaping"]


@pytest.mark.django_db
def test_or_finds_either_alternative():
    ProjectFactory(title="CIRL and uncertainty")
    ProjectFactory(title="Shard theory")
    ProjectFactory(title="Debate on weights")

    assert sorted(ranked("cirl or shard theory")) == ["CIRL and uncertainty", "Shard theory"]


@pytest.mark.django_db
def test_a_word_matches_whole_words_from_their_start_not_inside_others():
    ProjectFactory(title="Maintaining training pipelines")
    ProjectFactory(title="AI takeover scenarios")

    assert ranked("AI") == ["AI takeover scenarios"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["\x00", "a\x00b", "'; drop table x; --", "&|!():*<->", "🙂"])
def test_odd_queries_search_without_error(query):
    ProjectFactory(title="A project")

    assert len(ranked(query)) <= 1


@pytest.mark.django_db
def test_a_list_of_projects_leaves_their_search_vectors_in_the_database():
    ProjectFactory(title="Zebrafish")

    (project,) = Project.objects.live().for_list().search("zebrafish")

    assert "search_vector" in project.get_deferred_fields()


def test_the_gin_index_is_made_only_on_postgresql(db):
    index = GinIndexOnPostgreSQL(fields=["search_vector"], name="project_search_idx")
    sql = str(index.create_sql(Project, connection.schema_editor()))

    if connection.vendor == "postgresql":
        assert "USING gin" in sql
    else:
        assert sql.startswith("--")
        assert str(index.remove_sql(Project, connection.schema_editor())).startswith("--")
