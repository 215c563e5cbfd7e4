"""The project page from parts kept for readers with no stake in the project
(projects.views.pages): the same parts for all of them, from the shared cache, with each
reader's own frame and CSRF token, and the sections that are a reader's own (their claim,
interest, watch, comments, flags, outputs) rendered in; anyone with more rights gets their
page rendered whole. Whichever way, the page is the one the reader would get rendered."""

import datetime
import re
import zlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import stitching
from projects.models import Claim, Interest, Project
from projects.page_cache import token_slot
from projects.views import common, pages
from tests.factories import ClaimFactory, CommentFactory, OutputFactory, ProjectFactory, UserFactory
from tests.stitched import tokens_apart

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def project():
    project = ProjectFactory(title="Toy models of deception")
    CommentFactory(project=project, body="A first thought on scope.")
    return project


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def kept_parts() -> list[dict]:
    """Every kept project page's parts."""
    kept = [cache.get(key.split(":", 2)[2]) for key in list(cache._cache) if ":shell:" in key]
    return [parts for parts, _ in kept]


def test_readers_with_no_stake_share_one_kept_page_with_their_own_frame_and_token(
    page_cache, project
):
    ada, alan = UserFactory(username="adalovelace"), UserFactory(username="alanturing")
    first, second = signed_in(ada), signed_in(alan)
    assert "adalovelace" in first.get(project.get_absolute_url()).content.decode()
    with CaptureQueriesContext(connection) as warm:
        html = second.get(project.get_absolute_url()).content.decode()
    # Session, user, content version, whether alan has a stake here, his unread count:
    # nothing of the project.
    assert len(warm.captured_queries) <= 5
    of_the_board = [
        q["sql"] for q in warm if "projects_" in q["sql"] and "contentversion" not in q["sql"]
    ]
    assert len(of_the_board) == 1 and "EXISTS(" in of_the_board[0]  # the stakes query
    assert "alanturing" in html and "adalovelace" not in html
    assert "A first thought on scope." in html and "Claim this project" in html
    # The page's forms carry one token of alan's (the header's sign-out form another).
    main = html[html.index("<main") :]
    assert len(set(TOKEN.findall(main))) == 1 and token_slot() not in html
    [parts] = kept_parts()
    kept = "".join(parts.values())
    assert "adalovelace" not in kept and "alanturing" not in kept
    assert set(TOKEN.findall(kept)) == {token_slot()}


def test_the_token_of_a_kept_page_is_the_readers_own_and_works(page_cache, project):
    client = signed_in(UserFactory())
    client.get(project.get_absolute_url())  # kept
    token = TOKEN.findall(client.get(project.get_absolute_url()).content.decode())[-1]
    response = client.post(
        f"/projects/{project.slug}/comments/",
        {"csrfmiddlewaretoken": token, "body": "Posted from a kept page."},
    )
    assert response.status_code == 303
    assert "Posted from a kept page." in client.get(project.get_absolute_url()).content.decode()


def claim(project, user):
    ClaimFactory(project=project, researcher=user)
    return "Release claim"


def interest(project, user):
    Interest.objects.create(project=project, researcher=user, note="Keen on it")
    return "Withdraw interest"


def watch(project, user):
    project.set_watch(user=user, watching=True)
    return "Watching · stop"


def comment(project, user):
    mine = CommentFactory(project=project, author=user)
    return f"/comments/{mine.pk}/edit/"


def flag(project, user):
    project.comments.order_by("pk").first().flag(by=user, reason="Off topic")
    return "Flagged for curators"


def rejected_output(project, user):
    OutputFactory(project=project, submitted_by=user, review="rejected", title="My own try")
    return "My own try"


def moderator(project, user):
    user.user_permissions.add(Permission.objects.get(codename="moderate_comment"))
    return ">Hide</button>"


STAKES = [claim, interest, watch, comment, flag, rejected_output, moderator]


