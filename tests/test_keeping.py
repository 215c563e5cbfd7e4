"""Nothing the board promises to keep can be deleted: people are deactivated, never deleted;
no parent takes comments, claims, outputs, interests, history or versions with it."""

import itertools

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from projects import services
from projects.models import (
    Claim,
    Comment,
    CommentVersion,
    Event,
    Flag,
    Interest,
    Output,
    Project,
    Proposal,
    StatusChange,
    StatusChangeOutput,
    TextVersion,
    Watch,
)
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


# 1. People are deactivated, never deleted


@pytest.fixture
def superuser_client(client, sign_in_with_two_factor):
    sign_in_with_two_factor(client, UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("wrote", [False, True], ids=["wrote-nothing", "wrote-a-comment"])
def test_a_superuser_cannot_delete_a_user_in_the_admin(superuser_client, wrote):
    person = UserFactory(username="writer")
    if wrote:
        ProjectFactory().add_comment(author=person, body="Words the board keeps.")
    users = User.objects.count()
    delete_url = reverse("admin:accounts_user_delete", args=[person.pk])
    changelist = reverse("admin:accounts_user_changelist")

    asked = superuser_client.get(delete_url)
    posted = superuser_client.post(delete_url, {"post": "yes"})
    bulk = superuser_client.post(
        changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [person.pk], "post": "yes"}
    )
    listed = superuser_client.get(changelist)
    change = superuser_client.get(reverse("admin:accounts_user_change", args=[person.pk]))

    assert (asked.status_code, posted.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    actions = [value for value, _ in listed.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions and "deactivate_selected" in actions
    assert change.status_code == 200 and delete_url not in change.content.decode()
    assert User.objects.count() == users  # 0 rows gone
    assert Comment.objects.filter(author=person).count() == int(wrote)


def test_the_user_page_offers_deactivation_instead(superuser_client):
    person = UserFactory(username="writer")

    html = superuser_client.get(
        reverse("admin:accounts_user_change", args=[person.pk])
    ).content.decode()

    assert 'name="is_active"' in html
    assert "Untick to deactivate the account" in html and "never deleted" in html


def test_deactivating_users_in_the_admin_keeps_them_and_what_they_wrote(superuser_client):
    writer, other = UserFactory(username="writer"), UserFactory(username="other")
    comment = ProjectFactory().add_comment(author=writer, body="Still here, with my name.")

    response = superuser_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_selected", ACTION_CHECKBOX_NAME: [writer.pk]},
        follow=True,
    )

    assert "Deactivated 1 account: nothing was deleted." in response.content.decode()
    writer.refresh_from_db(), other.refresh_from_db()
    assert not writer.is_active and other.is_active
    page = superuser_client.get(comment.project.get_absolute_url()).content.decode()
    assert "Still here, with my name." in page and writer.public_name in page


def test_a_deactivated_user_cannot_sign_in(client):
    person = UserFactory(username="writer", is_active=False)

    assert not client.login(username="writer", password="correct horse battery staple")
    assert User.objects.filter(pk=person.pk).exists()


def test_code_cannot_delete_a_user_one_at_a_time_or_in_bulk(superuser_client):
    person = UserFactory(username="quiet")  # wrote nothing: no foreign key protects it

    with pytest.raises(ProtectedError, match="never deleted"):
        person.delete()
    with pytest.raises(ProtectedError, match="never deleted"):
        User.objects.filter(pk=person.pk).delete()
    with pytest.raises(ProtectedError):
        User.objects.all().delete()

    assert User.objects.filter(pk=person.pk).exists()


# 2. No parent takes what the board keeps with it


def _with_comment(project, person):
    return project.add_comment(author=person, body="A thought.")


def _with_claim(project, person):
    return project.claim(researcher=person, plan="A plan.")


def _with_output(project, person):
    return project.link_output(
        by=person, url="https://example.org/result", title="Result", kind="paper"
    )


def _with_interest(project, person):
    return project.set_interest(researcher=person, interested=True, note="I could review it.")


def _with_watch(project, person):
    project.set_watch(user=person, watching=True)
    return Watch.objects.get(project=project, user=person)


def _with_proposal(project, person):
    return services.project_propose_edit(
        by=person, project=project, title="A better title", description="d", kind="paper"
    )


KEPT_BY_PROJECT_AND_PERSON = {
    Comment: _with_comment,
    Claim: _with_claim,
    Output: _with_output,
    Interest: _with_interest,
    Watch: _with_watch,
    Proposal: _with_proposal,
}


@pytest.mark.parametrize(
    "model", KEPT_BY_PROJECT_AND_PERSON, ids=lambda model: model._meta.model_name
)
def test_deleting_a_project_never_takes_what_was_written_on_it(model):
    project, person = ProjectFactory(), UserFactory()
    kept = KEPT_BY_PROJECT_AND_PERSON[model](project, person)
    Event.objects.filter(project=project).update(project=ProjectFactory())  # only ``kept`` left

    with pytest.raises(ProtectedError):
        project.delete()
    with pytest.raises(ProtectedError):
        Project.objects.filter(pk=project.pk).delete()

    assert model.objects.filter(pk=kept.pk, project=project).exists()


@pytest.mark.parametrize("made_by", ["event", "status change", "text version"])
def test_deleting_a_project_never_takes_its_history(curator, made_by):
    project = ProjectFactory()
    if made_by == "event":
        project.set_claim_limit(limit=1, by=curator)
    elif made_by == "status change":
        project.change_status(to=Project.Status.RETIRED, by=curator, reason="Superseded.")
    else:
        project.edit_summary(text="Where it stands.", by=curator)
    history = {
        "event": Event.objects.filter(project=project),
        "status change": StatusChange.objects.filter(project=project),
        "text version": TextVersion.objects.filter(project=project),
    }
    assert history[made_by].exists()
    if made_by != "event":  # with its own history alone
        Event.objects.filter(project=project).update(project=ProjectFactory())
    rows = history[made_by].count()

    with pytest.raises(ProtectedError):
        project.delete()

    assert history[made_by].count() == rows


def test_deleting_a_comment_never_takes_its_replies_flags_or_events(other_researcher):
    project = ProjectFactory()
    comment = project.add_comment(author=UserFactory(), body="The question.")
    reply = project.add_comment(author=UserFactory(), body="An answer.", parent=comment)
    comment.flag(by=other_researcher, reason="Rude")

    with pytest.raises(ProtectedError) as raised:
        comment.delete()
    with pytest.raises(ProtectedError):
        Comment.objects.filter(pk=comment.pk).delete()

    protected = raised.value.protected_objects
    assert reply in protected and Flag.objects.get(comment=comment) in protected
    assert Event.objects.filter(comment=comment).exists()
    assert Comment.objects.filter(pk__in=[comment.pk, reply.pk]).count() == 2


def test_deleting_a_claim_never_takes_its_outputs_or_events():
    claim = ClaimFactory()
    output = claim.project.link_output(
        by=claim.researcher, url="https://example.org/r", title="R", kind="paper", claim=claim
    )
    Event.objects.filter(output=output).update(output=None)

    with pytest.raises(ProtectedError) as raised:
        claim.delete()

    assert output in raised.value.protected_objects
    assert Output.objects.get(pk=output.pk).claim == claim


def test_deleting_an_output_never_takes_the_status_change_it_justifies(curator):
    project = ProjectFactory()
    output = OutputFactory(project=project, accepted=True)
    change = project.mark_addressed(by=curator, reason="Answered.", outputs=[output])

    with pytest.raises(ProtectedError):
        output.delete()
    with pytest.raises(ProtectedError):
        Output.objects.filter(pk=output.pk).delete()

    assert list(change.outputs.all()) == [output]
    assert StatusChangeOutput.objects.filter(statuschange=change, output=output).exists()


@pytest.mark.parametrize(
    "made",
    [
        lambda person: CommentFactory(author=person),
        lambda person: ClaimFactory(researcher=person),
        lambda person: OutputFactory(submitted_by=person),
        lambda person: _with_interest(ProjectFactory(), person),
        lambda person: _with_watch(ProjectFactory(), person),
    ],
    ids=["comment", "claim", "output", "interest", "watch"],
)
def test_what_a_person_made_protects_them_below_the_guard_too(made):
    """Even past ``User.delete`` (Django's collector, which the admin uses), their work
    protects them."""
    from django.db.models.deletion import Collector

    person = UserFactory()
    kept = made(person)

    with pytest.raises(ProtectedError):
        Collector(using="default").collect([person])

    assert type(kept).objects.filter(pk=kept.pk).exists()


# 3. What deletes on purpose still works


def test_withdrawing_interest_and_unwatching_still_work(researcher):
    project = ProjectFactory()
    _with_interest(project, researcher), _with_watch(project, researcher)

    project.set_interest(researcher=researcher, interested=False)
    project.set_watch(user=researcher, watching=False)

    assert not Interest.objects.filter(project=project).exists()
    assert not Watch.objects.filter(project=project).exists()
    assert Event.objects.filter(project=project, kind=Event.Kind.UNWATCHED).exists()


def test_deleting_a_comment_on_the_site_leaves_it_in_place(researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="Second thoughts.")

    comment.delete_by_author()

    assert Comment.objects.get(pk=comment.pk).is_deleted


# 4. Comment edits keep every earlier text, for curators


def _edit(client, comment, body: str):
    return client.post(reverse("projects:comment-edit", args=[comment.pk]), {"body": body})


def test_editing_a_comment_keeps_each_text_it_replaces(researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="First words.")

    comment.edit(body="Second words.")
    comment.edit(body="Second words.", is_scope=True)
    comment.edit(body="Third words.")

    versions = list(comment.versions.all())
    assert [(v.body, v.is_scope) for v in versions] == [
        ("First words.", False),
        ("Second words.", False),
        ("Second words.", True),
    ]
    assert versions[0].written_at == comment.created_at
    assert all(a.replaced_at == b.written_at for a, b in itertools.pairwise(versions))
    assert comment.body == Comment.objects.get(pk=comment.pk).body == "Third words."


def test_an_edit_that_changes_nothing_keeps_no_version(researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="Same words.", is_scope=True)

    comment.edit(body="Same words.")
    comment.edit(body="Same words.", is_scope=True)

    assert not comment.versions.exists()


def test_an_edit_through_the_site_keeps_the_earlier_text(client, researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="What I first said.")
    client.force_login(researcher)

    response = _edit(client, comment, "What I say now.")

    assert response.status_code in (302, 303)
    assert CommentVersion.objects.get(comment=comment).body == "What I first said."


def test_a_curator_reads_earlier_versions_on_the_comments_admin_page(client, curating, researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="Say *this* <b>first</b>.")
    comment.edit(body="Then this.")

    html = client.get(reverse("admin:projects_comment_change", args=[comment.pk])).content.decode()

    assert "Earlier versions" in html
    assert '<div class="comment-version">Say *this* &lt;b&gt;first&lt;/b&gt;.</div>' in html
    assert "Never flagged." in html


def test_a_flagged_comment_edited_clean_shows_curators_what_was_flagged(
    client, curating, researcher, other_researcher, sign_in_with_two_factor
):
    comment = ProjectFactory().add_comment(author=researcher, body="Something abusive.")
    comment.flag(by=other_researcher, reason="Abuse")
    client.force_login(researcher)
    _edit(client, comment, "Something perfectly polite.")
    sign_in_with_two_factor(client, curating)

    page = client.get(reverse("admin:projects_comment_change", args=[comment.pk])).content.decode()
    queue = client.get(reverse("admin:projects_comment_changelist") + "?flagged=open")

    assert "Something perfectly polite." in page
    assert "Flagged by alan on" in page and "when it read:" in page
    assert '<div class="comment-version">Something abusive.</div>' in page
    assert [c.edited_since_flagged for c in queue.context["cl"].result_list] == [True]


def test_a_comment_flagged_after_its_last_edit_reads_unchanged(client, curating, researcher):
    comment = ProjectFactory().add_comment(author=researcher, body="Before.")
    comment.edit(body="After.")
    comment.flag(by=UserFactory(), reason="Look")

    page = client.get(reverse("admin:projects_comment_change", args=[comment.pk])).content.decode()
    queue = client.get(reverse("admin:projects_comment_changelist") + "?flagged=open")

    assert "Unchanged since it was flagged." in page
    assert [c.edited_since_flagged for c in queue.context["cl"].result_list] == [False]


@pytest.mark.parametrize("who", ["visitor", "author", "researcher", "staff without rights"])
def test_earlier_versions_are_shown_to_nobody_but_curators(
    client, researcher, who, sign_in_with_two_factor
):
    comment = ProjectFactory().add_comment(author=researcher, body="The regretted words.")
    comment.edit(body="The words that stand.")
    if who != "visitor":
        user = {"author": researcher, "researcher": UserFactory()}.get(who)
        if user is None:  # staff, but not in the Curators group
            user = UserFactory(is_staff=True)
            user.groups.clear()
            sign_in_with_two_factor(client, user)
        else:
            client.force_login(user)

    admin_page = client.get(reverse("admin:projects_comment_change", args=[comment.pk]))
    pages = [
        client.get(url, follow=True).content.decode()
        for url in (
            comment.project.get_absolute_url(),
            comment.get_absolute_url(),
            researcher.get_absolute_url(),
            reverse("projects:activity"),
        )
    ]

    assert admin_page.status_code in (302, 403)
    assert all("The regretted words." not in html for html in pages)
    assert "The words that stand." in pages[0]


def test_the_comments_admin_page_makes_as_many_queries_for_many_versions_and_flags_as_for_one(
    client, curating, researcher
):
    """Guards a query per earlier version, or per flag and who raised it."""
    comment = ProjectFactory().add_comment(author=researcher, body="Version 0.")
    url = reverse("admin:projects_comment_change", args=[comment.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    comment.flag(by=UserFactory(), reason="One")
    comment.edit(body="Version 1.")
    one = count()
    for n in range(2, 12):
        comment.flag(by=UserFactory(), reason=f"Flag {n}")
        comment.edit(body=f"Version {n}.")

    assert count() == one


# 5. Merging keeps every interest note whole


def test_merging_keeps_both_notes_of_a_researcher_interested_in_both(curator, researcher):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    kept_note, duplicate_note = "k" * 299 + "!", "d" * 299 + "?"  # each as long as it may be
    kept.set_interest(researcher=researcher, interested=True, note=kept_note)
    duplicate.set_interest(researcher=researcher, interested=True, note=duplicate_note)

    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")

    interest = Interest.objects.get(researcher=researcher)
    assert interest.project == kept
    assert interest.note == f"{kept_note} / {duplicate_note}"
    assert Interest.objects.get(pk=interest.pk).note == f"{kept_note} / {duplicate_note}"


def test_merging_keeps_the_one_note_there_is_and_a_shared_note_once(curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    only_duplicate, both_same = UserFactory(), UserFactory()
    kept.set_interest(researcher=only_duplicate, interested=True)
    duplicate.set_interest(researcher=only_duplicate, interested=True, note="I can review.")
    kept.set_interest(researcher=both_same, interested=True, note="Same words.")
    duplicate.set_interest(researcher=both_same, interested=True, note="Same words.")

    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")

    notes = dict(kept.interests.values_list("researcher__username", "note"))
    assert notes == {only_duplicate.username: "I can review.", both_same.username: "Same words."}


def test_a_joined_note_can_be_kept_or_shortened_on_the_page_but_not_grown(
    client, curator, researcher
):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    kept.set_interest(researcher=researcher, interested=True, note="k" * 300)
    duplicate.set_interest(researcher=researcher, interested=True, note="d" * 300)
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same question")
    joined = Interest.objects.get(researcher=researcher).note
    url = reverse("projects:project-interest", args=[kept.slug])
    client.force_login(researcher)

    page = client.get(kept.get_absolute_url()).content.decode()
    unchanged = client.post(url, {"note": joined}, follow=True).content.decode()
    grown = client.post(url, {"note": joined + "!"}, follow=True).content.decode()
    after_grown = Interest.objects.get(researcher=researcher).note
    shortened = client.post(url, {"note": joined[:400]}, follow=True).content.decode()

    assert f'maxlength="{len(joined)}"' in page and joined in page
    assert "Noted: you want this done." in unchanged
    assert f"at most {len(joined)} characters (it has {len(joined) + 1})" in grown
    assert after_grown == joined
    assert "Noted: you want this done." in shortened
    assert Interest.objects.get(researcher=researcher).note == joined[:400]


def test_a_new_note_is_still_at_most_300_characters(client, researcher):
    project = ProjectFactory()
    client.force_login(researcher)

    response = client.post(
        reverse("projects:project-interest", args=[project.slug]), {"note": "x" * 301}, follow=True
    )

    assert "at most 300 characters (it has 301)" in response.content.decode()
    assert not Interest.objects.exists()
