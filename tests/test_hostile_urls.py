"""Hostile addresses on the reading pages, feeds and API: a clear 4xx, never a 500.

PostgreSQL refuses NUL in text, so these run on both databases; SQLite alone would let a
NUL slug through to a harmless 404.
"""

import pytest

from tests.factories import ProjectFactory, TagFactory

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/?q=%00",
    "/?agenda=%00",
    "/?x%00=1",
    "/tags/%00/",
    "/tags/x%00/",
    "/agendas/x%00/",
    "/agendas/x%00/export.csv",
    "/activity/?page=%00",
    "/feeds/tags/%00/",
    "/feeds/agendas/%00/",
    "/feeds/projects/%00/",
    "/projects/random/?agenda=%00",
    "/projects/x%00y/",
]
API_NUL_URLS = [
    "/api/projects/?agenda=%00",
    "/api/projects/?tag=%00",
    "/api/agendas/%00/",
    "/api/projects/x%00y/",
]
ODD_URLS = [
    "/?q=" + "x" * 5000,
    "/?q=%22%22%22",
    "/?q=-",
    "/?q=or+or",
    "/?q=%E2%80%8B",
    "/?q=a&q=b&sort=newest&sort=wanted",
    "/?page=-1",
    "/?page=10000000000000000000000000000000",
    "/tags/" + "x" * 3000 + "/",
    "/tags/%C3%A9/",
    "/activity/?page=1e400",
    "/feeds/tags/" + "x" * 5000 + "/",
    "/projects/random/?agenda=" + "x" * 3000,
    "/api/projects/?limit=1000000000000000000000000000000",
    "/api/projects/?unclaimed=maybe",
    "/api/agendas/" + "x" * 5000 + "/",
]


@pytest.fixture(autouse=True)
def board():
    ProjectFactory(title="Something to list", tags=[TagFactory(name="Alignment")])


@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_in_any_address_is_a_400_page(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


@pytest.mark.parametrize("url", API_NUL_URLS)
def test_a_nul_in_an_api_address_is_a_400_in_the_apis_json(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize("url", ODD_URLS)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_odd_addresses_never_answer_500(client, url, htmx):
    response = client.get(url, headers={"HX-Request": "true"} if htmx else {})

    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_nul_in_a_form_field_is_a_400_and_changes_nothing(client, researcher, htmx):
    from projects.models import Comment, Project

    project = Project.objects.get()
    client.force_login(researcher)

    response = client.post(
        f"/projects/{project.slug}/comments/",
        {"body": "Looks fine\x00until here"},
        headers={"HX-Request": "true"} if htmx else {},
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_nul_in_an_admin_form_is_a_400(admin_client):
    response = admin_client.post("/admin/projects/tag/add/", {"name": "Bad\x00tag"})

    assert response.status_code == 400