@pytest.mark.parametrize("stake", STAKES, ids=[s.__name__ for s in STAKES])
def test_a_reader_with_a_stake_gets_their_own_page_and_bystanders_never_see_it(
    page_cache, project, stake
):
    bystander, reader = signed_in(UserFactory()), UserFactory()
    bystander.get(project.get_absolute_url())
    own = stake(project, reader)
    assert own in signed_in(reader).get(project.get_absolute_url()).content.decode()
    assert own not in bystander.get(project.get_absolute_url()).content.decode()
    for parts in kept_parts():
        assert own not in "".join(parts.values())


@pytest.mark.parametrize("staff", [True, False], ids=["curator", "in-the-group-not-staff"])
def test_a_curator_gets_their_own_page(page_cache, project, staff):
    curator = UserFactory(curator=True)
    type(curator).objects.filter(pk=curator.pk).update(is_staff=staff)
    curator.refresh_from_db()
    html = signed_in(curator).get(project.get_absolute_url()).content.decode()
    assert ">Hide</button>" in html
    assert kept_parts() == []


def test_someone_made_a_curator_meanwhile_gets_their_own_page_at_once(page_cache, project):
    """Who the curators are is kept under the content version: joining the group is a write,
    so the next page knows."""
    reader = UserFactory()
    client = signed_in(reader)
    for _ in range(2):
        assert ">Hide</button>" not in client.get(project.get_absolute_url()).content.decode()
    reader.groups.add(Group.objects.get(name="Curators"))
    assert ">Hide</button>" in client.get(project.get_absolute_url()).content.decode()


def same_but_tokens(html: str) -> str:
    """The page with every CSRF token (each masked anew) written as one."""
    html = TOKEN.sub('name="csrfmiddlewaretoken" value="token"', html)
    return re.sub(r'"x-csrftoken": "[^"]*"', '"x-csrftoken": "token"', html)


def claim_and_comment(project, user):
    claim(project, user)
    return comment(project, user)


def dormant_then_active(project, user):
    """A claim that went dormant, and the reader's active one after it (the output form
    offers both)."""
    ClaimFactory(project=project, researcher=user, state="dormant", ended_at=timezone.now())
    return claim(project, user)


def dormant_claim(project, user):
    ClaimFactory(project=project, researcher=user, state="dormant", ended_at=timezone.now())
    return "Revive my claim"


def reply(project, user):
    [thread] = project.comments.filter(parent=None, hidden_at=None)
    mine = CommentFactory(project=project, author=user, parent=thread, body="My reply.")
    return f"/comments/{mine.pk}/edit/"


def comment_flag_and_watch(project, user):
    flag(project, user)
    watch(project, user)
    return comment(project, user)


def claim_and_output(project, user):
    """An active claim and an output of theirs: the outputs section is theirs whole, not
    only its form."""
    rejected_output(project, user)
    return claim(project, user)


def interest_and_watch(project, user):
    watch(project, user)
    return interest(project, user)


OWN = [
    None,
    claim,
    dormant_claim,
    dormant_then_active,
    interest,
    watch,
    comment,
    reply,
    flag,
    rejected_output,
    claim_and_comment,
    claim_and_output,
    comment_flag_and_watch,
    interest_and_watch,
]


