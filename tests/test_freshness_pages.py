"""Freshness on the pages: a stale claim says so with its last activity, an overdue one says
overdue; its holder says they are still on it, moves the target date, revives a dormant
claim; and the pages cost the same however many such claims there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from projects.models import Claim, Event, Project
from tests.factories import ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def windows(settings):
    settings.CLAIM_STALE_DAYS = 30
    settings.CLAIM_GRACE_DAYS = 14


def silent_for(claim: Claim, days: float) -> Claim:
    then = timezone.now() - days * DAY
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=then, started_at=then - DAY)
    claim.refresh_from_db()
    return claim


def dormant(claim: Claim) -> Claim:
    """The claim, gone dormant the way the sweep ends one."""
    silent_for(claim, 50)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now() - 15 * DAY)
    return Claim.objects.get(pk=claim.pk).go_dormant()


def page(client, project: Project) -> str:
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_stale_claim_says_so_with_its_last_activity(client, researcher):
    project = ProjectFactory()
    claim = silent_for(project.claim(researcher=researcher), 45)

    html = page(client, project)

    assert 'class="badge badge-stale">Stale</span>' in html
    last = format_date(claim.last_activity_at, "j M Y")
    assert f'Silent since <time datetime="{claim.last_activity_at:%Y-%m-%d}' in html
    assert f">{last}</time>: no word here for longer than this project's 30 days." in html


def test_a_fresh_claim_shows_no_staleness_and_a_window_set_for_the_project_counts(
    client, researcher, curator
):
    project = ProjectFactory()
    silent_for(project.claim(researcher=researcher), 20)
    assert "badge-stale" not in page(client, project)

    project.set_claim_window(days=14, by=curator)

    html = page(client, project)
    assert "badge-stale" in html and "this project's 14 days" in html
    row = client.get("/").content.decode()
    assert "Stale" in row and "silent since" in row


def test_an_overdue_claim_says_so_and_prompts_its_holder_to_check_in(
    client, researcher, other_researcher
):
    project = ProjectFactory()
    claim = project.claim(researcher=researcher, target_date=timezone.localdate() + DAY)
    Claim.objects.filter(pk=claim.pk).update(target_date=timezone.localdate() - 2 * DAY)

    as_visitor = page(client, project)
    client.force_login(researcher)
    as_holder = page(client, project)

    for html in (as_visitor, as_holder):
        assert 'class="badge badge-overdue">Overdue</span>' in html
    assert "has passed" not in as_visitor
    assert "has passed. No harm done: check in to say where things stand" in as_holder
    assert '<details class="action" open>\n          <summary>Check in</summary>' in as_holder
    assert 'name="target_date"' in as_holder


def test_the_holder_sees_still_on_it_and_when_a_reminded_claim_turns_dormant(
    client, researcher, other_researcher
):
    project = ProjectFactory()
    claim = silent_for(project.claim(researcher=researcher), 40)
    Claim.objects.filter(pk=claim.pk).update(stale_reminded_at=timezone.now())
    client.force_login(other_researcher)
    assert "Still on it</button>" not in page(client, project)

    client.force_login(researcher)
    html = page(client, project)

    assert "Still on it</button>" in html
    assert "Your claim shows as stale" in html
    assert f"it turns dormant on {format_date(timezone.now() + 14 * DAY, 'j M Y')}" in html


@pytest.mark.parametrize("htmx", [False, True])
def test_still_on_it_refreshes_the_claim(client, researcher, htmx):
    claim = silent_for(ProjectFactory().claim(researcher=researcher), 40)
    client.force_login(researcher)

    response = client.post(
        reverse("projects:claim-confirm", args=[claim.pk]), **(HTMX if htmx else {})
    )

    if htmx:
        html = response.content.decode()
        assert response.status_code == 200 and 'id="claim-panel"' in html
        assert "Noted: you are still on it." in html and "badge-stale" not in html
    else:
        assert response.status_code == 303
    claim.refresh_from_db()
    assert not claim.is_stale
    assert Event.objects.filter(kind=Event.Kind.CONFIRMED, claim=claim).exists()


def test_a_check_in_moves_the_target_date_and_refuses_a_past_one(client, researcher):
    claim = ProjectFactory().claim(researcher=researcher, target_date=timezone.localdate() + DAY)
    url = reverse("projects:claim-check-in", args=[claim.pk])
    client.force_login(researcher)
    later = timezone.localdate() + 40 * DAY

    refused = client.post(
        url, {"note": "x", "target_date": str(timezone.localdate() - DAY)}, **HTMX
    )
    assert "Choose a date from today on." in refused.content.decode()
    assert Claim.objects.get().target_date == timezone.localdate() + DAY

    client.post(url, {"note": "Need a month more.", "target_date": str(later)}, **HTMX)
    assert Claim.objects.get().target_date == later


def test_an_overdue_date_may_stay_as_it_is_at_a_check_in(client, researcher):
    claim = ProjectFactory().claim(researcher=researcher)
    past = timezone.localdate() - 3 * DAY
    Claim.objects.filter(pk=claim.pk).update(target_date=past)
    client.force_login(researcher)

    response = client.post(
        reverse("projects:claim-check-in", args=[claim.pk]),
        {"note": "Nearly there.", "target_date": str(past)},
    )

    assert response.status_code == 303
    assert Claim.objects.get().progress_note == "Nearly there."


def test_a_dormant_claim_and_its_event_show_as_gone_quiet(client, researcher):
    project = ProjectFactory()
    dormant(project.claim(researcher=researcher))

    html = page(client, project)

    assert "went quiet; dormant since" in html
    assert "went quiet; the claim is dormant" in html  # the history
    assert "Revive my claim" not in html


@pytest.mark.parametrize("htmx", [False, True])
def test_the_holder_revives_a_dormant_claim_from_the_page(client, researcher, htmx):
    project = ProjectFactory()
    claim = dormant(project.claim(researcher=researcher))
    client.force_login(researcher)
    assert "Revive my claim</button>" in page(client, project)

    response = client.post(
        reverse("projects:claim-revive", args=[claim.pk]), **(HTMX if htmx else {})
    )

    assert response.status_code == (200 if htmx else 303)
    assert Claim.objects.get(pk=claim.pk).is_active
    html = page(client, project)
    assert "Your claim is active again. Welcome back!" in (
        response.content.decode() if htmx else html
    )
    assert "Revive my claim" not in html and "Still on it</button>" in html


def test_a_full_project_offers_no_revival_and_a_refused_one_says_why(
    client, researcher, other_researcher, settings
):
    project = ProjectFactory(claim_limit=1)
    claim = dormant(project.claim(researcher=researcher))
    project.claim(researcher=other_researcher)
    client.force_login(researcher)

    html = page(client, project)
    assert "Revive my claim" not in html and "as many researchers as it takes" in html

    response = client.post(reverse("projects:claim-revive", args=[claim.pk]), **HTMX)
    assert "This project already has as many researchers as it takes." in (
        response.content.decode()
    )
    assert Claim.objects.get(pk=claim.pk).is_dormant


def test_a_revival_refused_for_the_personal_cap_says_so_at_the_button(client, researcher, settings):
    settings.MAX_ACTIVE_CLAIMS = 1
    project = ProjectFactory()
    claim = dormant(project.claim(researcher=researcher))
    ProjectFactory().claim(researcher=researcher)
    client.force_login(researcher)

    response = client.post(reverse("projects:claim-revive", args=[claim.pk]), **HTMX)

    html = response.content.decode()
    assert "You already hold 1 active claims" in html and "Revive my claim</button>" in html
    assert Claim.objects.get(pk=claim.pk).is_dormant


def test_someone_else_cannot_revive_or_confirm_a_claim(client, researcher, other_researcher):
    dormant_claim = dormant(ProjectFactory().claim(researcher=researcher))
    active = ProjectFactory().claim(researcher=researcher)
    client.force_login(other_researcher)

    assert client.post(reverse("projects:claim-revive", args=[dormant_claim.pk])).status_code == 403
    assert client.post(reverse("projects:claim-confirm", args=[active.pk])).status_code == 403
    assert Claim.objects.get(pk=dormant_claim.pk).is_dormant


def page_queries(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client, project)
    return len(queries)


@pytest.mark.parametrize("as_holder", [False, True])
def test_the_project_page_costs_the_same_with_one_or_twenty_stale_overdue_and_dormant_claims(
    client, researcher, as_holder
):
    """Guards the N+1 of each claim reading its project for its window (``is_stale``), and
    of finding your dormant claim among the ended ones."""
    if as_holder:
        client.force_login(researcher)
    counts = []
    for n in (1, 20):
        project = ProjectFactory()
        dormant(project.claim(researcher=researcher))
        for _ in range(n):
            stale = silent_for(ClaimFactory(project=project), 45)
            Claim.objects.filter(pk=stale.pk).update(target_date=timezone.localdate() - DAY)
            dormant(project.claim(researcher=UserFactory()))
        counts.append(page_queries(client, project))

    assert counts[0] == counts[1]


def test_the_list_costs_the_same_with_one_or_twenty_projects_with_their_own_windows(client):
    """Guards a per-row query for a project's window when the list says which are stale."""
    counts = []
    for n in (1, 20):
        for days in range(1, n + 1):
            silent_for(ClaimFactory(project=ProjectFactory(claim_window_days=days)), days + 1)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/").content.decode()
        assert html.count("silent since") == Project.objects.count()
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_check_in_sent_without_the_date_field_keeps_the_target_date(client, researcher):
    import datetime

    from django.utils import timezone

    from tests.factories import ClaimFactory

    target = timezone.localdate() + datetime.timedelta(days=30)
    claim = ClaimFactory(researcher=researcher, target_date=target)
    client.force_login(researcher)

    client.post(f"/claims/{claim.pk}/check-in/", {"note": "Halfway there."})

    claim.refresh_from_db()
    assert claim.target_date == target and claim.progress_note == "Halfway there."
