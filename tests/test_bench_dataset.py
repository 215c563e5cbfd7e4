"""The page benchmark's data sets (bench/dataset.py): each holds what it promises, consistent
as if made through the app, and the pages the benchmark requests answer."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.test import Client

from accounts.models import User
from bench import dataset
from projects.models import Agenda, Claim, Comment, Event, Interest, Output, Project, Watch

COMMENT = re.compile(r'<article id="comment-\d+"')


@pytest.fixture
def small(db) -> dict[str, str]:
    """The small set, built into the test database; its facts."""
    return dataset.build("small")


def comments_shown(client: Client, slug: str) -> int:
    """How many comments the first page of a project's page shows."""
    response = client.get(f"/projects/{slug}/")
    assert response.status_code == 200
    return len(COMMENT.findall(response.content.decode()))


def assert_pages_answer(client: Client, facts: dict[str, str]) -> None:
    """Every page the benchmark requests answers 200, and the search finds several projects."""
    for url in [
        "/",
        "/agendas/",
        "/activity/",
        f"/agendas/{facts['agenda']}/",
        f"/projects/{facts['project']}/",
        f"/projects/{facts['big_project']}/",
        f"/projects/{facts['comment_project']}/",
        f"/tags/{facts['tag']}/",
        f"/?tag={facts['tag']}",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.get("/", {"q": facts["search"]})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count >= 3


def assert_consistent() -> None:
    """What the domain's methods would have kept true holds for the bulk-made rows."""
    active = Claim.objects.active()
    assert not active.exclude(project__status=Project.Status.OPEN).exists()
    most = active.values("researcher").annotate(n=Count("pk")).aggregate(most=Max("n"))["most"]
    assert most <= 5
    over_limit = (
        Project.objects.filter(claim_limit__isnull=False)
        .annotate(n=Count("claims", filter=Q(claims__state=Claim.State.ACTIVE)))
        .filter(n__gt=F("claim_limit"))
    )
    assert not over_limit.exists()
    # An active claim's last activity is its holder's latest event on the project.
    latest = Subquery(
        Event.objects.filter(
            project=OuterRef("project"),
            actor=OuterRef("researcher"),
            created_at__gte=OuterRef("started_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    assert not active.annotate(latest=latest).filter(latest__gt=F("last_activity_at")).exists()
    # One event per comment, claim and output, as Project.add_comment, claim and link_output
    # record them.
    kinds = Event.Kind
    assert Event.objects.filter(kind__in=[kinds.COMMENTED, kinds.REPLIED]).count() == (
        Comment.objects.count()
    )
    assert Event.objects.filter(kind=kinds.CLAIMED).count() == Claim.objects.count()
    assert Event.objects.filter(kind=kinds.OUTPUT_LINKED).count() == Output.objects.count()
    assert Event.objects.filter(kind=kinds.INTERESTED).count() == Interest.objects.count()
    assert Event.objects.filter(kind=kinds.WATCHED).count() == Watch.objects.count()
    # Rendered HTML everywhere a markdown source is.
    assert not Comment.objects.filter(body_html="").exists()
    assert not Project.objects.filter(description_html="").exists()


def test_small_set_is_the_seed_agenda_with_some_activity(small):
    assert Agenda.objects.count() == 1
    assert Project.objects.count() == 26
    assert User.objects.count() == 14
    big = Project.objects.get(slug=small["big_project"])
    assert big.comments.shown().count() == 1000
    typical = Project.objects.get(slug=small["project"])
    assert typical.comments.shown().threads().count() == 30
    assert typical.comments.shown().filter(parent__isnull=False).count() == 20
    assert typical.claims.count() == 10
    assert typical.claims.active().count() == 4
    assert set(typical.claims.values_list("state", flat=True)) == set(Claim.State.values)
    assert typical.outputs.count() == 10
    assert typical.outputs.accepted().count() == 4
    assert Project.objects.get(slug=small["comment_project"]).is_open
    assert Project.objects.filter(tags__slug=small["tag"]).count() >= 5
    assert_consistent()


def test_small_set_pages_answer(client, small):
    assert_pages_answer(client, small)


def test_typical_project_shows_fifty_comments(client, small):
    assert comments_shown(client, small["project"]) == 50


def test_researcher_signs_in_and_holds_a_claim(client, small):
    researcher = User.objects.get(username=small["researcher"])
    assert researcher.is_active
    assert EmailAddress.objects.filter(user=researcher, verified=True, primary=True).exists()
    assert researcher.claims.active().filter(project__slug=small["project"]).exists()
    assert researcher.comments.filter(project__slug=small["project"]).exists()
    assert researcher.watches.filter(project__slug=small["project"]).exists()
    assert researcher.claims.active().count() <= 5
    assert researcher.watches.exists() and researcher.interests.exists()
    assert researcher.notifications.exists()
    assert client.login(username=small["researcher"], password=small["password"])
    assert comments_shown(client, small["project"]) == 50


def test_two_builds_make_the_same_data(db):
    def fingerprint() -> list:
        """What was made and by whom (not when: times count back from the build)."""
        with transaction.atomic():
            dataset.build("small")
            comments = Comment.objects.values_list("project__slug", "author__username", "body")
            claims = Claim.objects.values_list("project__slug", "researcher__username", "state")
            rows = [list(comments.order_by("pk")), list(claims.order_by("pk"))]
            transaction.set_rollback(True)  # an empty database again for the second build
        return rows

    assert fingerprint() == fingerprint()


def test_only_two_sizes():
    with pytest.raises(ValueError, match="small"):
        dataset.build("medium")


@pytest.mark.postgresql
def test_small_set_is_searchable_through_stored_vectors(small):
    assert not Project.objects.filter(search_vector__isnull=True).exists()
    assert Project.objects.search(small["search"]).count() >= 3


@pytest.mark.postgresql
def test_large_set_at_one_percent(client, db):
    facts = dataset.build("large", scale=0.01)
    assert Agenda.objects.count() == 2
    assert Project.objects.count() == 100
    assert Project.objects.filter(agenda__slug=facts["agenda"]).count() == 50
    # The typical and the big project keep their sizes; the rest is a hundredth.
    assert Comment.objects.count() == 1050 + round(98_950 / 100)
    assert Project.objects.get(slug=facts["big_project"]).comments.shown().count() == 1000
    # Besides the hundredth, the typical project's ten and the researcher's five elsewhere.
    assert Claim.objects.count() == 10 + round(19_990 / 100) + 5
    assert Output.objects.count() == 10 + round(4_990 / 100)
    assert User.objects.count() == 20
    assert not Project.objects.filter(search_vector__isnull=True).exists()
    assert_consistent()
    assert_pages_answer(client, facts)
    assert comments_shown(client, facts["project"]) == 50