@pytest.mark.parametrize("stake", OWN, ids=["bystander", *(s.__name__ for s in OWN[1:])])
def test_a_kept_page_is_the_page_its_reader_would_get_rendered_for_them(
    page_cache, project, settings, stake, monkeypatch
):
    """Whatever others did there (claims, outputs rejected and pending, a hidden comment,
    replies, flags, interest, watches), a page from kept parts, with the sections that are
    the reader's own rendered in, is the page the reader would get rendered whole."""
    others = UserFactory.create_batch(3)
    ClaimFactory(project=project, researcher=others[0])
    OutputFactory(project=project, submitted_by=others[1], review="rejected", title="Not it")
    OutputFactory(project=project, submitted_by=others[1], title="Pending answer")
    OutputFactory(project=project, submitted_by=others[2], accepted=True, title="The answer")
    hidden = CommentFactory(project=project, author=others[0], body="Rude words here.")
    type(hidden).objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    [thread] = project.comments.filter(parent=None, hidden_at=None)
    CommentFactory(project=project, author=others[1], parent=thread, body="A reply.")
    thread.flag(by=others[2], reason="Off topic")
    Interest.objects.create(project=project, researcher=others[2], note="Badly")
    project.set_watch(user=others[1], watching=True)
    user = UserFactory(username="bystander")
    mine = stake(project, user) if stake else "Claim this project"
    # Claims' last activity in words ("2 hours ago") that holds between the two renderings.
    Claim.objects.update(last_activity_at=timezone.now() - datetime.timedelta(hours=2))
    reader = signed_in(user)
    with monkeypatch.context() as patched:  # from the kept parts, not rendered whole
        patched.setattr(pages, "_own_page", lambda *args: pytest.fail("rendered whole"))
        for _ in range(2):  # built and kept, then from the cache
            kept = reader.get(project.get_absolute_url()).content.decode()
        # Stitched from the kept content's pieces, with the reader's own compressed apart.
        answer = reader.get(project.get_absolute_url(), headers={"Accept-Encoding": "deflate"})
        assert answer["Content-Encoding"] == "deflate"
        stitched = zlib.decompress(answer.content).decode()
    assert kept_parts()
    settings.PAGE_CACHE = False
    own = reader.get(project.get_absolute_url()).content.decode()
    assert same_but_tokens(kept) == same_but_tokens(own) == same_but_tokens(stitched)
    for page in (kept, stitched):
        assert mine in page and "<!--own:" not in page and token_slot() not in page
        assert "Rude words here." not in page and "Pending answer" in page


def test_a_researchers_page_renders_only_their_own_pieces_in_and_keeps_them(page_cache, project):
    """A reader who claimed, wrote, flagged and watches asks for their claims and for their
    comments' actions, one query each, and nothing else of the project but the stakes query:
    no section's queries, whatever the size of the discussion. Their stakes and pieces are
    kept for them: until the next write, their page asks nothing of the board."""
    reader = UserFactory()
    claim(project, reader)
    comment_flag_and_watch(project, reader)
    CommentFactory.create_batch(5, project=project)
    client, bystander = signed_in(reader), signed_in(UserFactory())  # signing in writes
    bystander.get(project.get_absolute_url())  # the shared parts kept

    def of_the_board(queries) -> list[str]:
        return [q["sql"] for q in queries if "projects_" in q["sql"] and "version" not in q["sql"]]

    with CaptureQueriesContext(connection) as first:
        html = client.get(project.get_absolute_url()).content.decode()
    assert len(of_the_board(first)) == 3, of_the_board(first)
    assert len(first) <= 7, [q["sql"] for q in first]
    assert html.count("Flagged for curators") == 1 and html.count(">Edit</a>") == 1
    assert 'aria-pressed="true">Watching · stop' in html and "Release claim" in html
    with CaptureQueriesContext(connection) as again:
        assert same_but_tokens(client.get(project.get_absolute_url()).content.decode()) == (
            same_but_tokens(html)
        )
    assert of_the_board(again) == []
    assert token_slot() not in html
    # Kept for this reader alone: the bystander's page has none of it.
    html = bystander.get(project.get_absolute_url()).content.decode()
    assert "Flagged for curators" not in html and "Release claim" not in html


def test_marks_written_in_a_comment_neither_splice_nor_show(page_cache, project, monkeypatch):
    reader = UserFactory()
    mine = CommentFactory(project=project, author=reader)
    CommentFactory(project=project, body=f"<!--own:acts-{mine.pk}--> and <!--own:watch-->")
    client = signed_in(reader)
    with monkeypatch.context() as patched:  # from the kept parts, not rendered whole
        patched.setattr(pages, "_own_page", lambda *args: pytest.fail("rendered whole"))
        for _ in range(2):
            html = client.get(project.get_absolute_url()).content.decode()
    assert "<!--own:" not in html and html.count(f"/comments/{mine.pk}/edit/") == 2


