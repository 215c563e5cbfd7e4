"""The participation views: both renderings, bad input, and script injection."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Claim, Comment, Event, Output
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory
from tests.html import assert_inert

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPTS = (
    "<script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) "
    '<a href="javascript:alert(2)">raw</a> <b onclick="alert(3)">bold</b>'
)


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def ada(client, researcher):
    client.force_login(researcher)
    return researcher


def claim_url(project):
    return reverse("projects:project-claim", args=[project.slug])


def shown_after(client, response, anchor: str = "") -> str:
    """After a plain POST with bad input: it is sent back (303) to the form, whose page
    shows the errors once; returns that page."""
    assert response.status_code == 303
    location = response["Location"]
    if anchor:
        assert location.endswith(f"#{anchor}")
    page = client.get(location.split("#")[0])
    assert page.status_code == 200
    return page.content.decode()


# Plain requests: redirect after a change, the page with errors after bad input.


def test_a_plain_claim_redirects_to_the_claim_panel_with_a_message(client, ada, project):
    response = client.post(claim_url(project), {"plan": "Toy models", "output_kind": "paper"})

    assert response.status_code == 303
    assert response["Location"] == project.get_absolute_url() + "#claim-panel"
    page = client.get(response["Location"]).content.decode()
    assert "You claimed this project" in page and "Toy models" in page
    assert Claim.objects.get().researcher == ada


def test_an_htmx_claim_answers_the_claim_panel_and_the_history_out_of_band(client, ada, project):
    response = client.post(claim_url(project), {"plan": "Toy models"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="claim-panel"')
    assert 'id="history"' in html and 'hx-swap-oob="true"' in html
    assert "claimed this project" in html
    assert "<html" not in html
    assert response["Vary"].count("HX-Request") == 1


def test_claiming_when_others_are_on_it_shows_them_and_their_plans_first(client, ada, project):
    ClaimFactory(project=project, plan="My **own** angle")

    page = client.get(project.get_absolute_url()).content.decode()
    confirm = client.get(claim_url(project))

    assert "Claim this project too…" in page
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Already working on it" in html and "<strong>own</strong>" in html
    assert "Back out" in html
    assert Claim.objects.count() == 1


@pytest.mark.parametrize(
    "setup, data, message",
    [
        ("retired", {}, "This project is not open for claims."),
        ("proposed", {}, ""),  # 404: see below
        ("claimed", {}, "You already have an active claim on this project."),
        ("cap", {}, "Complete or release one of them first."),
        ("full", {}, "This project already has as many researchers as it takes."),
        ("", {"plan": "x" * 5001}, "Ensure this value has at most 5000 characters"),
        ("", {"target_date": "2001-01-01"}, "Choose a date from today on."),
        ("", {"target_date": "next tuesday"}, "Enter a valid date."),
        ("", {"output_kind": "novel"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_refused_claim_says_why_and_changes_nothing(
    client, ada, settings, setup, data, message, htmx
):
    project = ProjectFactory(
        retired=setup == "retired",
        proposed=setup == "proposed",
        claim_limit=1 if setup == "full" else None,
    )
    if setup == "claimed":
        ClaimFactory(project=project, researcher=ada)
    if setup == "full":
        ClaimFactory(project=project)
    if setup == "cap":
        settings.MAX_ACTIVE_CLAIMS = 1
        ClaimFactory(researcher=ada)
    before = list(Claim.objects.values())

    response = client.post(claim_url(project), data, **(HTMX if htmx else {}))

    assert list(Claim.objects.values()) == before
    if setup == "proposed":
        # An unpublished proposal is no project to anyone outside the admin: nothing of it
        # is shown, as for a slug no project has.
        assert response.status_code == 404
        assert project.title not in response.content.decode()
        return
    # Sent back to the field at fault (its id makes the browser focus it), else the form.
    anchor = f"claim-{next(iter(data))}" if data else "claim-form"
    html = response.content.decode() if htmx else shown_after(client, response, anchor)
    assert message in html
    if data.get("plan"):
        assert data["plan"] in html  # what the user typed is kept


@pytest.mark.parametrize(
    "url_name, data, field_message",
    [
        ("comment-create", {"body": ""}, "Write something first."),
        ("comment-create", {"body": "   "}, "Write something first."),
        ("comment-create", {"body": "x" * 10001}, "at most 10000 characters"),
        (
            "output-create",
            {"url": "javascript:alert(1)", "title": "T", "kind": "code", "addresses": "partly"},
            "starting with http:// or https://",
        ),
        (
            "output-create",
            {"url": "data:text/html,hi", "title": "T", "kind": "code", "addresses": "partly"},
            "starting with http:// or https://",
        ),
        (
            "output-create",
            {"url": "/relative/path", "title": "T", "kind": "code", "addresses": "partly"},
            "starting with http:// or https://",
        ),
        (
            "output-create",
            {"url": "https://example.org/x", "title": "", "kind": "code", "addresses": "partly"},
            "Give the output&#x27;s title.",
        ),
        (
            "output-create",
            {
                "url": "https://example.org/x",
                "title": "t" * 201,
                "kind": "code",
                "addresses": "partly",
            },
            "at most 200 characters",
        ),
        (
            "output-create",
            {"url": "https://example.org/x", "title": "T", "kind": "poem", "addresses": "partly"},
            "Select a valid choice.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_comments_and_outputs_get_a_message_at_the_field(
    client, ada, project, url_name, data, field_message, htmx
):
    before = (list(Comment.objects.values()), list(Output.objects.values()), Event.objects.count())

    response = client.post(
        reverse(f"projects:{url_name}", args=[project.slug]), data, **(HTMX if htmx else {})
    )

    html = response.content.decode() if htmx else shown_after(client, response)
    assert field_message in html
    assert 'aria-invalid="true"' in html and "autofocus" in html
    assert 'class="errorlist' in html
    assert (
        list(Comment.objects.values()),
        list(Output.objects.values()),
        Event.objects.count(),
    ) == before


def test_the_same_output_url_twice_on_a_project_is_refused(client, ada, project):
    OutputFactory(project=project, url="https://example.org/paper")
    data = {
        "url": "https://example.org/paper",
        "title": "Again",
        "kind": "paper",
        "addresses": "fully",
    }

    response = client.post(reverse("projects:output-create", args=[project.slug]), data)

    assert "This link is already on this project." in shown_after(client, response, "link-output")
    assert Output.objects.count() == 1


def test_an_output_may_be_tied_to_your_own_claim_only(client, ada, project):
    mine = ClaimFactory(project=project, researcher=ada)
    theirs = ClaimFactory(project=project)
    url = reverse("projects:output-create", args=[project.slug])
    data = {"url": "https://example.org/a", "title": "A", "kind": "code", "addresses": "partly"}

    refused = client.post(url, {**data, "claim": theirs.pk})
    accepted = client.post(url, {**data, "claim": mine.pk})

    assert "Select a valid choice" in shown_after(client, refused)
    assert accepted.status_code == 303
    assert Output.objects.get().claim == mine


def test_check_in_with_an_empty_note_says_so_at_the_field(client, ada, project):
    claim = ClaimFactory(project=project, researcher=ada)

    response = client.post(
        reverse("projects:claim-check-in", args=[claim.pk]), {"note": ""}, **HTMX
    )

    assert "Say where things stand." in response.content.decode()
    claim.refresh_from_db()
    assert claim.progress_note == ""


def test_release_without_a_reason_says_so(client, ada, project):
    claim = ClaimFactory(project=project, researcher=ada)

    response = client.post(reverse("projects:claim-release", args=[claim.pk]), {})

    assert "Choose why you are releasing this claim." in shown_after(
        client, response, "release-reason_0"
    )
    assert Claim.objects.get().is_active


def test_a_plain_reply_with_bad_input_comes_back_at_its_own_field(client, ada, project):
    top = CommentFactory(project=project)

    response = client.post(
        reverse("projects:comment-create", args=[project.slug]), {"body": "", "parent": top.pk}
    )

    html = shown_after(client, response, f"reply-{top.pk}-body")
    assert f'id="reply-{top.pk}-body"' in html and "Write something first." in html


def test_a_reply_to_a_reply_is_refused(client, ada, project):
    top = CommentFactory(project=project)
    reply = CommentFactory(project=project, parent=top)

    response = client.post(
        reverse("projects:comment-create", args=[project.slug]),
        {"body": "Deep", "parent": reply.pk},
        **HTMX,
    )

    assert "You can reply only to a top-level comment." in response.content.decode()
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("parent", ["abc", "999999", "²", ""])
def test_a_reply_with_a_bad_parent_is_refused_not_a_500(client, ada, project, parent):
    url = reverse("projects:comment-create", args=[project.slug])

    response = client.post(url, {"body": "Hi", "parent": parent})

    assert response.status_code == 303
    assert not Comment.objects.exists()


def test_editing_a_comment_marks_it_edited_and_keeps_the_thread(client, ada, project):
    comment = CommentFactory(project=project, author=ada, body="First take")
    url = reverse("projects:comment-edit", args=[comment.pk])

    form = client.get(url, **HTMX)
    response = client.post(url, {"body": "Second take", "is_scope": "on"}, **HTMX)

    assert form.status_code == 200 and "First take" in form.content.decode()
    assert 'id="comment-' in form.content.decode() and "<html" not in form.content.decode()
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="discussion"')
    assert "Second take" in html and "(edited " in html
    comment.refresh_from_db()
    assert comment.is_scope and comment.edited_at


def test_edit_form_without_javascript_is_a_page(client, ada, project):
    comment = CommentFactory(project=project, author=ada)
    response = client.get(reverse("projects:comment-edit", args=[comment.pk]))
    assert response.status_code == 200
    assert "<h1>Edit your comment</h1>" in response.content.decode()


def test_interest_toggle_with_a_note_and_withdrawal(client, ada, project):
    url = reverse("projects:project-interest", args=[project.slug])

    added = client.post(url, {"note": "I can help with proofs"}, **HTMX).content.decode()
    withdrawn = client.post(url, {"note": "", "withdraw": "1"}, **HTMX).content.decode()

    assert "<strong>1</strong> person wants this done" in added
    assert "I can help with proofs" in added
    assert "<strong>0</strong> people want this done" in withdrawn
    assert not project.interests.exists()


def test_watch_toggle_counts_watchers_and_stays_out_of_the_public_history(client, ada, project):
    url = reverse("projects:project-watch", args=[project.slug])

    on = client.post(url, **HTMX).content.decode()
    off = client.post(url, {"stop": "1"}, **HTMX).content.decode()

    assert "<strong>1</strong> watching" in on and 'aria-pressed="true"' in on
    assert "<strong>0</strong> watching" in off
    assert "started watching" not in client.get(project.get_absolute_url()).content.decode()


def test_curators_accept_an_output_and_it_leads_the_page(client, curator, project):
    first = OutputFactory(project=project, title="Older pending")
    second = OutputFactory(project=project, title="Newer, accepted")
    client.force_login(curator)

    response = client.post(reverse("projects:output-accept", args=[second.pk]), **HTMX)

    html = response.content.decode()
    assert html.index("Newer, accepted") < html.index("Older pending")
    second.refresh_from_db()
    assert second.review == "accepted" and second.reviewed_by == curator
    assert first.review == "pending"


def test_curators_hide_and_unhide_comments(client, curator, project):
    comment = CommentFactory(project=project, body="Rude words")
    client.force_login(curator)

    client.post(reverse("projects:comment-hide", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == curator
    client.post(reverse("projects:comment-unhide", args=[comment.pk]))
    comment.refresh_from_db()
    assert not comment.is_hidden


# Script injection: stored as typed, shown inert.


def test_script_in_a_comment_is_stored_as_typed_and_shown_inert(client, ada, project):
    client.post(reverse("projects:comment-create", args=[project.slug]), {"body": SCRIPTS})

    comment = Comment.objects.get()
    assert comment.body == SCRIPTS
    assert_inert(comment.body_html)
    assert_inert(client.get(project.get_absolute_url()).content.decode(), allowed_scripts=6)


def test_script_in_a_plan_reply_and_edit_is_shown_inert(client, ada, project):
    client.post(claim_url(project), {"plan": SCRIPTS})
    top = CommentFactory(project=project, author=ada)
    client.post(
        reverse("projects:comment-create", args=[project.slug]), {"body": SCRIPTS, "parent": top.pk}
    )
    client.post(reverse("projects:comment-edit", args=[top.pk]), {"body": SCRIPTS})

    assert Claim.objects.get().plan == SCRIPTS
    assert_inert(Claim.objects.get().plan_html)
    for comment in Comment.objects.all():
        assert_inert(comment.body_html)
    assert_inert(client.get(project.get_absolute_url()).content.decode(), allowed_scripts=6)


def test_script_in_plain_text_fields_is_escaped(client, ada, project):
    title = '<script>alert("t")</script>'
    client.post(
        reverse("projects:output-create", args=[project.slug]),
        {"url": "https://example.org/x", "title": title, "kind": "code", "addresses": "partly"},
    )
    client.post(reverse("projects:project-interest", args=[project.slug]), {"note": title})
    client.post(reverse("accounts:profile-edit"), {"display_name": title, "bio": title})

    page = client.get(project.get_absolute_url()).content.decode()
    person = client.get(ada.get_absolute_url()).content.decode()
    for html in (page, person):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html


def test_nothing_can_be_added_to_a_merged_project(client, ada, curator):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same")
    urls = [
        (reverse("projects:comment-create", args=[duplicate.slug]), {"body": "Hi"}),
        (
            reverse("projects:output-create", args=[duplicate.slug]),
            {"url": "https://e.org", "title": "T", "kind": "code", "addresses": "partly"},
        ),
        (reverse("projects:project-interest", args=[duplicate.slug]), {}),
        (reverse("projects:project-watch", args=[duplicate.slug]), {}),
    ]
    for url, data in urls:
        assert client.post(url, data).status_code == 404
    claim = client.post(claim_url(duplicate), {}, **HTMX)
    assert "not open for claims" in claim.content.decode()
    assert not duplicate.comments.exists() and not Claim.objects.exists()


def test_the_claim_page_of_an_unpublished_proposal_is_404(client, ada):
    project = ProjectFactory(proposed=True)
    assert client.get(claim_url(project)).status_code == 404


def test_authors_cannot_edit_hidden_comments_and_nobody_flags_them(client, ada, curator, project):
    comment = CommentFactory(project=project, author=ada)
    comment.hide(by=curator)

    edit = client.post(reverse("projects:comment-edit", args=[comment.pk]), {"body": "Sneaky"})
    with pytest.raises(ValidationError):
        comment.flag(by=curator)

    assert edit.status_code == 403
    comment.refresh_from_db()
    assert comment.body != "Sneaky"


def test_saving_an_htmx_edit_replaces_the_whole_discussion(client, ada, project):
    comment = CommentFactory(project=project, author=ada)
    url = reverse("projects:comment-edit", args=[comment.pk])

    form = client.get(url, **HTMX).content.decode()
    saved = client.post(url, {"body": "New"}, **HTMX)

    assert f'id="edit-{comment.pk}-body"' in form and 'id="comment-body"' not in form
    assert saved["HX-Retarget"] == "#discussion" and saved["HX-Reswap"] == "outerHTML"


def test_odd_usernames_in_the_url_are_404_and_a_nul_is_400(client):
    assert client.get("/people/%00/").status_code == 400
    assert client.get("/people/a%20b/").status_code == 404


def test_pages_load_the_script_that_reports_failed_htmx_requests(client, project):
    assert "/static/js/htmx-errors.js" in client.get(project.get_absolute_url()).content.decode()


def test_a_plain_reply_to_a_comment_deleted_meanwhile_says_why_at_the_top(client, ada, project):
    parent = CommentFactory(project=project)
    parent.delete_by_author()

    response = client.post(
        reverse("projects:comment-create", args=[project.slug]),
        {"body": "My reply", "parent": parent.pk},
    )

    html = shown_after(client, response)
    assert "Not saved: That comment is no longer shown" in html
    assert Comment.objects.count() == 1


def test_an_htmx_check_in_on_a_claim_ended_meanwhile_says_why_in_the_panel(client, ada, project):
    claim = ClaimFactory(project=project, researcher=ada)
    claim.complete()

    response = client.post(
        reverse("projects:claim-check-in", args=[claim.pk]), {"note": "Still here"}, **HTMX
    )

    panel = response.content.decode().split('id="history"')[0]
    assert "Not saved: This claim has already ended." in panel
    assert 'id="announcer" class="visually-hidden" role="status" hx-swap-oob="innerHTML"' in (
        response.content.decode()
    )


def test_a_form_sent_back_shows_only_on_its_own_page_and_only_once(client, ada, project):
    other = ProjectFactory()
    client.post(reverse("projects:comment-create", args=[project.slug]), {"body": ""})

    elsewhere = client.get(other.get_absolute_url()).content.decode()
    back = client.get(project.get_absolute_url()).content.decode()

    assert "Write something first." not in elsewhere
    assert "Write something first." not in back  # the visit elsewhere took it


def test_a_plain_claim_on_a_project_merged_meanwhile_says_why_on_the_kept_project(
    client, ada, curator
):
    kept, duplicate = ProjectFactory(), ProjectFactory()
    services.project_merge(duplicate=duplicate, kept=kept, by=curator, reason="Same")

    response = client.post(claim_url(duplicate), {"plan": "Mine"}, follow=True)

    assert response.redirect_chain[-1][0] == kept.get_absolute_url()
    assert "Not claimed: This project is not open for claims." in response.content.decode()
    assert not Claim.objects.exists()
