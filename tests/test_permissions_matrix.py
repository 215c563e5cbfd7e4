"""Every POST endpoint against every role: anonymous, another researcher, the owner, a curator.

Anonymous users are sent to log in, the wrong role gets 403, and in both cases nothing
changes; the allowed role changes something. A POST without a CSRF token is refused.
"""

from dataclasses import dataclass

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Frequency, Notification, Preference, Topic
from projects.models import (
    Claim,
    Comment,
    Event,
    Flag,
    Interest,
    Output,
    Project,
    Proposal,
    Watch,
)
from tests.factories import (
    ClaimFactory,
    CommentFactory,
    OutputFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other", "owner", "curator")


@dataclass
class World:
    """A project with one of everything, owned by ``owner``."""

    owner: User
    other: User
    curator: User

    def __post_init__(self) -> None:
        self.project = ProjectFactory()
        self.claim = ClaimFactory(project=self.project, researcher=self.owner)
        self.comment = CommentFactory(project=self.project, author=self.owner)
        self.hidden = CommentFactory(project=self.project, author=self.owner)
        self.hidden.hide(by=self.curator)
        self.output = OutputFactory(project=self.project, submitted_by=self.owner)
        # The owner's claim on another project, gone dormant: theirs to revive.
        self.dormant = ClaimFactory(
            researcher=self.owner, state=Claim.State.DORMANT, ended_at=timezone.now()
        )
        # Something each of them has yet to read: replies to the others' questions, which
        # the owner, who holds a claim here, hears of too.
        bystander = UserFactory()
        for author in (self.other, self.curator):
            question = self.project.add_comment(author=author, body="A question.")
            self.project.add_comment(author=bystander, parent=question, body="An answer.")


def state() -> list:
    """Every row of every table a POST here could change."""
    rows = []
    for model in (
        *(Claim, Comment, Output, Interest, Watch, Event, User, Project, Proposal, Flag),
        *(Notification, Preference),
    ):
        rows += [model_to_dict(obj) for obj in model.objects.order_by("pk")]
    return rows


# name: (url, data, roles allowed to make the change)
ENDPOINTS = {
    "claim": (
        lambda w: reverse("projects:project-claim", args=[w.project.slug]),
        {"plan": "Go"},
        {"other", "curator"},
    ),
    "check in": (
        lambda w: reverse("projects:claim-check-in", args=[w.claim.pk]),
        {"note": "Halfway"},
        {"owner"},
    ),
    "still on it": (
        lambda w: reverse("projects:claim-confirm", args=[w.claim.pk]),
        {},
        {"owner"},
    ),
    "complete": (lambda w: reverse("projects:claim-complete", args=[w.claim.pk]), {}, {"owner"}),
    "release": (
        lambda w: reverse("projects:claim-release", args=[w.claim.pk]),
        {"reason": "gave_up"},
        {"owner"},
    ),
    "revive": (
        lambda w: reverse("projects:claim-revive", args=[w.dormant.pk]),
        {},
        {"owner"},
    ),
    "interest": (
        lambda w: reverse("projects:project-interest", args=[w.project.slug]),
        {"note": "Keen"},
        {"other", "owner", "curator"},
    ),
    "watch": (
        lambda w: reverse("projects:project-watch", args=[w.project.slug]),
        {},
        {"other", "owner", "curator"},
    ),
    "comment": (
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        {"body": "Hi"},
        {"other", "owner", "curator"},
    ),
    "reply": (
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        {"body": "Re", "parent": "{comment}"},
        {"other", "owner", "curator"},
    ),
    "edit comment": (
        lambda w: reverse("projects:comment-edit", args=[w.comment.pk]),
        {"body": "Edited"},
        {"owner"},
    ),
    "delete comment": (
        lambda w: reverse("projects:comment-delete", args=[w.comment.pk]),
        {},
        {"owner"},
    ),
    "hide comment": (
        lambda w: reverse("projects:comment-hide", args=[w.comment.pk]),
        {},
        {"curator"},
    ),
    "unhide comment": (
        lambda w: reverse("projects:comment-unhide", args=[w.hidden.pk]),
        {},
        {"curator"},
    ),
    "link output": (
        lambda w: reverse("projects:output-create", args=[w.project.slug]),
        {"url": "https://example.org/new", "title": "New", "kind": "code", "addresses": "partly"},
        {"other", "owner", "curator"},
    ),
    "accept output": (
        lambda w: reverse("projects:output-accept", args=[w.output.pk]),
        {},
        {"curator"},
    ),
    "reject output": (
        lambda w: reverse("projects:output-reject", args=[w.output.pk]),
        {},
        {"curator"},
    ),
    "propose project": (
        lambda w: reverse("projects:project-propose"),
        {"title": "New idea", "description": "Do X.", "kind": "paper"},
        {"other", "owner", "curator"},
    ),
    "propose edit": (
        lambda w: reverse("projects:project-propose-edit", args=[w.project.slug]),
        {"title": "Better title", "description": "Do X.", "kind": "paper"},
        {"other", "owner", "curator"},
    ),
    "flag comment": (
        lambda w: reverse("projects:comment-flag", args=[w.comment.pk]),
        {"reason": "Spam"},
        {"other", "curator"},
    ),
    "edit profile": (
        lambda w: reverse("accounts:profile-edit"),
        {"display_name": "New name"},
        {"other", "owner", "curator"},
    ),
    "mark notifications read": (
        lambda w: reverse("notifications:notification-mark-read"),
        {},
        {"other", "owner", "curator"},
    ),
    "notification settings": (
        lambda w: reverse("notifications:preference-edit"),
        # Every topic weekly, but reminders and proposals, which offer at once or never.
        {
            **dict.fromkeys(Topic.values, Frequency.WEEKLY),
            "reminders": "never",
            "proposals": "never",
        },
        {"other", "owner", "curator"},
    ),
}


# (endpoint, role): the refusal the role gets, for actions open to everyone but not now.
REFUSED = {
    ("claim", "owner"): "You already have an active claim on this project.",
}


@pytest.fixture
def world(researcher, other_researcher, curator) -> World:
    return World(owner=researcher, other=other_researcher, curator=curator)


def post(client: Client, world: World, name: str) -> tuple:
    url_for, data, allowed = ENDPOINTS[name]
    data = {k: v.format(comment=world.comment.pk) for k, v in data.items()}
    return client.post(url_for(world), data, HTTP_REFERER=world.project.get_absolute_url()), allowed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_post_endpoint_for_each_role(client, world, name, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    before = state()

    response, allowed = post(client, world, name)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert state() == before
    elif (name, role) in REFUSED:
        # Allowed to try, but the domain says no: a clear message at the form, not a 403.
        assert response.status_code == 303
        assert REFUSED[name, role] in client.get(response["Location"]).content.decode()
        assert state() == before
    elif role in allowed:
        assert response.status_code in (302, 303), response.content.decode()[:2000]
        assert state() != before
    else:
        assert response.status_code == 403
        assert state() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_each_post_endpoint_refuses_a_request_without_a_csrf_token(world, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.curator if "curator" in ENDPOINTS[name][2] else world.owner)
    before = state()

    response, _ = post(client, world, name)

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert state() == before


def test_htmx_requests_from_anonymous_users_are_told_to_go_to_login(client, world):
    response = client.post(
        reverse("projects:project-watch", args=[world.project.slug]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + world.project.get_absolute_url(),
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login") + "?next=")
    assert not Watch.objects.exists()


def test_login_sends_you_back_to_the_page_not_to_the_post_only_url(client, world):
    response = client.post(
        reverse("projects:project-watch", args=[world.project.slug]),
        HTTP_REFERER="http://testserver" + world.project.get_absolute_url(),
    )
    assert response["Location"].endswith("?next=" + world.project.get_absolute_url())


def test_data_never_changes_on_get(client, world):
    client.force_login(world.owner)
    before = state()
    for name, (url_for, _, _) in ENDPOINTS.items():
        response = client.get(url_for(world))
        # The form's page (or the page holding it, 303), a refusal, or no GET at all.
        assert response.status_code in (200, 303, 403, 405), name
    assert state() == before