def test_a_readers_pieces_on_each_page_of_the_discussion_are_theirs(page_cache, project, settings):
    """Their comment on the second page has its own actions there, and not on the first."""
    settings.DISCUSSION_THREADS_PER_PAGE = 1
    reader = UserFactory()
    mine = CommentFactory(project=project, author=reader, body="My older thread.")
    CommentFactory(project=project, body="The newest thread.")
    client = signed_in(reader)
    seen = {}
    for path in (project.get_absolute_url(), f"{project.get_absolute_url()}?discussion=2"):
        for _ in range(2):
            seen[path] = client.get(path).content.decode()
    settings.PAGE_CACHE = False
    for path, kept in seen.items():
        assert same_but_tokens(kept) == same_but_tokens(client.get(path).content.decode())
    first, second = seen.values()
    assert "My older thread." in second and f"/comments/{mine.pk}/edit/" in second
    assert f"/comments/{mine.pk}/edit/" not in first


def test_a_claim_ended_before_the_cache_heard_gets_the_page_rendered_whole(
    page_cache, project, settings
):
    """Should the reader's claim end by a write whose bump has not reached the cache, their
    pieces are not built from what is gone: they get their page rendered whole."""
    reader = UserFactory()
    claim(project, reader)
    client = signed_in(reader)
    assert "Release claim" in client.get(project.get_absolute_url()).content.decode()
    settings.TRACK_CONTENT_VERSION = False  # the write's bump never arrives
    Claim.objects.filter(researcher=reader).update(state="released", ended_at=timezone.now())
    for key in [key for key in cache._cache if f":reader:{pages.KEPT_SHELL}:" in key]:
        cache.delete(key.split(":", 2)[2])  # their pieces built again; their stakes kept
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert "Release claim" not in response.content.decode()


def test_splicing_refuses_marks_that_are_missing_doubled_reversed_or_nested():
    def spliced(content: str) -> str | None:
        return pages._splice(content, pages._marks(content), {"a": "A", "b": "B"})

    assert spliced("x<!--own:a-->a<!--/own:a-->y<!--own:b-->b<!--/own:b-->z") == "xAyBz"
    assert spliced(
        "<!--own:c-->kept<!--/own:c--><!--own:a--><!--/own:a--><!--own:b--><!--/own:b-->"
    ) == ("keptAB")
    for wrong in (
        "<!--own:a--><!--/own:a-->",  # b missing
        "<!--own:a--><!--/own:a--><!--own:a--><!--/own:a--><!--own:b--><!--/own:b-->",
        "<!--/own:a--><!--own:a--><!--own:b--><!--/own:b-->",
        "<!--own:a--><!--own:b--><!--/own:b--><!--/own:a-->",
        "<!--own:a--><!--own:b--><!--/own:a--><!--/own:b-->",
    ):
        assert spliced(wrong) is None, wrong


def test_the_slot_written_in_a_comment_is_never_filled_and_keeps_the_page_from_the_cache(
    page_cache, project
):
    CommentFactory(project=project, body=f"See https://example.org/?t={token_slot()}")
    client = signed_in(UserFactory())
    for _ in range(2):
        html = client.get(project.get_absolute_url()).content.decode()
    assert kept_parts() == []
    [token] = set(TOKEN.findall(html[html.index("<main") :]))
    assert f"?t={token_slot()}" in html and f"?t={token}" not in html


def test_a_bystander_sees_any_write_at_once_and_their_own_claim_as_theirs(page_cache, project):
    reader = UserFactory()
    client = signed_in(reader)
    client.get(project.get_absolute_url())
    CommentFactory(project=project, body="Written after it was kept.")
    assert "Written after it was kept." in client.get(project.get_absolute_url()).content.decode()
    token = TOKEN.findall(client.get(project.get_absolute_url()).content.decode())[-1]
    client.post(f"/projects/{project.slug}/claim/", {"csrfmiddlewaretoken": token})
    assert "Release claim" in client.get(project.get_absolute_url()).content.decode()


def test_a_form_asked_for_or_sent_back_is_on_the_readers_own_page(page_cache, project):
    client = signed_in(UserFactory())
    [thread] = project.comments.all()
    html = client.get(f"{project.get_absolute_url()}?reply={thread.pk}").content.decode()
    assert 'id="id_reply-body"' in html or "Post reply" in html
    token = TOKEN.findall(client.get(project.get_absolute_url()).content.decode())[-1]
    client.post(f"/projects/{project.slug}/comments/", {"csrfmiddlewaretoken": token, "body": ""})
    assert "errorlist" in client.get(project.get_absolute_url()).content.decode()
    assert kept_parts() and all("errorlist" not in "".join(p.values()) for p in kept_parts())


