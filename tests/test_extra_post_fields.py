"""Fields a form does not have, sent with it anyway, are ignored: every real form of the
site (and allauth's sign-up, and a curator's project page in the admin) posted with valid
input plus ``author``, ``researcher``, ``status``, ``state``, ``review``, ``is_staff``,
``is_superuser`` and the like makes only the change the form makes, as the one who sent
it, and nobody's account changes its standing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from notifications.models import Preference, Topic
from projects.models import Claim, Comment, Flag, Interest, Output, Project, Proposal, Watch
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """The sender (``me``), someone else, and what the forms act on."""

    me: User
    other: User

    def __post_init__(self) -> None:
        self.project = ProjectFactory()
        self.unclaimed = ProjectFactory()
        self.elsewhere = ProjectFactory()
        self.claim = self.project.claim(researcher=self.me, plan="Mine.")
        self.dormant = self.elsewhere.claim(researcher=self.me)
        Claim.objects.filter(pk=self.dormant.pk).update(state=Claim.State.DORMANT)
        self.my_comment = self.project.add_comment(author=self.me, body="Mine.")
        self.their_comment = self.project.add_comment(author=self.other, body="Theirs.")


def extras(w: World) -> dict:
    """Fields no form of the site has, naming someone else, another project, or a standing."""
    someone, group = w.other.pk, Group.objects.get(name="Curators").pk
    return {
        **dict.fromkeys(["author", "researcher", "submitted_by", "proposer", "user"], someone),
        **dict.fromkeys(["flagged_by", "decided_by", "reviewed_by", "owner", "id", "pk"], someone),
        "project": w.elsewhere.pk,
        "status": Project.Status.ADDRESSED,
        "state": Proposal.State.APPROVED,
        "review": Output.Review.ACCEPTED,
        "hidden_at": "2020-01-01 00:00",
        "deleted_at": "2020-01-01 00:00",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "",
        "groups": group,
        "user_permissions": Permission.objects.get(codename="change_user").pk,
        "username": "root",
        "email": "root@example.org",
    }


@dataclass(frozen=True)
class Form:
    """A form: where it posts, its valid input, and what must hold after it."""

    url: Callable[[World], str]
    data: Callable[[World], dict]
    holds: Callable[[World], bool]


def one(queryset, **kwargs):
    """The only row of ``queryset`` that was made or changed as ``kwargs`` say, or None."""
    rows = list(queryset.filter(**kwargs))
    return rows[0] if len(rows) == 1 else None


FORMS = {
    "claim": Form(
        lambda w: reverse("projects:project-claim", args=[w.unclaimed.slug]),
        lambda w: {"plan": "Do it.", "output_kind": "paper"},
        lambda w: (
            one(
                Claim.objects.filter(project=w.unclaimed), researcher=w.me, state=Claim.State.ACTIVE
            )
            and w.unclaimed.status == Project.Status.OPEN
        ),
    ),
    "check in": Form(
        lambda w: reverse("projects:claim-check-in", args=[w.claim.pk]),
        lambda w: {"note": "Halfway."},
        lambda w: (
            one(Claim.objects.filter(pk=w.claim.pk), researcher=w.me, state="active")
            and w.claim.progress_note == "Halfway."
        ),
    ),
    "still on it": Form(
        lambda w: reverse("projects:claim-confirm", args=[w.claim.pk]),
        lambda w: {},
        lambda w: one(Claim.objects.filter(pk=w.claim.pk), researcher=w.me, state="active"),
    ),
    "complete": Form(
        lambda w: reverse("projects:claim-complete", args=[w.claim.pk]),
        lambda w: {"note": "Done."},
        lambda w: one(Claim.objects.filter(pk=w.claim.pk), researcher=w.me, state="completed"),
    ),
    "release": Form(
        lambda w: reverse("projects:claim-release", args=[w.claim.pk]),
        lambda w: {"reason": Claim.ReleaseReason.GAVE_UP},
        lambda w: one(Claim.objects.filter(pk=w.claim.pk), researcher=w.me, state="released"),
    ),
    "revive": Form(
        lambda w: reverse("projects:claim-revive", args=[w.dormant.pk]),
        lambda w: {},
        lambda w: one(Claim.objects.filter(pk=w.dormant.pk), researcher=w.me, state="active"),
    ),
    "comment": Form(
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        lambda w: {"body": "A new comment."},
        lambda w: one(
            Comment.objects.filter(project=w.project, body="A new comment."),
            author=w.me,
            hidden_at=None,
            deleted_at=None,
        ),
    ),
    "reply": Form(
        lambda w: reverse("projects:comment-create", args=[w.project.slug]),
        lambda w: {"body": "A reply.", "parent": w.their_comment.pk},
        lambda w: one(
            Comment.objects.filter(project=w.project, body="A reply."),
            author=w.me,
            parent=w.their_comment,
            hidden_at=None,
        ),
    ),
    "edit comment": Form(
        lambda w: reverse("projects:comment-edit", args=[w.my_comment.pk]),
        lambda w: {"body": "Edited."},
        lambda w: one(
            Comment.objects.filter(pk=w.my_comment.pk, body="Edited."),
            author=w.me,
            project=w.project,
            hidden_at=None,
            deleted_at=None,
        ),
    ),
    "flag comment": Form(
        lambda w: reverse("projects:comment-flag", args=[w.their_comment.pk]),
        lambda w: {"reason": "Spam."},
        lambda w: (
            one(Flag.objects.filter(comment=w.their_comment), flagged_by=w.me)
            and w.their_comment.is_shown
        ),
    ),
    "link output": Form(
        lambda w: reverse("projects:output-create", args=[w.project.slug]),
        lambda w: {
            "url": "https://example.org/mine",
            "title": "Mine",
            "kind": "code",
            "addresses": "partly",
        },
        lambda w: one(
            Output.objects.filter(url="https://example.org/mine"),
            project=w.project,
            submitted_by=w.me,
            review=Output.Review.PENDING,
        ),
    ),
    "interest": Form(
        lambda w: reverse("projects:project-interest", args=[w.project.slug]),
        lambda w: {"note": "Keen."},
        lambda w: one(Interest.objects.all(), project=w.project, researcher=w.me),
    ),
    "watch": Form(
        lambda w: reverse("projects:project-watch", args=[w.project.slug]),
        lambda w: {},
        lambda w: one(Watch.objects.all(), project=w.project, user=w.me),
    ),
    "propose project": Form(
        lambda w: reverse("projects:project-propose"),
        lambda w: {"title": "A new idea", "description": "Do X.", "kind": "paper"},
        lambda w: one(
            Proposal.objects.all(),
            proposer=w.me,
            state=Proposal.State.PENDING,
            project__status=Project.Status.PROPOSED,
        ),
    ),
    "propose edit": Form(
        lambda w: reverse("projects:project-propose-edit", args=[w.project.slug]),
        lambda w: {"title": "A better title", "description": "Do X.", "kind": "paper"},
        lambda w: (
            one(Proposal.objects.all(), proposer=w.me, project=w.project, state="pending")
            and w.project.title != "A better title"
            and w.project.status == Project.Status.OPEN
        ),
    ),
    "edit profile": Form(
        lambda w: reverse("accounts:profile-edit"),
        lambda w: {"display_name": "Me, renamed"},
        lambda w: (
            w.me.display_name == "Me, renamed"
            and (w.me.username, w.me.email) == ("ada", "ada@example.org")
        ),
    ),
    "notification settings": Form(
        lambda w: reverse("notifications:preference-edit"),
        lambda w: {
            **dict.fromkeys(Topic.values, "weekly"),
            "reminders": "never",
            "proposals": "never",
        },
        lambda w: (
            Preference.objects.filter(user=w.me).exists()
            and not Preference.objects.filter(user=w.other).exists()
        ),
    ),
}


def standing() -> dict:
    """Each account's standing: active, staff, superuser, groups, permissions, name, email."""
    return {
        user.pk: (
            user.is_active,
            user.is_staff,
            user.is_superuser,
            sorted(user.groups.values_list("pk", flat=True)),
            sorted(user.user_permissions.values_list("pk", flat=True)),
            user.username,
            user.email,
        )
        for user in User.objects.all()
    }


