"""Your board in Chromium: it fits a phone and a laptop, and passes axe."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from projects.models import Interest, Watch
from tests.browser.conftest import LAPTOP, PHONE
from tests.factories import ClaimFactory, OutputFactory, ProjectFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_your_board_fits_the_screen(page_at, live_server, viewport):
    me = UserFactory(username="ada")
    ClaimFactory(
        researcher=me,
        project=ProjectFactory(title="A long-running and rather verbosely titled project " * 3),
        last_activity_at=timezone.now() - datetime.timedelta(days=90),
        target_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    Watch.objects.create(user=me, project=ProjectFactory(title="Watched"))
    Interest.objects.create(researcher=me, project=ProjectFactory(title="Wanted"))
    OutputFactory(submitted_by=me, title="x" * 200)
    client = Client()
    client.force_login(me)
    page = page_at(viewport)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    page.goto(live_server.url + "/me/")

    assert page.locator("h1").inner_text() == "ada"
    assert page.get_by_text("Overdue").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