def test_other_discussion_pages_and_pages_past_the_last(page_cache, project, settings):
    settings.DISCUSSION_THREADS_PER_PAGE = 1
    CommentFactory(project=project, body="The newest thread.")
    client = signed_in(UserFactory())
    for _ in range(2):
        assert "The newest thread." in client.get(project.get_absolute_url()).content.decode()
        second = client.get(f"{project.get_absolute_url()}?discussion=2").content.decode()
        assert "A first thought on scope." in second and "The newest thread." not in second
        assert client.get(f"{project.get_absolute_url()}?discussion=3").status_code == 404


def test_a_merged_project_still_sends_bystanders_on(page_cache, project):
    target = ProjectFactory()
    Project.objects.filter(pk=project.pk).update(merged_into=target)
    response = signed_in(UserFactory()).get(project.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == target.get_absolute_url()


def test_a_stake_query_that_lost_its_reader_keeps_nothing(page_cache, project, monkeypatch):
    """Should the ORM ever compile the stand-ins into something else, the reader gets their
    own page rather than one they were not checked for."""
    sql, params = pages._stakes_query()
    lost = tuple(None if p == pages._ANY_READER else p for p in params)
    monkeypatch.setattr(pages, "_stakes_query", lambda: (sql, lost))
    assert (
        "Claim this project"
        in signed_in(UserFactory()).get(project.get_absolute_url()).content.decode()
    )
    assert kept_parts() == []


def test_every_kind_of_stake_the_query_finds_names_its_sections():
    annotated = Project.objects.with_stakes_of(UserFactory.build(pk=1)).query.annotations
    assert set(annotated) == {f"stake_{kind}" for kind in common.STAKES}


def test_kept_parts_without_their_marks_give_the_reader_their_page_whole(
    page_cache, project, caplog
):
    claimant = UserFactory()
    expected = claim(project, claimant)
    theirs, bystander = signed_in(claimant), signed_in(UserFactory())  # signing in writes
    bystander.get(project.get_absolute_url())
    [key] = [key.split(":", 2)[2] for key in list(cache._cache) if ":shell:" in key]
    parts, pieces = cache.get(key)
    content = parts["content"].replace("<!--own:my-claim-->", "")
    cache.set(key, (parts | {"content": content}, pieces))
    assert expected in theirs.get(project.get_absolute_url()).content.decode()
    assert "lacks the marks of its piece my-claim" in caplog.text


def test_the_readers_token_shares_no_stretch_with_what_others_wrote(
    page_cache, project, monkeypatch
):
    """Stitched, the kept content comes compressed as it was kept, the same for every
    request, with the reader's token in each form as a stored block, compressed against
    nothing; the frame and the reader's own pieces hold no one else's words (BREACH)."""
    CommentFactory(project=project, body="Sesquipedalian words from someone else.")
    reader = UserFactory()
    claim(project, reader)
    comment_flag_and_watch(project, reader)
    stitched, real = [], stitching.stitched
    monkeypatch.setattr(
        stitching,
        "stitched",
        lambda stretches, **kw: stitched.append(stretches) or real(stretches, **kw),
    )
    client = signed_in(reader)
    for _ in range(3):
        answer = client.get(project.get_absolute_url(), headers={"Accept-Encoding": "deflate"})
    page = zlib.decompress(answer.content)
    assert b"Sesquipedalian" in page
    (before, rest_before), (tokens, rest) = map(tokens_apart, stitched[-2:])
    # The token, masked anew for each answer, in stored blocks: in the frame, and in each
    # form of the content; all else the same bytes whatever the token.
    assert len(tokens) == len(before) and not set(tokens) & set(before)
    inputs = [token for token in tokens if token.startswith(b'name="csrfmiddlewaretoken"')]
    assert len(inputs) >= 3
    # Masked once for the answer: wherever it shows, it came in a stored block.
    value = inputs[0].removeprefix(b'name="csrfmiddlewaretoken" value="')[:-1]
    assert page.count(value) == len(tokens)
    assert rest == rest_before
