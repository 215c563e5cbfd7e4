"""Curation through the admin: every action, who reaches it, round trips, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.importers import export_agenda, import_agenda
from projects.models import Agenda, Comment, Event, Output, Project, Proposal
from tests.factories import (
    AgendaFactory,
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def action(client, model: str, name: str, objects, **extra):
    return client.post(
        reverse(f"admin:projects_{model}_changelist"),
        {"action": name, "_selected_action": [o.pk for o in objects], **extra},
        follow=True,
    )


ADMIN_PAGES = [
    "admin:index",
    "admin:projects_project_changelist",
    "admin:projects_agenda_changelist",
    "admin:projects_output_changelist",
    "admin:projects_comment_changelist",
    "admin:projects_proposal_changelist",
    "admin:projects_claim_changelist",
    "admin:projects_agenda_import",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_a_curator_reaches_every_curation_page(client, curating, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["admin:accounts_user_changelist", "admin:auth_group_changelist"])
def test_a_curator_cannot_manage_users_or_groups(client, curating, name):
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_a_researcher_reaches_none_of_it(client, researcher, name):
    """Signed in, but not staff: refused, not sent to a sign-in page that would send them
    back here (the admin signs in through the site's sign-in)."""
    client.force_login(researcher)
    response = client.get(reverse(name))
    assert response.status_code == 403


def test_a_researcher_cannot_post_curation_actions(client, researcher):
    project = ProjectFactory()
    client.force_login(researcher)
    action(client, "project", "retire_selected", [project], reason="Nope")
    client.post(
        reverse("admin:projects_project_status", args=[project.pk]),
        {"to": "retired", "reason": "x"},
    )
    project.refresh_from_db()
    assert project.status == "open"


def test_the_index_shows_review_queues_with_counts(client, curating):
    OutputFactory.create_batch(2)
    CommentFactory().flag(by=UserFactory(), reason="spam")

    html = client.get(reverse("admin:index")).content.decode()

    assert "Review queues" in html
    assert "Outputs awaiting review</a></th>\n            <td>2</td>" in html
    assert "Flagged comments</a></th>\n            <td>1</td>" in html


def test_accept_and_reject_outputs_in_the_admin(client, curating):
    first, second = OutputFactory(), OutputFactory()

    action(client, "output", "accept_selected", [first])
    action(client, "output", "reject_selected", [second])

    assert Output.objects.get(pk=first.pk).review == "accepted"
    assert Output.objects.get(pk=second.pk).review == "rejected"


def test_hide_unhide_and_dismiss_flagged_comments(client, curating):
    flagged = CommentFactory()
    flagged.flag(by=UserFactory())
    other = CommentFactory()
    other.flag(by=UserFactory())

    queue = client.get(reverse("admin:projects_comment_changelist"), {"flagged": "open"})
    assert {c.pk for c in queue.context["cl"].result_list} == {flagged.pk, other.pk}
    action(client, "comment", "hide_selected", [flagged])
    action(client, "comment", "dismiss_flags", [other])

    assert Comment.objects.get(pk=flagged.pk).is_hidden
    assert not Comment.objects.get(pk=other.pk).is_hidden
    assert not Comment.objects.flagged().exists()
    assert other.project.events.filter(kind=Event.Kind.FLAGS_DISMISSED, actor=curating).exists()
    action(client, "comment", "unhide_selected", [flagged])
    assert not Comment.objects.get(pk=flagged.pk).is_hidden


def test_approve_and_reject_proposals_in_the_admin(client, curating, researcher):
    new = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="New", description="x", kind="paper"
    )
    edit = services.project_propose_edit(
        project=ProjectFactory(description="Old words"),
        by=researcher,
        title="T",
        description="New words",
        kind="paper",
    )

    page = client.get(reverse("admin:projects_proposal_change", args=[edit.pk])).content.decode()
    refused = action(client, "proposal", "reject_selected", [new])  # no reason given
    action(client, "proposal", "approve_selected", [new])
    action(client, "proposal", "reject_selected", [edit], reason="Keep the original wording")

    assert "<del>Old</del> <ins>New</ins> words" in page
    assert "Say why" in refused.content.decode()
    assert Proposal.objects.get(pk=new.pk).project.status == "open"
    assert Proposal.objects.get(pk=edit.pk).decision_reason == "Keep the original wording"


