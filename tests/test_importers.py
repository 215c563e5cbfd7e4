"""The agenda importer: the seed's format, idempotent re-imports, curator edits, bad files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects import services
from projects.importers import (
    AgendaFormatError,
    derive_title,
    export_agenda,
    import_agenda,
    parse_agenda,
    title_text,
)
from projects.models import Agenda, Project, Tag
from tests.factories import AgendaFactory, ProjectFactory, TagFactory

pytestmark = pytest.mark.django_db

SEED_KINDS = {
    1: "paper", 2: "paper", 3: "list", 4: "scenario", 5: "paper", 6: "blog_post",
    7: "blog_post", 8: "blog_post", 9: "blog_post", 10: "blog_post", 11: "blog_post",
    12: "exercises", 13: "paper", 14: "comparison", 15: "blog_post", 16: "blog_post",
    17: "blog_post", 18: "paper", 19: "blog_post", 20: "blog_post", 21: "blog_post",
    22: "sketch", 23: "blog_post", 24: "blog_post", 25: "blog_post", 26: "investigation",
}  # fmt: skip


def test_the_seed_imports_26_projects_numbered_in_source_order(demo_agenda_bytes):
    report = import_agenda(demo_agenda_bytes)

    agenda = Agenda.objects.get()
    assert agenda.title == "Some conceptual alignment research projects"
    assert agenda.slug == "some-conceptual-alignment-research-projects"
    assert agenda.source_url.startswith("https://www.lesswrong.com/posts/27AWRKbKyXuzQoaSk/")
    assert sorted(agenda.tags.values_list("name", flat=True)) == [
        "AI",
        "LessWrong",
        "Post",
        "Research Agendas",
    ]
    numbers = list(agenda.projects.in_agenda_order().values_list("number", flat=True))
    assert numbers == list(range(1, 27))
    assert report.created == list(range(1, 27))
    assert report.agenda_created


def test_each_seed_project_gets_the_kind_its_opening_words_name(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)

    assert dict(Project.objects.values_list("number", "kind")) == SEED_KINDS


def test_links_are_kept_in_the_description_and_plain_text_in_the_title(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    first = Project.objects.get(number=1)

    assert first.description.startswith(
        # The seed has a no-break space before the link; the importer keeps the text as is.
        "A paper which does for\xa0[deceptive alignment](https://bounded-regret.ghost.io/"
    )
    assert (
        '<a href="https://bounded-regret.ghost.io/ml-systems-will-have-weird-failure-modes-2/"'
        in first.description_html
    )
    assert first.title.startswith("A paper which does for deceptive alignment what the goal")
    assert "[" not in first.title and "http" not in first.title


def test_titles_are_the_opening_clause_cut_at_a_word_within_100_characters(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)

    for project in Project.objects.all():
        assert 0 < len(project.title) <= 100
        plain = title_text(project.description)
        if project.title.endswith("…"):
            kept = project.title.removesuffix("…")
            assert plain.startswith(kept)
            assert plain[len(kept)] == " ", f"item {project.number} was cut inside a word"
        else:
            assert plain.startswith(project.title)
    titles = dict(Project.objects.values_list("number", "title"))
    assert titles[2] == "A paper which does the same for gradient hacking"
    assert titles[7] == "A blog post explaining “debate on weights” more thoroughly"
    assert titles[22] == "A sketch of what a model-free version of AIXI would look like"
    assert titles[4] == (
        "A takeover scenario which covers all the key points in "
        "“AI Could Defeat All of Us Combined”"
    )


# Words a title cut short must not end on: each leaves the reader waiting for more.
DANGLING = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "that", "the",
    "to", "which", "with",
}  # fmt: skip


def test_the_seeds_long_titles_are_cut_where_they_still_read(demo_agenda_bytes):
    titles = {item.number: item.title for item in parse_agenda(demo_agenda_bytes).items}

    cut = {number: title for number, title in titles.items() if title.endswith("…")}
    for number, title in cut.items():
        last = title.removesuffix("…").rsplit(" ", 1)[-1]
        assert last[-1].isalnum(), f"item {number} ends on punctuation: {title}"
        assert last.lower() not in DANGLING, f"item {number} ends on {last!r}: {title}"
    assert titles[1] == (
        "A paper which does for deceptive alignment what the goal misgeneralization paper does…"
    )
    assert titles[6] == "A blog post which describes in as much detail as possible…"
    assert titles[10] == (
        "A blog post explaining why the “uncertainty” part of CIRL only does useful work…"
    )


@pytest.mark.parametrize(
    "link, words",
    [
        (
            "https://www.cold-takes.com/ai-could-defeat-all-of-us-combined/",
            "“AI Could Defeat All of Us Combined”",
        ),
        ("https://example.org/posts/Shard-Theory_in-RL", "“Shard Theory in RL”"),
        ("https://example.org/notes/the-llm-and-gpt-4.html", "“The LLM and GPT 4”"),
        ("https://example.org/a/what%20rl%20is", "“What RL Is”"),
        ("https://example.org/", "example.org"),
    ],
    ids=["lower-case slug", "the source's own case", "acronyms", "escaped spaces", "no path"],
)
def test_a_bare_url_as_link_text_reads_as_the_title_of_the_page_it_names(link, words):
    assert title_text(f"A reply to [{link}]({link}).") == f"A reply to {words}."


def test_item_4s_private_obsidian_note_reaches_no_public_field(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    project = Project.objects.get(number=4)

    public = [
        project.title,
        project.description,
        project.description_html,
        project.imported_title,
        project.imported_description,
    ]
    for text in public:
        assert "%%" not in text
        assert "Humanity" not in text
        assert "[[" not in text
    assert project.description.endswith("rigorously in that little space).")


def test_items_may_run_over_several_lines_and_an_intro_may_precede_them(multi_line_agenda):
    import_agenda(multi_line_agenda)

    agenda = Agenda.objects.get(slug="a-small-agenda")
    assert agenda.intro == "Some questions we would like answered."
    projects = {p.number: p for p in agenda.projects.all()}
    assert projects[1].description == (
        "A paper which runs over\nseveral lines, with [a link](https://example.org/a)\n"
        "on the second."
    )
    assert projects[1].title == "A paper which runs over several lines"
    assert projects[2].description == (
        "A sketch whose text continues\nlazily on an unindented line.\n\n"
        "And a second paragraph, indented."
    )
    assert [projects[n].kind for n in (1, 2, 3)] == ["paper", "sketch", "investigation"]


def test_a_second_import_changes_nothing(demo_agenda_bytes, snapshot):
    import_agenda(demo_agenda_bytes)
    before = snapshot()

    report = import_agenda(demo_agenda_bytes)

    assert snapshot() == before
    assert report.unchanged == list(range(1, 27))
    assert report.created == report.updated == []
    assert Project.objects.count() == 26 and Agenda.objects.count() == 1


def test_a_reimport_updates_changed_items_but_keeps_what_a_curator_edited(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    curated = Project.objects.get(number=3)
    curated.title = "Papers for new research engineers to replicate"
    curated.description = "A curated list of papers worth replicating."
    curated.save()
    source = demo_agenda_bytes.decode()
    changed = source.replace(
        "A list of papers that are particularly", "A list of papers, especially"
    )
    changed = changed.replace("14. A mathematical comparison", "14. A careful comparison")

    report = import_agenda(changed)

    curated.refresh_from_db()
    assert curated.title == "Papers for new research engineers to replicate"
    assert curated.description == "A curated list of papers worth replicating."
    assert curated.imported_description.startswith("A list of papers, especially")
    updated = Project.objects.get(number=14)
    assert updated.title == "A careful comparison between off-policy RL and imitation learning"
    assert updated.description.startswith("A careful comparison")
    assert report.updated == [3, 14]
    assert report.kept_curated == [3]


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(demo_agenda_bytes):
    report = import_agenda(demo_agenda_bytes, dry_run=True)

    assert report.created == list(range(1, 27))
    assert not Agenda.objects.exists() and not Project.objects.exists()


BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "only whitespace": (b"  \n\n", "The file is empty."),
    "not UTF-8": ("---\ntitle: Caf\xe9\n---\n1. A paper.\n".encode("latin-1"), "not UTF-8"),
    "no front matter": (b"1. A paper.\n2. A blog post.\n", "no front matter"),
    "unclosed front matter": (b"---\ntitle: X\n1. A paper.\n", "no front matter"),
    "invalid YAML": (b"---\ntitle: [unclosed\n---\n1. A paper.\n", "not valid YAML"),
    "front matter not a mapping": (b"---\n- a\n- b\n---\n1. A paper.\n", "keys and values"),
    "no title": (b"---\nhref: https://example.org\n---\n1. A paper.\n", "no title"),
    "bad href": (b"---\ntitle: X\nhref: javascript:alert(1)\n---\n1. A paper.\n", "not an http"),
    "no numbered items": (b"---\ntitle: X\n---\n- A paper.\n- A post.\n", "No numbered items"),
    "numbers twice": (b"---\ntitle: X\n---\n1. A paper.\n\ntext\n\n1. Again.\n", "appears twice"),
}


@pytest.mark.parametrize("data, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_rejected_with_a_clear_error_and_nothing_written(
    demo_agenda_bytes, data, message, snapshot
):
    import_agenda(demo_agenda_bytes)
    before = snapshot()

    with pytest.raises(AgendaFormatError, match=message):
        import_agenda(data)

    assert snapshot() == before


def test_parsing_alone_never_touches_the_database(django_assert_num_queries, demo_agenda_bytes):
    with django_assert_num_queries(0):
        parsed = parse_agenda(demo_agenda_bytes)
    assert len(parsed.items) == 26


@pytest.mark.parametrize(
    "text, title",
    [
        ("A paper on X, in ML terms.", "A paper on X"),
        ("A [linked](https://example.org) post: with a colon", "A linked post"),
        ("See https://example.org/x for more.", "See https://example.org/x for more"),
    ],
)
def test_a_title_is_the_opening_clause_as_plain_text(text, title):
    assert derive_title(text) == title


@pytest.mark.parametrize(
    "text, title",
    [
        ("word " * 40, ("word " * 20).strip() + "…"),
        ("x" * 150, "x" * 99 + "…"),
        (
            "A blog post exploring the incentives which models might have when they’re "
            "simultaneously trained to make predictions and to take actions in an RL setting.",
            "A blog post exploring the incentives which models might have…",
        ),
        (
            "A review of interpretability progress in language models since “A Long Quoted "
            "Title That Runs On for More Words Than a Title Can Hold” appeared.",
            "A review of interpretability progress in language models…",
        ),
    ],
    ids=["many words", "one long word", "before a clause", "not inside quotes"],
)
def test_a_long_title_is_cut_within_100_characters_with_an_ellipsis(text, title):
    assert derive_title(text) == title
    assert len(title) <= 100


def test_an_export_imported_back_does_not_make_curated_text_look_like_the_source(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    curated = Project.objects.get(number=3)
    curated.edit_description(text="A curated list of papers worth replicating.", by=None)
    import_agenda(export_agenda(curated.agenda))

    report = import_agenda(demo_agenda_bytes)  # the source again

    curated.refresh_from_db()
    assert curated.description == "A curated list of papers worth replicating."
    assert report.kept_curated == [3]


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "import"])
def test_the_seeds_own_export_imports_back_with_every_item_unchanged_and_no_row_changed(
    demo_agenda_bytes, dry_run, snapshot
):
    import_agenda(demo_agenda_bytes)
    exported = export_agenda(Agenda.objects.get())
    before = snapshot()

    report = import_agenda(exported, dry_run=dry_run)

    assert report.unchanged == list(range(1, 27))
    assert report.created == report.updated == report.kept_curated == []
    assert snapshot() == before


def test_the_admin_preview_of_the_seeds_own_export_has_nothing_to_update(
    client, curating, demo_agenda_bytes
):
    import_agenda(demo_agenda_bytes)
    agenda = Agenda.objects.get()
    exported = client.get(reverse("admin:projects_agenda_export", args=[agenda.pk])).content

    preview = client.post(
        reverse("admin:projects_agenda_import"),
        {"file": SimpleUploadedFile("export.md", exported)},
    )

    assert "0 to create, 0 to update, 26 unchanged." in preview.content.decode()


CURATED_DESCRIPTIONS = {
    "percent signs": "A paper: 50%% now, 20%%% later, and %\\% as written.",
    "wiki-link brackets": "A sketch of [[a wiki page]], and of [\\[one escaped]].",
    "a browser's line endings": "A list.\r\n\r\nWith a second paragraph.\r\n",
    "spaces on a blank line": "A paper.\n   \nAfter a line of spaces.",
    "a Unicode line separator": "A paper\u2028with a line separator.",
    "indented code": "A paper with code:\n\n    x = 1\n\n\tAnd a tab.",
    "numbered lines": "A list:\n\n1. first\n2) second\n\n10. tenth",
}


@pytest.mark.parametrize(
    "description", CURATED_DESCRIPTIONS.values(), ids=CURATED_DESCRIPTIONS.keys()
)
def test_a_curated_description_comes_back_from_an_export_unchanged(description, snapshot):
    project = ProjectFactory(number=1, description=description)
    ProjectFactory(agenda=project.agenda, number=2)
    exported = export_agenda(project.agenda)
    before = snapshot()

    report = import_agenda(exported)

    assert report.unchanged == [1, 2]
    assert snapshot() == before
    assert export_agenda(project.agenda) == exported


def test_an_agendas_title_intro_and_tags_come_back_from_an_export_unchanged(snapshot):
    agenda = AgendaFactory(
        title="Odd: 100%% sure",
        intro="Read these first:\r\n\r\n1. The post.\n2) The comments.\n3\\. Escaped.\n\n%% 5%% %%",
    )
    agenda.tags.add(TagFactory(name="snake_case", slug="snake_case"))
    ProjectFactory(agenda=agenda, number=1)
    exported = export_agenda(agenda)
    before = snapshot()

    import_agenda(exported)

    assert snapshot() == before
    assert export_agenda(agenda) == exported


@pytest.mark.parametrize(
    "separator", ["\u2028", "\x0c", "\x85"], ids=["line separator", "form feed", "next line"]
)
def test_a_unicode_line_break_inside_an_item_neither_ends_it_nor_shifts_the_next(separator):
    parsed = parse_agenda(f"---\ntitle: X\n---\n1. A paper{separator}on one line.\n2. A sketch.\n")

    assert [(item.number, item.description) for item in parsed.items] == [
        (1, f"A paper{separator}on one line."),
        (2, "A sketch."),
    ]


def test_a_board_proposal_makes_way_for_the_sources_next_item(researcher, demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    agenda = Agenda.objects.get()
    proposal = services.project_propose(
        by=researcher, agenda=agenda, title="Mine", description="d", kind="paper"
    )
    assert proposal.project.number == 27
    source = demo_agenda_bytes.decode() + "27. A sketch of a new idea from the source.\n"

    report = import_agenda(source)

    assert report.created == [27] and report.renumbered == [(27, 28)]
    assert Project.objects.get(pk=proposal.project.pk).number == 28
    assert Project.objects.get(agenda=agenda, number=27).title.startswith("A sketch of a new idea")


@pytest.mark.parametrize(
    "front_matter, message",
    [
        ("title: " + "t" * 201, "title in the front matter is longer than 200"),
        ("title: T\nhref: https://example.org/" + "x" * 500, "href in the front matter is longer"),
        ("title: T\ntags: [" + "t" * 51 + "]", "tag in the front matter is longer than 50"),
    ],
)
def test_overlong_front_matter_is_refused(front_matter, message):
    with pytest.raises(AgendaFormatError, match=message):
        import_agenda(f"---\n{front_matter}\n---\n1. A paper.\n")
    assert not Agenda.objects.exists()


def test_a_source_update_keeps_the_earlier_description_as_a_version(demo_agenda_bytes):
    import_agenda(demo_agenda_bytes)
    changed = demo_agenda_bytes.decode().replace(
        "14. A mathematical comparison", "14. A careful comparison"
    )

    import_agenda(changed)

    project = Project.objects.get(number=14)
    texts = [v.text for v in project.versions.order_by("created_at", "pk")]
    assert texts[0].startswith("A mathematical comparison") and texts[1].startswith(
        "A careful comparison"
    )


def test_tags_are_found_by_name_or_slug_and_may_be_non_ascii(demo_agenda_bytes):
    Tag.objects.create(name="LessWrong", slug="lw")
    import_agenda(demo_agenda_bytes)
    import_agenda("---\ntitle: Unicode\ntags: [安全, 解釈]\n---\n1. A paper.\n")

    assert Tag.objects.filter(name="LessWrong").count() == 1
    assert sorted(Agenda.objects.get(slug="unicode").tags.values_list("name", flat=True)) == [
        "安全",
        "解釈",
    ]


def test_a_file_with_a_nul_character_is_refused():
    with pytest.raises(AgendaFormatError, match="NUL"):
        import_agenda("---\ntitle: X\n---\n1. A pa\x00per.\n")
