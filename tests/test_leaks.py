"""What must not leak: an unpublished proposal, through any URL that names a project (a
refused claim included), and a rejected output's title, through any public page, feed,
API answer, person's page, dashboard, notification or digest.
"""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from notifications.digests import digest_send
from notifications.models import Delivery, Frequency
from projects import services
from projects.models import Claim, Event, Project
from tests.factories import AgendaFactory, ProjectFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

# Every URL of the site that names a project by its slug.
PROJECT_URLS = [
    "projects:project-detail",
    "projects:project-propose-edit",
    "projects:project-claim",
    "projects:project-interest",
    "projects:project-watch",
    "projects:comment-create",
    "projects:output-create",
    "projects:feed-project",
    "api:project-detail",
]


@pytest.fixture
def proposal(researcher):
    """A researcher's new project, awaiting a curator: its title is theirs and the
    curators' alone."""
    return services.project_propose(
        by=researcher,
        agenda=None,
        title="Zanzibar, a secret idea",
        description="Nobody outside review knows of it.",
        kind=Project.Kind.PAPER,
    ).project


def everything() -> list:
    """Every row of the tables a claim or any other action could touch."""
    return [
        model_to_dict(row)
        for model in (Project, Claim, Event, Delivery)
        for row in model.objects.order_by("pk")
    ]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_claiming_an_unpublished_proposal_answers_as_for_no_project_at_all(
    client, other_researcher, proposal, headers
):
    client.force_login(other_researcher)
    before = everything()
    url = reverse("projects:project-claim", args=[proposal.slug])
    nowhere = reverse("projects:project-claim", args=["no-such-project"])

    refused = client.post(url, {"plan": "Mine now"}, headers=headers)
    unknown = client.post(nowhere, {"plan": "Mine now"}, headers=headers)

    assert refused.status_code == unknown.status_code == 404
    assert "Zanzibar" not in refused.content.decode()
    assert everything() == before


@pytest.mark.parametrize("name", PROJECT_URLS)
@pytest.mark.parametrize("method", ["get", "head", "post"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_every_url_naming_a_project_answers_a_proposal_as_a_slug_no_project_has(
    client, curator, proposal, name, method, headers
):
    """Even for a curator: a proposal is reviewed in the admin, never shown on the site."""
    client.force_login(curator)
    before = everything()

    secret = getattr(client, method)(reverse(name, args=[proposal.slug]), headers=headers)
    unknown = getattr(client, method)(reverse(name, args=["no-such-project"]), headers=headers)

    assert secret.status_code == unknown.status_code
    assert secret.status_code in (404, 405)
    assert "Zanzibar" not in secret.content.decode()
    assert everything() == before


@pytest.fixture
def rejected(researcher, other_researcher, curator):
    """An output whose title only its linker and the curators may read again: linked from a
    claim its linker then completed, on a project someone follows, and rejected. A follower
    was told of it while it awaited review."""
    tag, agenda = TagFactory(), AgendaFactory()
    project = ProjectFactory(agenda=agenda, tags=[tag], title="The project itself")
    project.set_watch(user=other_researcher, watching=True)
    project.set_interest(researcher=other_researcher, interested=True)
    claim = project.claim(researcher=researcher, plan="Write it up.")
    output = project.link_output(
        by=researcher,
        url="https://example.org/zanzibar",
        title="Zanzibar rejected draft",
        kind="blog_post",
        claim=claim,
    )
    claim.complete(note="Done.")
    output.reject(by=curator)
    return output


def public_urls(output) -> list[str]:
    """Every public place the output's project, its linker and its events show up."""
    project = output.project
    return [
        project.get_absolute_url(),
        reverse("projects:project-list") + "?q=Zanzibar",
        reverse("projects:activity"),
        reverse("projects:feed-site"),
        reverse("projects:feed-agenda", args=[project.agenda.slug]),
        reverse("projects:feed-project", args=[project.slug]),
        reverse("projects:feed-tag", args=[project.tags.get().slug]),
        reverse("projects:agenda-detail", args=[project.agenda.slug]),
        reverse("projects:agenda-export-csv", args=[project.agenda.slug]),
        reverse("projects:agenda-export-json", args=[project.agenda.slug]),
        reverse("api:project-list"),
        reverse("api:project-detail", args=[project.slug]),
        output.submitted_by.get_absolute_url(),
    ]


@pytest.mark.parametrize("who", ["anonymous", "follower", "someone else"])
def test_a_rejected_outputs_title_appears_on_no_public_page(client, rejected, who):
    people = {"follower": "alan", "someone else": "stranger"}
    if who != "anonymous":
        client.force_login(UserFactory(username=people[who]))

    for url in public_urls(rejected):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Zanzibar rejected" not in response.content.decode(), url
    # The search finds nothing by it: the project would be listed with its title.
    assert "The project itself" not in client.get(public_urls(rejected)[1]).content.decode()


def test_a_rejected_outputs_title_is_not_told_to_followers(client, rejected, other_researcher):
    client.force_login(other_researcher)
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    notifications = client.get(reverse("notifications:notification-list")).content.decode()
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    sent = digest_send(
        recipient_id=other_researcher.pk, frequency=Frequency.DAILY, period="next", start=tomorrow
    )

    assert "linked an output to" in notifications  # they were told of it, without its title
    assert "Zanzibar" not in dashboard and "Zanzibar" not in notifications
    digest = Delivery.objects.get(recipient=other_researcher, key__contains="digest")
    assert sent and "linked an output to" in digest.body and "Zanzibar" not in digest.body


def test_its_linker_and_the_curators_still_read_it(client, rejected, researcher, curator):
    client.force_login(researcher)
    own_page = client.get(researcher.get_absolute_url()).content.decode()
    told = client.get(reverse("notifications:notification-list")).content.decode()
    client.force_login(curator)
    curators_view = client.get(rejected.project.get_absolute_url()).content.decode()

    assert "Zanzibar rejected draft" in own_page
    assert "Zanzibar rejected draft" in told
    assert "Zanzibar rejected draft" in curators_view