def test_stale_and_dormant_claims_queues(client, curating, settings):
    import datetime

    from django.utils import timezone

    stale = ClaimFactory(last_activity_at=timezone.now() - datetime.timedelta(days=45))
    ClaimFactory()
    dormant = ClaimFactory(state="dormant")
    url = reverse("admin:projects_claim_changelist")

    assert [c.pk for c in client.get(url, {"attention": "stale"}).context["cl"].result_list] == [
        stale.pk
    ]
    assert [c.pk for c in client.get(url, {"attention": "dormant"}).context["cl"].result_list] == [
        dormant.pk
    ]


def test_change_status_through_the_admin_page(client, curating):
    project = ProjectFactory()
    output = OutputFactory(project=project, accepted=True)
    url = reverse("admin:projects_project_status", args=[project.pk])

    refused = client.post(url, {"to": "addressed", "reason": "Done"})
    done = client.post(url, {"to": "addressed", "reason": "Done", "outputs": [output.pk]})

    assert refused.status_code == 400
    assert "Name the accepted outputs" in refused.content.decode()
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.status == "addressed"
    assert list(project.status_changes.get().outputs.all()) == [output]


def test_merge_through_the_admin_keeps_everything_and_redirects(client, curating):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    claim = ClaimFactory(project=duplicate)
    comment = CommentFactory(project=duplicate)
    output = OutputFactory(project=duplicate)
    watcher = UserFactory()
    duplicate.set_interest(researcher=watcher, interested=True)
    duplicate.set_watch(user=watcher, watching=True)

    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "Same", "confirm": "Merge"},
    )

    assert response.status_code == 302
    for obj in (claim, comment, output):
        obj.refresh_from_db()
        assert obj.project == kept
    assert kept.interests.get().researcher == watcher and kept.watches.get().user == watcher
    client.logout()
    old = client.get(duplicate.get_absolute_url())
    assert (old.status_code, old["Location"]) == (301, kept.get_absolute_url())


def test_admin_edits_keep_versions_and_a_version_can_be_restored(client, curating):
    project = ProjectFactory(description="First.")
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"agenda": project.agenda.pk, "tags": []})
    for text in ("Second.", "Third.", "Fourth."):
        response = client.post(url, {**data, "description": text})
        assert response.status_code == 302
    first = project.versions.get(text="First.")

    client.post(reverse("admin:projects_project_restore", args=[project.pk, first.pk]))

    assert [v.text for v in project.versions.order_by("created_at", "pk")] == [
        "First.",
        "Second.",
        "Third.",
        "Fourth.",
        "First.",
    ]
    project.refresh_from_db()
    assert project.description == "First."
    assert "First." in client.get(project.get_absolute_url()).content.decode()
    assert "view or restore" in client.get(url).content.decode()


def test_bulk_retire_reopen_claim_limit_and_tag(client, curating):
    projects = ProjectFactory.create_batch(3)

    no_reason = action(client, "project", "retire_selected", projects)
    action(client, "project", "retire_selected", projects[:2], reason="Superseded")
    action(client, "project", "reopen_selected", projects[:1], reason="Back")
    action(client, "project", "set_claim_limit", projects, claim_limit="1")
    action(client, "project", "add_tag", projects[1:], tag="Interpretability")

    assert "Give a reason" in no_reason.content.decode()
    statuses = [Project.objects.get(pk=p.pk).status for p in projects]
    assert statuses == ["open", "retired", "open"]
    assert {Project.objects.get(pk=p.pk).claim_limit for p in projects} == {1}
    assert [Project.objects.get(pk=p.pk).tags.count() for p in projects] == [0, 1, 1]


def test_import_an_agenda_from_the_admin_with_a_preview(client, curating, demo_agenda_bytes):
    url = reverse("admin:projects_agenda_import")

    preview = client.post(url, {"file": SimpleUploadedFile("seed.md", demo_agenda_bytes)})

    html = preview.content.decode()
    assert "26 to create" in html and "Nothing is saved until you confirm" in html
    assert not Agenda.objects.exists()
    content = preview.context["confirm_form"].initial["content"]
    confirmed = client.post(url, {"content": content, "confirm": "Import"})
    assert confirmed.status_code == 302
    assert Project.objects.count() == 26


def test_a_bad_import_file_is_refused_at_the_field(client, curating):
    response = client.post(
        reverse("admin:projects_agenda_import"),
        {"file": SimpleUploadedFile("x.md", b"no front matter")},
    )
    assert "no front matter" in response.content.decode()
    assert not Agenda.objects.exists()


def test_round_trip_import_export_import_changes_nothing(
    client, curating, demo_agenda_bytes, snapshot
):
    import_agenda(demo_agenda_bytes)
    before = snapshot()
    agenda = Agenda.objects.get()

    exported = client.get(reverse("admin:projects_agenda_export", args=[agenda.pk]))
    report = import_agenda(exported.content)

    assert exported["Content-Disposition"] == f'attachment; filename="{agenda.slug}.md"'
    assert report.unchanged == list(range(1, 27))
    assert snapshot() == before


