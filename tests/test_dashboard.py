"""Your board (/me/): your claims with their freshness, what you follow, what waits."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Interest, Watch
from tests.factories import ClaimFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_your_board_needs_you_to_sign_in(client):
    response = client.get("/me/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_your_board_shows_your_claims_with_their_freshness_and_dates(client, researcher):
    client.force_login(researcher)
    today = timezone.localdate()
    ClaimFactory(
        researcher=researcher,
        project=ProjectFactory(title="Fresh work"),
        target_date=today + datetime.timedelta(days=20),
    )
    ClaimFactory(
        researcher=researcher,
        project=ProjectFactory(title="Quiet work"),
        last_activity_at=timezone.now() - datetime.timedelta(days=90),
        target_date=today - datetime.timedelta(days=2),
    )
    ClaimFactory(
        researcher=researcher,
        project=ProjectFactory(title="Gone dormant"),
        state="dormant",
        ended_at=timezone.now(),
    )
    ClaimFactory(researcher=researcher, project=ProjectFactory(title="Finished"), state="completed")
    ClaimFactory(project=ProjectFactory(title="Someone else's"))

    html = " ".join(client.get("/me/").content.decode().split())

    assert "Fresh work" in html and "Quiet work" in html and "Gone dormant" in html
    assert "Finished" not in html and "Someone else's" not in html
    assert "Stale</span> silent since" in html
    assert "Overdue</span> target" in html
    assert "Dormant: revive them" in html


def test_your_board_lists_what_you_watch_want_and_wait_for(client, researcher):
    client.force_login(researcher)
    Watch.objects.create(user=researcher, project=ProjectFactory(title="Watched one"))
    Interest.objects.create(
        researcher=researcher, project=ProjectFactory(title="Wanted one"), note="I could review"
    )
    OutputFactory(submitted_by=researcher, title="My draft under review")
    OutputFactory(submitted_by=researcher, title="My accepted paper", accepted=True)
    Watch.objects.create(
        user=researcher, project=ProjectFactory(title="Unpublished", proposed=True)
    )

    html = client.get("/me/").content.decode()

    assert "Watched one" in html and "Wanted one" in html and "I could review" in html
    assert "My draft under review" in html and "My accepted paper" not in html
    assert "Unpublished" not in html


def count(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/me/").status_code == 200
    return len(queries)


def test_your_board_costs_the_same_queries_for_one_of_everything_as_for_ten(client):
    """Guards the N+1s of each section's project (select_related) and of each claim's
    freshness, which reads its project's window."""
    me = UserFactory()
    client.force_login(me)

    def add_one() -> None:
        claim = ClaimFactory(researcher=me)
        claim.project.add_comment(author=UserFactory(), body="A question for you.")
        Watch.objects.create(user=me, project=ProjectFactory())
        Interest.objects.create(researcher=me, project=ProjectFactory())
        OutputFactory(submitted_by=me)

    add_one()
    one = count(client)
    assert "Nothing yet" not in client.get("/me/").content.decode()  # a notification shows
    for _ in range(9):
        add_one()

    assert count(client) == one


def test_your_board_shows_your_latest_notifications(client, researcher, other_researcher):
    client.force_login(researcher)
    project = ProjectFactory(title="Followed project")
    Watch.objects.create(user=researcher, project=project)
    project.add_comment(author=other_researcher, body="Is anyone on this?")

    html = " ".join(client.get("/me/").content.decode().split())

    assert "Latest notifications" in html
    assert "commented on" in html and "Followed project" in html