@pytest.mark.parametrize("name", FORMS)
def test_fields_a_form_does_not_have_change_nothing(client, researcher, other_researcher, name):
    world = World(me=researcher, other=other_researcher)
    form = FORMS[name]
    client.force_login(world.me)
    accounts = standing()

    response = client.post(form.url(world), {**extras(world), **form.data(world)})

    assert response.status_code in (302, 303), response.content.decode()[:500]
    for obj in (world.me, world.other, world.project, world.unclaimed, world.claim):
        obj.refresh_from_db()
    world.their_comment.refresh_from_db()
    assert form.holds(world)
    assert standing() == accounts
    # Nothing was made in someone else's name, nor on the other project.
    assert not Claim.objects.filter(researcher=world.other).exists()
    assert not Output.objects.filter(submitted_by=world.other).exists()
    assert not world.elsewhere.comments.exists()
    assert not Proposal.objects.filter(proposer=world.other).exists()


def test_signing_up_with_staff_fields_makes_a_plain_researcher(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "username": "newcomer",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": Group.objects.get(name="Curators").pk,
            "user_permissions": Permission.objects.get(codename="change_user").pk,
        },
    )

    user = User.objects.get(username="newcomer")
    assert response.status_code == 302
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)
    assert not user.groups.exists() and not user.user_permissions.exists()


def test_a_curator_cannot_set_a_projects_status_or_merge_it_through_its_admin_page(
    client, curator, curating
):
    project, other = ProjectFactory(), ProjectFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    data.update(title="Renamed by a curator", status="retired", merged_into=other.pk)
    data.update(is_superuser="on", is_staff="on")

    response = client.post(url, data)

    project.refresh_from_db()
    curator.refresh_from_db()
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert project.title == "Renamed by a curator"
    assert (project.status, project.merged_into) == (Project.Status.OPEN, None)
    assert not curator.is_superuser