def test_export_keeps_multi_line_items(snapshot, multi_line_agenda):
    import_agenda(multi_line_agenda)
    before = snapshot()
    import_agenda(export_agenda(Agenda.objects.get()))
    assert snapshot() == before


@pytest.mark.parametrize(
    "name, make",
    [
        ("admin:projects_project_changelist", lambda: ProjectFactory()),
        ("admin:projects_agenda_changelist", lambda: ProjectFactory()),
        ("admin:projects_output_changelist", lambda: OutputFactory()),
        ("admin:projects_comment_changelist", lambda: CommentFactory().flag(by=UserFactory())),
        ("admin:projects_claim_changelist", lambda: ClaimFactory()),
        (
            "admin:projects_proposal_changelist",
            lambda: services.project_propose(
                by=UserFactory(), agenda=AgendaFactory(), title="T", description="d", kind="paper"
            ),
        ),
        ("admin:index", lambda: OutputFactory()),
    ],
)
def test_admin_query_counts_do_not_grow_with_rows(client, curating, name, make):
    """Guards per-row lookups of related objects (project, people, counts) in each changelist."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    make()
    few = count()
    for _ in range(15):
        make()
    assert count() == few


def test_decide_a_proposal_from_its_page(client, curating, researcher):
    proposal = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="N", description="d", kind="paper"
    )
    url = reverse("admin:projects_proposal_decide", args=[proposal.pk])

    page = client.get(
        reverse("admin:projects_proposal_change", args=[proposal.pk])
    ).content.decode()
    refused = client.post(url, {"reason": "", "reject": "Reject"}, follow=True)
    client.post(url, {"reason": "Welcome", "approve": "Approve"})

    assert 'id="proposal-decision"' in page and 'name="_save"' not in page
    assert "Say why" in refused.content.decode()
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decision_reason, proposal.project.status) == (
        "approved",
        "Welcome",
        "open",
    )


@pytest.mark.parametrize("value", ["0", "1.5", "40000", "x"])
def test_a_bad_claim_limit_in_the_action_bar_is_refused_with_a_message(client, curating, value):
    project = ProjectFactory()
    response = action(client, "project", "set_claim_limit", [project], claim_limit=value)
    assert "A claim limit is a whole number from 1 to 1000" in response.content.decode()
    assert Project.objects.get(pk=project.pk).claim_limit is None


def test_add_tag_reuses_a_tag_whose_slug_a_curator_changed(client, curating):
    from projects.models import Tag

    Tag.objects.create(name="LessWrong", slug="lw")
    project = ProjectFactory()
    action(client, "project", "add_tag", [project], tag="LessWrong")
    assert [t.slug for t in Project.objects.get(pk=project.pk).tags.all()] == ["lw"]


def test_merging_into_a_closed_project_is_refused(client, curating):
    kept, duplicate = ProjectFactory(retired=True), ProjectFactory()
    response = client.post(
        reverse("admin:projects_project_merge", args=[duplicate.pk]),
        {"kept": kept.pk, "reason": "Same", "confirm": "Merge"},
    )
    assert response.status_code == 400
    assert Project.objects.get(pk=duplicate.pk).merged_into is None


def change_form_data(client, project: Project) -> dict:
    """What the project's change form posts when nothing is edited."""
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data["tags"] = [tag.pk for tag in project.tags.all()]
    return {name: "" if value is None else value for name, value in data.items()}


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("title", "A sharper title", Event.Kind.TEXT_EDITED),
        ("kind", Project.Kind.SKETCH, Event.Kind.TEXT_EDITED),
        ("description", "New words.", Event.Kind.TEXT_EDITED),
        ("summary", "Agreed scope.", Event.Kind.TEXT_EDITED),
        ("claim_limit", "2", Event.Kind.CLAIM_LIMIT_SET),
        ("claim_window_days", "60", Event.Kind.CLAIM_WINDOW_SET),
        ("tags", "tag", Event.Kind.TAGS_CHANGED),
    ],
)
def test_each_edit_on_the_change_form_records_its_event(client, curating, field, value, kind):
    project = ProjectFactory()
    data = change_form_data(client, project)
    data[field] = [TagFactory().pk] if value == "tag" else value

    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)

    assert response.status_code == 302
    assert list(project.events.values_list("kind", "actor")) == [(kind, curating.pk)]


