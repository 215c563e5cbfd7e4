"""Words without a break, as long as each field takes (2,000 characters where it takes
that many), never widen a page past the screen: at a phone's 375 px and a laptop's 1280 px,
on every page that shows them, the site's and the admin's lists."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import Output, Proposal
from tests.factories import AgendaFactory, TagFactory, UserFactory, sign_in_with_two_factor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_375 = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}


def word(length: int = 2_000) -> str:
    """One unbroken word of ``length`` characters (a pasted hash, a URL, a long name)."""
    return ("Unbreakable" * (length // 11 + 1))[:length]


@pytest.fixture
def long_words():
    """Everything a person writes, each as one unbroken word, on one approved project."""
    ada = UserFactory(username="ada", display_name=word(100))
    bob = UserFactory(username="bob", display_name=word(100))
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    agenda = AgendaFactory(title=word(200), slug="long-words", author=word(200))
    proposal = services.project_propose(
        by=ada, agenda=agenda, title=word(200), description=word(), kind="paper", note=word(300)
    )
    services.proposal_approve(proposal=proposal, by=root, reason=word())
    project = Proposal.objects.get().project
    project.tags.add(TagFactory(name=word(50)))
    claim = project.claim(researcher=ada, plan=word())
    claim.check_in(note=word(300))
    project.set_interest(researcher=ada, interested=True, note=word(300))
    project.link_output(
        by=ada,
        url="https://example.org/" + word(400),
        title=word(200),
        kind=Output.Kind.PAPER,
        addresses=Output.Addresses.PARTLY,
    )
    question = project.add_comment(author=bob, body=word(), is_scope=True)
    project.add_comment(author=ada, body=word(), parent=question)
    bobs = project.claim(researcher=bob, plan=word())
    bobs.release(reason="gave_up", note=word(300))
    question.flag(by=ada, reason=word(300))
    services.project_propose_edit(
        by=bob, project=project, title=word(199), description=word(), kind="paper", note=word(300)
    )
    return {"ada": ada, "root": root, "project": project, "agenda": agenda}


def signed_in(page, live_server, user) -> None:
    """The browser carries ``user``'s session (with a second factor, for the admin)."""
    client = Client()
    if user.is_staff:
        sign_in_with_two_factor(client, user)
    else:
        client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def overflow(page) -> int:
    """How far the page is wider than the window (0 or less: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def widest(page) -> list[str]:
    """The elements that reach past the window's right edge, to say what to fix."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )


ADMIN_LISTS = [
    "projects_project",
    "projects_agenda",
    "projects_tag",
    "projects_comment",
    "projects_output",
    "projects_claim",
    "projects_proposal",
    "accounts_user",
]


@pytest.mark.parametrize("viewport", [PHONE_375, LAPTOP], ids=["375", "1280"])
def test_long_words_never_widen_a_page(long_words, page_at, live_server, viewport):
    project, agenda, ada = long_words["project"], long_words["agenda"], long_words["ada"]
    pages = {
        "researcher": [
            "/",
            "/agendas/",
            agenda.get_absolute_url(),
            project.get_absolute_url(),
            project.tags.get().get_absolute_url(),
            ada.get_absolute_url(),
            "/activity/",
            "/me/",
            "/notifications/",
        ],
        "admin": [reverse(f"admin:{name}_changelist") for name in ADMIN_LISTS],
    }
    too_wide = {}
    for role, urls in pages.items():
        page = page_at(viewport)
        signed_in(page, live_server, ada if role == "researcher" else long_words["root"])
        for url in urls:
            page.goto(live_server.url + url)
            assert word(40) in page.content(), url
            if overflow(page) > 0:
                too_wide[url] = widest(page)

    assert too_wide == {}, "\n".join(f"{url[:60]}: {found}" for url, found in too_wide.items())
