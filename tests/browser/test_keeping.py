"""What the board keeps, in Chromium: a flagged comment's moderation page with the text as
it was flagged, its earlier versions and its flags, axe-clean and within the screen at a
phone's and a laptop's width."""

import pytest
from django.urls import reverse

from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.test_admin_screens import signed_in
from tests.factories import ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390", "1280"])
def test_a_flagged_comment_edited_since_shows_what_was_flagged(
    page_at, live_server, admin_user, viewport
):
    author = UserFactory(username="ada")
    comment = ProjectFactory().add_comment(author=author, body="Rude words " + "x" * 300)
    comment.flag(by=UserFactory(username="alan"), reason="Rude")
    comment.edit(body="Polite words.")
    page = signed_in(page_at, live_server, admin_user, viewport)

    page.goto(live_server.url + reverse("admin:projects_comment_change", args=[comment.pk]))

    flagged = page.locator(".field-as_flagged .comment-version")
    assert flagged.inner_text().startswith("Rude words")
    assert page.locator(".field-earlier_versions .comment-version").count() == 1
    assert page.locator("#flags-group td.field-reason").inner_text() == "Rude"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
