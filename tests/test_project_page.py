"""The project page with people on it: claims, outputs, discussion, signals, history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Claim, Comment, Output
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def fill(project, *, comments: int, claims: int, outputs: int) -> None:
    """Give a project activity: comments (half of them replies), claims, outputs, signals."""
    top = CommentFactory(project=project)
    for n in range(comments - 1):
        CommentFactory(project=project, parent=top if n % 2 else None)
    for _ in range(claims):
        ClaimFactory(project=project)
        completed = ClaimFactory(project=project, state=Claim.State.COMPLETED)
        OutputFactory(project=project, claim=completed)
        ClaimFactory(project=project, state=Claim.State.RELEASED)
    for n in range(outputs):
        OutputFactory(project=project, review="accepted" if n % 2 else "pending")
    for _ in range(claims):
        user = UserFactory()
        project.set_interest(researcher=user, interested=True, note="I can review")
        project.set_watch(user=user, watching=True)


def page_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("as_user", ["anonymous", "researcher", "curator"])
def test_the_project_page_query_count_does_not_grow_with_activity(client, as_user, request):
    """Guards N+1s on the project page: each claim's researcher, each comment's author and
    replies, each output's linker, each interest's researcher, each event's actor."""
    if as_user != "anonymous":
        client.force_login(request.getfixturevalue(as_user))
    small, big = ProjectFactory(), ProjectFactory()
    fill(small, comments=1, claims=1, outputs=1)
    fill(big, comments=50, claims=10, outputs=10)

    assert page_queries(client, small) == page_queries(client, big)


def test_the_list_query_count_does_not_grow_with_claims_and_outputs(client):
    """Guards the N+1 of reading each row's active claims, holders and accepted outputs."""
    small, big = ProjectFactory(), ProjectFactory()
    fill(small, comments=1, claims=1, outputs=1)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    fill(big, comments=50, claims=10, outputs=10)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(few) == len(many)


def test_the_list_shows_who_holds_each_project_and_accepted_outputs(client):
    project = ProjectFactory()
    ClaimFactory(project=project, researcher=UserFactory(username="ada", display_name="Ada L."))
    ClaimFactory(project=project, researcher=UserFactory(username="alan"), state="released")
    OutputFactory(project=project, title="The answer", accepted=True)
    OutputFactory(project=project, title="A draft under review")

    html = client.get("/").content.decode()

    assert "1 researcher: Ada L." in html and "alan" not in html
    assert "The answer" in html and "A draft under review" not in html


def test_the_page_shows_claims_with_plans_outputs_accepted_first_and_the_thread(client):
    project = ProjectFactory()
    ClaimFactory(project=project, plan="Start with **toy models**.")
    pending = OutputFactory(project=project, title="Pending one")
    accepted = OutputFactory(project=project, title="Accepted one", accepted=True)
    rejected = OutputFactory(project=project, title="Rejected one", review="rejected")
    top = CommentFactory(project=project, body="Scope question", is_scope=True)
    CommentFactory(project=project, parent=top, body="A reply")

    html = client.get(project.get_absolute_url()).content.decode()

    assert "<strong>toy models</strong>" in html
    assert html.index(accepted.title) < html.index(pending.title)
    assert rejected.title not in html
    assert "Scope</span>" in html and "A reply" in html
    assert "claimed this project" not in html  # made by factories, not by the domain: no event


def test_deleted_and_hidden_comments_leave_placeholders_and_keep_their_replies(client, curator):
    project = ProjectFactory()
    deleted = CommentFactory(project=project, body="Regrettable words")
    CommentFactory(project=project, parent=deleted, body="A reply that stays")
    hidden = CommentFactory(project=project, body="Spam spam spam")
    deleted.delete_by_author()
    hidden.hide(by=curator)

    html = client.get(project.get_absolute_url()).content.decode()

    assert "Regrettable words" not in html and "deleted by its author" in html
    assert "A reply that stays" in html
    assert "Spam spam spam" not in html and "hidden by a curator" in html
    client.force_login(curator)
    assert "Spam spam spam" in client.get(project.get_absolute_url()).content.decode()


def test_the_history_lists_what_happened_newest_first(client, researcher):
    project = ProjectFactory()
    claim = project.claim(researcher=researcher)
    project.add_comment(author=researcher, body="Started.")
    claim.release(reason="gave_up")

    html = client.get(project.get_absolute_url()).content.decode()
    history = html[html.index('id="history"') :]

    assert (
        history.index("released a claim")
        < history.index("commented")
        < history.index("claimed this project")
    )
    assert (
        Claim.objects.count() == 1 and Comment.objects.count() == 1 and not Output.objects.exists()
    )


def test_the_history_never_names_a_rejected_output(client, researcher, curator):
    project = ProjectFactory()
    project.link_output(
        by=researcher, url="https://example.org/a", title="A good result", kind="paper"
    )
    dropped = project.link_output(
        by=researcher, url="https://example.org/b", title="A spam link", kind="paper"
    )
    dropped.reject(by=curator)

    html = client.get(project.get_absolute_url()).content.decode()
    history = html[html.index('id="history"') :]

    assert "A good result" in history and "A spam link" not in html
    assert "rejected an output" in history


def test_the_page_answers_vary_on_hx_request(client):
    project = ProjectFactory()
    assert "HX-Request" in client.get(project.get_absolute_url())["Vary"]


