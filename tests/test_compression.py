"""Pages are sent compressed to browsers that ask: the seed project page is 87 KB of HTML
and about 5 KB gzipped."""

import gzip

import pytest
from django.urls import reverse

from tests.factories import CommentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "researcher"])
def test_pages_are_gzipped_for_browsers_that_ask_and_plain_for_the_rest(client, signed_in):
    project = ProjectFactory()
    CommentFactory.create_batch(20, project=project)
    if signed_in:
        client.force_login(UserFactory())
    page = project.get_absolute_url()

    plain = client.get(page)
    compressed = client.get(page, headers={"Accept-Encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    html = gzip.decompress(compressed.content)
    assert html.startswith(b"<!doctype html>") and project.title.encode() in html
    assert len(compressed.content) < len(plain.content) / 4


def test_an_htmx_section_is_compressed_too(client):
    ProjectFactory.create_batch(3)
    answer = client.get(
        reverse("projects:project-list"), headers={"Accept-Encoding": "gzip", "HX-Request": "true"}
    )
    assert answer["Content-Encoding"] == "gzip"
    assert b"<html" not in gzip.decompress(answer.content)