@pytest.mark.parametrize("days", ["0", "366", "-1", "often"])
def test_the_change_form_refuses_a_claim_window_outside_a_day_to_a_year(client, curating, days):
    project = ProjectFactory()
    data = change_form_data(client, project)
    data["claim_window_days"] = days

    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)

    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Project.objects.get(pk=project.pk).claim_window_days is None
    assert not project.events.exists()


def test_the_change_form_names_the_boards_claim_window(client, curating, settings):
    settings.CLAIM_STALE_DAYS = 21
    project = ProjectFactory()

    html = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()

    assert "Blank: the board's default (21 days)." in html


def test_saving_the_change_form_unchanged_records_nothing(client, curating):
    project = ProjectFactory(tags=[TagFactory()], claim_limit=3, claim_window_days=45)

    client.post(
        reverse("admin:projects_project_change", args=[project.pk]),
        change_form_data(client, project),
    )

    assert not project.events.exists()


@pytest.mark.parametrize(
    ("name", "extra", "kind"),
    [
        ("retire_selected", {"reason": "Superseded"}, Event.Kind.STATUS_CHANGED),
        ("set_claim_limit", {"claim_limit": "1"}, Event.Kind.CLAIM_LIMIT_SET),
        ("add_tag", {"tag": "Interpretability"}, Event.Kind.TAGS_CHANGED),
    ],
)
def test_each_bulk_action_records_an_event_per_project(client, curating, name, extra, kind):
    projects = ProjectFactory.create_batch(2)

    action(client, "project", name, projects, **extra)

    for project in projects:
        assert list(project.events.values_list("kind", "actor")) == [(kind, curating.pk)]


def test_bulk_reopen_records_an_event(client, curating):
    project = ProjectFactory(retired=True)

    action(client, "project", "reopen_selected", [project], reason="Back")

    assert list(project.events.values_list("kind", flat=True)) == [Event.Kind.STATUS_CHANGED]


def test_the_status_page_records_an_event(client, curating):
    project = ProjectFactory()

    client.post(
        reverse("admin:projects_project_status", args=[project.pk]),
        {"to": Project.Status.RETIRED, "reason": "Superseded"},
    )

    assert list(project.events.values_list("kind", "note")) == [
        (Event.Kind.STATUS_CHANGED, "Retired: Superseded")
    ]


def test_adding_a_project_in_the_admin_starts_its_history(client, curating):
    agenda = AgendaFactory()

    response = client.post(
        reverse("admin:projects_project_add"),
        {
            "agenda": agenda.pk,
            "number": 1,
            "title": "A new idea",
            "slug": "a-new-idea",
            "kind": Project.Kind.PAPER,
            "description": "Write it.",
            "summary": "",
            "claim_limit": "",
        },
    )

    assert response.status_code == 302
    project = Project.objects.get(slug="a-new-idea")
    assert list(project.events.values_list("kind", flat=True)) == [Event.Kind.ADDED]


def test_bulk_action_messages_count_in_words_with_plurals(client, curating):
    one, two = ProjectFactory(), ProjectFactory.create_batch(2)

    single = action(client, "project", "add_tag", [one], tag="Interpretability")
    double = action(client, "project", "add_tag", two, tag="Agency")

    assert "Tagged “Interpretability”: 1 project." in single.content.decode()
    assert "Tagged “Agency”: 2 projects." in double.content.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"claim_limit": "123456"}, "A claim limit is a whole number from 1 to 1000"),
        ({"tag": "t" * 51}, "A tag is at most 50 characters long."),
    ],
)
def test_an_out_of_range_value_in_the_action_bar_says_why(client, curating, extra, message):
    name = "set_claim_limit" if "claim_limit" in extra else "add_tag"

    html = action(client, "project", name, [ProjectFactory()], **extra).content.decode()

    assert message in html and "No action selected" not in html


def test_a_bulk_action_that_changes_nothing_says_so(client, curating):
    tag = TagFactory(name="Agency")
    project = ProjectFactory(tags=[tag])

    html = action(client, "project", "add_tag", [project], tag="Agency").content.decode()

    assert "1 project already so: nothing to change." in html and "Tagged" not in html


@pytest.mark.parametrize(
    ("page", "messages"),
    [
        ("status", ["Choose what to do with the project.", "Give a reason"]),
        ("merge", ["Choose the project this one merges into.", "Give a reason"]),
    ],
)
def test_an_empty_status_or_merge_form_says_what_each_field_needs(client, curating, page, messages):
    project = ProjectFactory()

    response = client.post(reverse(f"admin:projects_project_{page}", args=[project.pk]), {})

    html = response.content.decode()
    assert response.status_code == 400
    assert all(message in html for message in messages)
    assert "This field is required." not in html
