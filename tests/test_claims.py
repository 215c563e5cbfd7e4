"""Claims through the domain methods: the rules, the refusals, and the events they record."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import Claim, Event
from tests.factories import ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_claiming_an_open_project_makes_an_active_claim_and_records_it(researcher):
    project = ProjectFactory()

    claim = project.claim(
        researcher=researcher, plan="Toy models *first*.", target_date=datetime.date(2030, 1, 1),
        output_kind="paper",
    )  # fmt: skip

    assert claim.state == Claim.State.ACTIVE
    assert claim.plan_html == "<p>Toy models <em>first</em>.</p>\n"
    event = Event.objects.get()
    assert (event.kind, event.actor, event.claim) == (Event.Kind.CLAIMED, researcher, claim)


@pytest.mark.parametrize("trait", ["retired", "proposed"])
def test_a_retired_or_proposed_project_cannot_be_claimed(researcher, trait):
    project = ProjectFactory(**{trait: True})

    with pytest.raises(ValidationError) as error:
        project.claim(researcher=researcher)

    assert error.value.code == "not_open"
    assert not Claim.objects.exists()


def test_a_second_active_claim_on_the_same_project_is_refused(researcher):
    project = ProjectFactory()
    project.claim(researcher=researcher)

    with pytest.raises(ValidationError, match="already have an active claim") as error:
        project.claim(researcher=researcher)

    assert error.value.code == "already_claimed"
    assert Claim.objects.count() == 1


def test_the_database_refuses_two_active_claims_by_one_researcher_on_one_project(researcher):
    claim = ClaimFactory(researcher=researcher)

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(researcher=researcher, project=claim.project)


def test_after_releasing_a_researcher_may_claim_the_project_again(researcher):
    project = ProjectFactory()
    project.claim(researcher=researcher).release(reason="gave_up")

    assert project.claim(researcher=researcher).is_active
    assert Claim.objects.count() == 2


def test_the_personal_cap_refuses_one_claim_too_many(researcher, settings):
    settings.MAX_ACTIVE_CLAIMS = 2
    for _ in range(2):
        ProjectFactory().claim(researcher=researcher)

    with pytest.raises(ValidationError, match="Complete or release one") as error:
        ProjectFactory().claim(researcher=researcher)

    assert error.value.code == "personal_cap"
    assert Claim.objects.active().count() == 2


def test_an_exclusive_project_takes_one_researcher(researcher, other_researcher):
    project = ProjectFactory(claim_limit=1)
    project.claim(researcher=researcher)

    with pytest.raises(ValidationError, match="as many researchers as it takes") as error:
        project.claim(researcher=other_researcher)

    assert error.value.code == "full"


def test_without_a_limit_several_researchers_work_in_parallel():
    project = ProjectFactory()
    for _ in range(3):
        project.claim(researcher=UserFactory())
    assert project.claims.active().count() == 3


def test_check_in_keeps_the_claim_active_with_a_note_and_fresh_activity(researcher):
    claim = ProjectFactory().claim(researcher=researcher)
    before = claim.last_activity_at

    claim = claim.check_in(note="Draft of section 1 done.")

    assert claim.is_active and claim.progress_note == "Draft of section 1 done."
    assert claim.last_activity_at > before
    assert Event.objects.filter(
        kind=Event.Kind.CHECKED_IN, note="Draft of section 1 done."
    ).exists()


def test_complete_and_release_end_a_claim_once(researcher):
    completed = ProjectFactory().claim(researcher=researcher).complete()
    released = (
        ProjectFactory().claim(researcher=researcher).release(reason="blocked", note="No GPU")
    )

    assert completed.state == Claim.State.COMPLETED and completed.ended_at
    assert (released.state, released.release_reason) == (Claim.State.RELEASED, "blocked")
    assert Event.objects.get(kind=Event.Kind.RELEASED).note == "Blocked: No GPU"
    for claim in (completed, released):
        with pytest.raises(ValidationError) as error:
            claim.check_in(note="late")
        assert error.value.code == "not_active"


def test_release_needs_a_known_reason(researcher):
    claim = ProjectFactory().claim(researcher=researcher)
    with pytest.raises(ValidationError) as error:
        claim.release(reason="bored")
    assert error.value.code == "reason"
    claim.refresh_from_db()
    assert claim.is_active


def test_activity_on_the_project_refreshes_the_holders_claim(researcher):
    claim = ProjectFactory().claim(researcher=researcher)
    Claim.objects.filter(pk=claim.pk).update(
        last_activity_at=claim.started_at - datetime.timedelta(days=30)
    )

    claim.project.add_comment(author=researcher, body="Progress: see my draft.")

    claim.refresh_from_db()
    assert claim.last_activity_at > claim.started_at
