"""Curation through the domain methods: lifecycle, versions, proposals, flags, merges."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError

from projects import services
from projects.models import (
    Claim,
    Comment,
    Event,
    Flag,
    Interest,
    Output,
    Project,
    StatusChange,
    TextVersion,
    Watch,
)
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


def test_the_curators_group_holds_curation_permissions_and_no_user_management(curator):
    group = Group.objects.get(name="Curators")
    codenames = set(group.permissions.values_list("codename", flat=True))

    assert {"change_project", "review_output", "moderate_comment", "review_proposal"} <= codenames
    assert not [c for c in codenames if c.startswith("delete_")]
    assert not group.permissions.filter(content_type__app_label__in=["auth", "accounts"]).exists()
    assert curator.is_staff and not curator.is_superuser
    assert curator.has_perm("projects.review_proposal")
    assert not curator.has_perm("accounts.change_user") and not curator.has_perm(
        "auth.change_group"
    )


def test_status_changes_record_who_when_and_why(curator):
    project = ProjectFactory()
    output = OutputFactory(project=project, accepted=True)

    project.mark_addressed(by=curator, reason="The paper answers it.", outputs=[output])
    project.reopen(by=curator, reason="Part 2 is still open.")
    project.retire(by=curator, reason="Superseded by item 9.")

    project.refresh_from_db()
    assert project.status == "retired"
    changes = list(project.status_changes.order_by("changed_at", "pk"))
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("open", "addressed"),
        ("addressed", "open"),
        ("open", "retired"),
    ]
    assert all(c.changed_by == curator for c in changes)
    assert list(changes[0].outputs.all()) == [output]
    assert Event.objects.filter(kind=Event.Kind.STATUS_CHANGED).count() == 3


@pytest.mark.parametrize(
    "make_outputs, code",
    [
        (lambda p: [], "outputs"),
        (lambda p: [OutputFactory(project=p)], "outputs"),  # pending, not accepted
        (lambda p: [OutputFactory(accepted=True)], "outputs"),  # another project's
    ],
)
def test_addressed_needs_accepted_outputs_of_the_project(curator, make_outputs, code):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as error:
        project.mark_addressed(by=curator, reason="Done", outputs=make_outputs(project))
    assert error.value.code == code
    project.refresh_from_db()
    assert project.status == "open" and not StatusChange.objects.exists()


def test_a_status_change_needs_a_reason_and_an_allowed_move(curator):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as no_reason:
        project.retire(by=curator, reason="  ")
    with pytest.raises(ValidationError) as bad_move:
        project.reopen(by=curator, reason="Already open")
    assert (no_reason.value.code, bad_move.value.code) == ("reason", "transition")


def test_edit_a_description_three_times_then_restore_the_first_version(curator, client):
    project = ProjectFactory(description="Version zero.")
    for n in (1, 2, 3):
        project.edit_description(text=f"Version {n}.", by=curator)
    versions = list(project.versions.filter(field="description").order_by("created_at", "pk"))
    assert [v.text for v in versions] == ["Version zero.", "Version 1.", "Version 2.", "Version 3."]

    project.restore_version(versions[0], by=curator)

    after = list(project.versions.filter(field="description").order_by("created_at", "pk"))
    assert after[:4] == versions  # all four versions remain
    assert after[-1].text == "Version zero." and after[-1].note.startswith("Restored the version")
    project.refresh_from_db()
    assert project.description == "Version zero."
    assert "Version zero." in client.get(project.get_absolute_url()).content.decode()


def test_the_summary_keeps_its_versions_and_shows_above_the_discussion(curator, client):
    project = ProjectFactory()
    project.edit_summary(text="Agreed scope: **toy models** only.", by=curator)
    project.edit_summary(text="Agreed scope: toy models and one real model.", by=curator)

    assert project.versions.filter(field="summary").count() == 3  # the empty original too
    html = client.get(project.get_absolute_url()).content.decode()
    assert html.index("State of this project") < html.index('id="discussion"')
    assert "toy models and one real model" in html


def test_a_new_project_proposal_is_proposed_until_approved(
    researcher, curator, django_capture_on_commit_callbacks
):
    agenda = AgendaFactory()
    ProjectFactory(agenda=agenda, number=7)

    proposal = services.project_propose(
        by=researcher, agenda=agenda, title="A survey of X", description="Survey X.", kind="list"
    )

    project = proposal.project
    assert (project.status, project.number) == ("proposed", 8)
    assert not Project.objects.public().filter(pk=project.pk).exists()
    with pytest.raises(ValidationError):
        project.claim(researcher=researcher)

    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(proposal=proposal, by=curator, reason="Useful")

    project.refresh_from_db()
    assert project.status == "open"
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject
    assert mail.outbox[0].to == [researcher.email]


def test_rejecting_a_new_project_keeps_it_unpublished_and_tells_the_proposer_why(
    client, researcher, curator, django_capture_on_commit_callbacks
):
    proposal = services.project_propose(
        by=researcher,
        agenda=AgendaFactory(),
        title="Spammy title",
        description="Buy now.",
        kind="paper",
        note="A word for the curators",
    )

    with pytest.raises(ValidationError):
        services.proposal_reject(proposal=proposal, by=curator, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_reject(proposal=proposal, by=curator, reason="Item 3 covers this.")

    proposal.refresh_from_db()
    assert proposal.state == "rejected" and proposal.decision_reason == "Item 3 covers this."
    assert proposal.project.status == "proposed"
    assert "Item 3 covers this." in mail.outbox[0].body
    assert "Spammy title" not in client.get("/").content.decode()
    assert client.get(proposal.project.get_absolute_url()).status_code == 404
    with pytest.raises(ValidationError) as again:
        services.proposal_approve(proposal=proposal, by=curator)
    assert again.value.code == "decided"


def test_proposal_notes_and_rejections_stay_out_of_the_public_history(client, researcher, curator):
    project = ProjectFactory()
    proposal = services.project_propose_edit(
        project=project,
        by=researcher,
        title="Better",
        description=project.description,
        kind=project.kind,
        note="Private word for curators",
    )
    services.proposal_reject(
        proposal=proposal, by=curator, reason="Private reason for the proposer"
    )

    html = client.get(project.get_absolute_url()).content.decode()

    assert "Private word for curators" not in html and "Private reason" not in html


def test_a_proposed_project_is_published_only_through_its_proposal(researcher, curator):
    proposal = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="T", description="d", kind="paper"
    )
    with pytest.raises(ValidationError) as direct:
        proposal.project.change_status(to="open", by=curator, reason="Shortcut")
    with pytest.raises(ValidationError) as merge:
        services.project_merge(
            duplicate=proposal.project, kept=ProjectFactory(), by=curator, reason="Dup"
        )
    assert (direct.value.code, merge.value.code) == ("proposal", "proposed")


def test_a_merged_project_never_changes_status_again(curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same")
    with pytest.raises(ValidationError) as error:
        duplicate.reopen(by=curator, reason="Oops")
    assert error.value.code == "merged"


def test_long_notes_are_cut_to_fit_their_columns(curator, researcher):
    project = ProjectFactory()
    proposal = services.project_propose_edit(
        project=project,
        by=researcher,
        title="New",
        description=project.description,
        kind=project.kind,
    )
    services.proposal_approve(proposal=proposal, by=curator, reason="x" * 1000)
    project.edit_description(text="Changed", by=curator, note="y" * 1000)
    assert all(len(v.note) <= 200 for v in TextVersion.objects.all())


def test_an_edit_proposal_shows_a_diff_and_applies_as_a_new_version(researcher, curator):
    project = ProjectFactory(title="Old title", description="The old text here.")
    proposal = services.project_propose_edit(
        project=project,
        by=researcher,
        title="Old title",
        description="The new text here.",
        kind=project.kind,
    )

    [(field, old, new, diff)] = proposal.changes()
    assert (field, old, new) == ("description", "The old text here.", "The new text here.")
    assert diff == "The <del>old</del> <ins>new</ins> text here."

    services.proposal_approve(proposal=proposal, by=curator)

    project.refresh_from_db()
    assert project.description == "The new text here."
    assert [v.text for v in project.versions.order_by("created_at", "pk")] == [
        "The old text here.",
        "The new text here.",
    ]


def test_an_edit_that_changes_nothing_is_refused(researcher):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as error:
        services.project_propose_edit(
            project=project,
            by=researcher,
            title=project.title,
            description=project.description,
            kind=project.kind,
        )
    assert error.value.code == "unchanged"


def test_diffs_escape_what_people_wrote():
    from projects.models.proposal import word_diff

    assert word_diff("a <b>", "a <script>") == "a <del>&lt;b&gt;</del> <ins>&lt;script&gt;</ins>"


def test_flags_queue_a_comment_until_a_curator_acts(researcher, other_researcher, curator):
    comment = CommentFactory(author=other_researcher)
    comment.flag(by=researcher, reason="Off topic")

    assert list(Comment.objects.flagged()) == [comment]
    with pytest.raises(ValidationError):
        comment.flag(by=researcher)
    with pytest.raises(ValidationError):
        comment.flag(by=other_researcher)  # their own

    comment.hide(by=curator)

    assert not Comment.objects.flagged().exists()
    assert Flag.objects.get().resolved_by == curator


def test_merging_moves_everything_and_loses_nothing(curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    both = UserFactory()
    claims = [
        ClaimFactory(project=duplicate),
        ClaimFactory(project=duplicate, researcher=both),
        ClaimFactory(project=kept, researcher=both),
        ClaimFactory(project=duplicate, state="completed"),
    ]
    comments = [CommentFactory(project=duplicate) for _ in range(3)]
    outputs = [
        OutputFactory(project=duplicate),
        OutputFactory(project=duplicate, url="https://x.org/same"),
    ]
    OutputFactory(project=kept, url="https://x.org/same")
    duplicate.set_interest(researcher=both, interested=True, note="from dup")
    kept.set_interest(researcher=both, interested=True, note="from kept")
    duplicate.set_interest(researcher=UserFactory(), interested=True)
    duplicate.set_watch(user=both, watching=True)
    duplicate.set_watch(user=UserFactory(), watching=True)
    counts = {m: m.objects.count() for m in (Claim, Comment, Output)}

    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")

    assert {m: m.objects.count() for m in (Claim, Comment, Output)} == counts
    assert set(Claim.objects.filter(project=kept)) == set(claims)
    assert set(Comment.objects.filter(project=kept)) == set(comments)
    assert Output.objects.filter(project=kept).count() == 2  # the duplicate URL stays behind
    assert Output.objects.get(pk=outputs[1].pk).project == duplicate
    assert Claim.objects.active().filter(project=kept, researcher=both).count() == 1
    assert Interest.objects.get(project=kept, researcher=both).note == "from kept / from dup"
    assert Interest.objects.filter(project=kept).count() == 2
    assert Watch.objects.filter(project=kept).count() == 2
    duplicate.refresh_from_db()
    assert duplicate.status == "retired" and duplicate.merged_into == kept
    assert Event.objects.filter(
        kind=Event.Kind.MERGED, project=kept, other_project=duplicate
    ).exists()
    assert Event.objects.filter(
        kind=Event.Kind.MERGED, project=duplicate, other_project=kept
    ).exists()


def test_a_merged_projects_url_redirects_permanently(client, curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same")

    response = client.get(duplicate.get_absolute_url())

    assert response.status_code == 301
    assert response["Location"] == kept.get_absolute_url()


def test_a_project_cannot_merge_into_itself_or_twice(curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    with pytest.raises(ValidationError):
        services.project_merge(duplicate=kept, kept=kept, by=curator, reason="x")
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="x")
    with pytest.raises(ValidationError):
        services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="x")


def test_the_page_says_why_a_project_is_addressed_and_by_what(client, curator):
    project = ProjectFactory()
    output = OutputFactory(project=project, title="The definitive paper", accepted=True)
    project.mark_addressed(by=curator, reason="Answered in full.", outputs=[output])

    html = client.get(project.get_absolute_url()).content.decode()

    assert "Addressed on" in html and "Answered in full." in html
    assert f'<a href="#output-{output.pk}">The definitive paper</a>' in html


def test_a_merge_releases_an_overlapping_claim_keeping_its_note_and_says_so(curator):
    kept, duplicate = ProjectFactory(title="Kept"), ProjectFactory(title="Duplicate")
    both = UserFactory(username="both")
    ClaimFactory(project=kept, researcher=both)
    overlapping = ClaimFactory(project=duplicate, researcher=both, progress_note="Halfway there.")

    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")

    overlapping.refresh_from_db()
    assert overlapping.state == Claim.State.RELEASED
    assert overlapping.release_reason == Claim.ReleaseReason.MERGED
    assert overlapping.progress_note == "Halfway there."
    release = Event.objects.get(kind=Event.Kind.RELEASED, claim=overlapping)
    assert (release.project, release.actor) == (kept, curator)
    assert "“Duplicate” was merged into “Kept”" in release.note
    kinds = list(kept.events.public().values_list("kind", flat=True))
    assert kinds[:2] == [Event.Kind.MERGED, Event.Kind.RELEASED]


def test_curator_edits_each_record_one_event(curator):
    project = ProjectFactory()
    tag = TagFactory(name="Interpretability")

    changes = [
        project.rename(title="A sharper title", by=curator),
        project.set_kind(kind=Project.Kind.SKETCH, by=curator),
        project.edit_description(text="New words.", by=curator),
        project.edit_summary(text="Agreed scope.", by=curator),
        project.set_claim_limit(limit=2, by=curator),
        project.add_tag(tag=tag, by=curator),
    ]
    again = project.set_claim_limit(limit=2, by=curator)

    assert changes == [True] * 6 and again is False
    events = list(project.events.order_by("pk").values_list("kind", "note"))
    assert [kind for kind, _ in events] == [
        *[Event.Kind.TEXT_EDITED] * 4,
        Event.Kind.CLAIM_LIMIT_SET,
        Event.Kind.TAGS_CHANGED,
    ]
    assert events[4][1] == "2 at a time" and events[5][1] == "Added Interpretability"
    project.refresh_from_db()
    assert (project.title, project.claim_limit) == ("A sharper title", 2)
    assert "<p>New words.</p>" in project.description_html


@pytest.mark.parametrize("limit", [0, 1001])
def test_a_claim_limit_out_of_range_is_refused(curator, limit):
    project = ProjectFactory()
    with pytest.raises(ValidationError) as error:
        project.set_claim_limit(limit=limit, by=curator)
    assert error.value.code == "limit"


def test_the_decision_email_links_to_the_opened_project(
    researcher, curator, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL, settings.SITE_NAME = "https://board.example.org", "Alignment Board"
    proposal = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="A survey\nof X", description="x", kind="list"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(proposal=proposal, by=curator)

    [message] = mail.outbox
    assert message.subject == "[Alignment Board] Your proposal was approved: A survey of X"
    assert f"https://board.example.org{proposal.project.get_absolute_url()}" in message.body


def test_the_rejection_email_links_to_the_proposal_on_the_proposers_page(
    researcher, curator, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://board.example.org"
    proposal = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="T", description="x", kind="paper"
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_reject(proposal=proposal, by=curator, reason="Covered by item 3.")

    link = f"https://board.example.org/people/{researcher.username}/#proposal-{proposal.pk}"
    assert link in mail.outbox[0].body


def test_no_decision_email_when_the_decision_rolls_back(
    researcher, curator, django_capture_on_commit_callbacks
):
    proposal = services.project_propose(
        by=researcher, agenda=AgendaFactory(), title="T", description="x", kind="paper"
    )
    # Merged away since it was proposed: approving it fails after the decision was made.
    Project.objects.filter(pk=proposal.project.pk).update(merged_into=ProjectFactory())

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.proposal_approve(proposal=proposal, by=curator)

    proposal.refresh_from_db()
    assert proposal.is_pending and mail.outbox == []


def test_a_merge_that_would_overfill_the_kept_project_is_refused(curator):
    kept, duplicate = ProjectFactory(claim_limit=1), ProjectFactory()
    ClaimFactory(project=kept)
    ClaimFactory(project=duplicate)

    with pytest.raises(ValidationError) as error:
        services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same")

    assert error.value.code == "full"
    assert Claim.objects.active().filter(project=kept).count() == 1