def test_the_page_query_count_does_not_grow_with_your_own_claims(client, researcher):
    """Guards the per-option query of the output form's "from your claim" choices."""
    small, big = ProjectFactory(), ProjectFactory()
    for project, ended in ((small, 1), (big, 10)):
        ClaimFactory(project=project, researcher=researcher)
        for _ in range(ended):
            ClaimFactory(project=project, researcher=researcher, state=Claim.State.RELEASED)
    client.force_login(researcher)

    assert page_queries(client, small) == page_queries(client, big)


HTMX = {"HTTP_HX_REQUEST": "true"}


def fragment_request(name: str, project, user, curator):
    """The htmx POST of one action on ``project``: (who acts, url, data)."""
    from django.urls import reverse

    def on_claim(action, state=Claim.State.ACTIVE):
        claim = ClaimFactory(project=project, researcher=user, state=state)
        return reverse(f"projects:claim-{action}", args=[claim.pk])

    def on_comment(action, author=None):
        comment = CommentFactory(project=project, author=author or user)
        return reverse(f"projects:comment-{action}", args=[comment.pk])

    def on_hidden_comment():
        comment = CommentFactory(project=project)
        comment.hide(by=curator)
        return reverse("projects:comment-unhide", args=[comment.pk])

    def on_output(action):
        return reverse(f"projects:output-{action}", args=[OutputFactory(project=project).pk])

    slug = project.slug
    return {
        "claim": lambda: (user, reverse("projects:project-claim", args=[slug]), {"plan": "Go"}),
        "check in": lambda: (user, on_claim("check-in"), {"note": "Halfway"}),
        "still on it": lambda: (user, on_claim("confirm"), {}),
        "revive": lambda: (user, on_claim("revive", Claim.State.DORMANT), {}),
        "complete": lambda: (user, on_claim("complete"), {}),
        "release": lambda: (user, on_claim("release"), {"reason": "gave_up"}),
        "interest": lambda: (
            user,
            reverse("projects:project-interest", args=[slug]),
            {"note": "Keen"},
        ),
        "watch": lambda: (user, reverse("projects:project-watch", args=[slug]), {}),
        "comment": lambda: (user, reverse("projects:comment-create", args=[slug]), {"body": "Hi"}),
        "edit": lambda: (user, on_comment("edit"), {"body": "Changed"}),
        "delete": lambda: (user, on_comment("delete"), {}),
        "flag": lambda: (user, on_comment("flag", author=UserFactory()), {"reason": "Spam"}),
        "hide": lambda: (curator, on_comment("hide"), {}),
        "unhide": lambda: (curator, on_hidden_comment(), {}),
        "empty comment": lambda: (
            user,
            reverse("projects:comment-create", args=[slug]),
            {"body": ""},
        ),
        "link output": lambda: (
            user,
            reverse("projects:output-create", args=[slug]),
            {"url": "https://e.org/new", "title": "New", "kind": "code", "addresses": "partly"},
        ),
        "accept output": lambda: (curator, on_output("accept"), {}),
        "reject output": lambda: (curator, on_output("reject"), {}),
    }[name]()


FRAGMENTS = [
    "claim",
    "check in",
    "still on it",
    "revive",
    "complete",
    "release",
    "interest",
    "watch",
    "comment",
    "edit",
    "delete",
    "flag",
    "hide",
    "unhide",
    "empty comment",
    "link output",
    "accept output",
    "reject output",
]


def fragment_queries(client, name, project, user, curator) -> int:
    actor, url, data = fragment_request(name, project, user, curator)
    client.force_login(actor)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **HTMX)
    assert response.status_code == 200 and "<html" not in response.content.decode()
    return len(queries)


@pytest.mark.parametrize("name", FRAGMENTS)
def test_each_htmx_answer_costs_the_same_on_a_quiet_and_a_busy_project(
    client, researcher, curator, name
):
    """Guards N+1s in each section an htmx action answers with (and the history sent
    with it): the same queries for a project with one of everything as for fifty."""
    small, big = ProjectFactory(), ProjectFactory()
    fill(small, comments=1, claims=1, outputs=1)
    fill(big, comments=50, claims=10, outputs=10)

    assert fragment_queries(client, name, small, researcher, curator) == fragment_queries(
        client, name, big, researcher, curator
    )


def test_a_watch_toggle_loads_only_its_own_section(client, researcher, curator):
    """Guards a toggle rebuilding the whole page's context: interest and watching, plus
    the history, and nothing of the discussion, claims or outputs."""
    project = ProjectFactory()
    fill(project, comments=5, claims=2, outputs=2)

    queries = fragment_queries(client, "watch", project, researcher, curator)

    assert queries <= 14


def test_a_completed_claim_is_shown_as_completed_with_what_came_of_it(client):
    project = ProjectFactory()
    done = ClaimFactory(
        project=project,
        researcher=UserFactory(username="ada"),
        state=Claim.State.COMPLETED,
        ended_at=timezone.now(),
    )
    output = OutputFactory(project=project, claim=done, title="The write-up")

    html = client.get(project.get_absolute_url()).content.decode()
    panel = html[html.index('id="claim-panel"') : html.index('id="signals"')]

    assert "Nobody has claimed this project yet." not in panel
    assert "Nobody is working on it now." in panel
    completed = panel[panel.index('<h3 class="claims-subhead">Completed</h3>') :]
    assert "ada" in completed and f'<a href="#output-{output.pk}">The write-up</a>' in completed
    assert "Earlier claims" not in panel


def test_the_list_says_who_completed_a_project(client):
    project = ProjectFactory()
    ClaimFactory(
        project=project,
        researcher=UserFactory(username="ada"),
        state=Claim.State.COMPLETED,
        ended_at=timezone.now(),
    )

    html = client.get("/").content.decode()

    assert "completed by ada" in html
