"""Answers stitched from parts kept compressed (projects.stitching, page_cache.respond): the
same bytes as the page rendered whole, once unpacked, for every browser that takes them,
and the whole page compressed as ever for anyone else."""

import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from projects import stitching
from tests.factories import AgendaFactory, ProjectFactory, UserFactory
from tests.stitched import tokens_apart

stretches = st.lists(st.tuples(st.binary(max_size=5000), st.booleans()), min_size=1, max_size=6)


@given(stretches)
def test_a_stitched_stream_unpacks_to_its_stretches_in_order(drawn):
    """Whichever stretches come compressed ahead of time and whichever now."""
    data = [stretch for stretch, _ in drawn]
    stream = stitching.stitched([stitching.piece(s) if ahead else s for s, ahead in drawn])
    assert zlib.decompress(stream) == b"".join(data)


@given(st.binary(max_size=3000), st.binary(max_size=3000))
def test_checksums_combine_as_of_the_bytes_together(first, second):
    together = stitching.combined(zlib.adler32(first), zlib.adler32(second), len(second))
    assert together == zlib.adler32(first + second)


# Pages' text: repetitive, so that later stretches refer back across holes, and no NUL.
page_text = st.lists(
    st.sampled_from([b"<p>", b"</p>", b"token", b"a", b"\xff", b" "]), max_size=400
)


@given(
    st.lists(page_text.map(b"".join), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=120).flatmap(
        lambda n: st.lists(st.binary(min_size=n, max_size=n), min_size=2, max_size=2)
    ),
)
def test_a_chain_unpacks_with_whatever_fills_its_holes(drawn, holes):
    """Compressed once, around holes, a chain unpacks to its stretches with any bytes of
    the holes' length in them, the stand-in byte and the stretches' own text included: no
    reference reaches into a hole."""
    chain = stitching.chain(drawn, len(holes[0]))
    for hole in [*holes, b"\x00" * len(holes[0]), (b"<p>token" * 40)[: len(holes[0])]]:
        stream = stitching.stitched([b"frame", *chain.filled(hole), b"end"])
        assert zlib.decompress(stream) == b"frame" + hole.join(drawn) + b"end"
    assert chain.filled(holes[0] + b"x") is None  # a hole takes its length alone


def test_a_chain_refuses_stretches_holding_its_stand_in():
    assert stitching.chain([b"a\x00b", b"c"], 4) is None
    assert stitching.chain([b"a", b"c"], 70_000) is None
    assert stitching.chain([b"ab", b"c"], 4) is not None


def test_a_chain_compresses_as_well_as_the_stretches_whole():
    text = [b"<li class='comment'>A thought on scope, number %d</li>" % n for n in range(200)]
    chained = stitching.chain([b"".join(text[:100]), b"".join(text[100:])], 99)
    whole = stitching.piece(b"".join(text))
    assert sum(map(len, chained.blocks)) < len(whole.blocks) * 1.1


def test_the_frame_is_padded_by_a_random_length_that_holds_nothing():
    lengths = {len(stitching.stitched([b"frame", b"rest"])) for _ in range(60)}
    assert len(lengths) > 3
    assert zlib.decompress(stitching.stitched([b"frame", b"rest"])) == b"framerest"


# Pages, as the page cache's tests see them: transactions committed, writes tracked.
on_the_board = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]*"')


@pytest.fixture
def reader():
    client = Client()
    client.force_login(UserFactory())
    return client


def same_but_tokens(html: str) -> str:
    return TOKEN.sub(r'\1token"', html)


def pages(project) -> list[tuple[str, dict]]:
    return [
        ("/", {}),
        ("/?q=deception", {}),
        ("/?sort=sideways", {}),  # a 400, with its errors
        (project.agenda.get_absolute_url(), {}),
        ("/?page=1", {"HX-Request": "true"}),  # the results section alone
    ]


@on_the_board
def test_a_signed_in_readers_page_unpacks_to_the_page_rendered_whole(page_cache, reader):
    project = ProjectFactory(title="Toy models of deception")
    for path, headers in pages(project):
        for _ in range(2):  # kept, then from the cache
            stitched = reader.get(path, headers={**headers, "Accept-Encoding": "gzip, deflate"})
        whole = reader.get(path, headers=headers)
        assert stitched["Content-Encoding"] == "deflate", path
        assert "Accept-Encoding" in stitched["Vary"]
        assert stitched.status_code == whole.status_code
        unpacked = zlib.decompress(stitched.content).decode()
        assert same_but_tokens(unpacked) == same_but_tokens(whole.content.decode()), path
        if path == "/":
            assert "Toy models of deception" in unpacked


@on_the_board
@pytest.mark.parametrize(
    "accepted", ["gzip", "gzip, deflate;q=0", "deflate; q=0.0, gzip", "identity"]
)
def test_a_browser_that_does_not_take_the_zlib_format_gets_the_page_as_ever(
    page_cache, reader, accepted
):
    for _ in range(2):
        response = reader.get("/", headers={"Accept-Encoding": accepted})
    assert response.get("Content-Encoding") == ("gzip" if "gzip" in accepted else None)


@on_the_board
def test_visitors_pages_are_kept_whole_and_gzipped_as_before(page_cache, client):
    ProjectFactory()
    for _ in range(2):
        response = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert response["Content-Encoding"] == "gzip" and response["X-Page-Cache"] == "hit"


@on_the_board
def test_parts_rendered_afresh_are_compressed_whole(settings, reader):
    settings.PAGE_CACHE = False
    response = reader.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert response["Content-Encoding"] == "gzip"


@on_the_board
def test_a_page_with_links_to_fill_in_is_compressed_whole_with_them_filled(page_cache, reader):
    """Links to the board's projects in what people wrote are filled in on the way out
    (projects.middleware.board_links): a page that holds one is not stitched."""
    linked = ProjectFactory(title="The linked one")
    agenda = AgendaFactory(intro=f"Start with [this](/projects/{linked.slug}/).")
    ProjectFactory(agenda=agenda)
    for _ in range(2):
        response = reader.get(agenda.get_absolute_url(), headers={"Accept-Encoding": "deflate"})
    assert response.get("Content-Encoding") is None  # neither stitched nor gzipped
    assert 'class="board-standing' in response.content.decode()


@on_the_board
def test_the_readers_token_shares_no_stretch_with_what_they_searched_for(
    page_cache, reader, monkeypatch
):
    """The page's title names the query: it comes as its own kept piece, never compressed
    in one stretch with the reader's CSRF token (BREACH)."""
    stitched, real = [], stitching.stitched
    monkeypatch.setattr(
        stitching,
        "stitched",
        lambda stretches, **kw: stitched.append(stretches) or real(stretches, **kw),
    )
    for _ in range(3):
        answer = reader.get("/?q=sesquipedalian", headers={"Accept-Encoding": "deflate"})
    assert b"sesquipedalian" in zlib.decompress(answer.content)
    (before, rest_before), (tokens, rest) = map(tokens_apart, stitched[-2:])
    # The token, masked anew for each answer, in stored blocks; all else the same bytes.
    assert len(tokens) == len(before) >= 2 and not set(tokens) & set(before)
    assert rest == rest_before


def stitched_page(client: Client, path: str = "/") -> str:
    answer = client.get(path, headers={"Accept-Encoding": "deflate"})
    assert answer["Content-Encoding"] == "deflate", path
    return zlib.decompress(answer.content).decode()


@on_the_board
def test_each_readers_frame_is_kept_for_them_and_shows_any_change_at_once(page_cache):
    """The frame (the reader's name, their unread count, their token) is kept for each
    reader, per page: never anyone else's, and a write shows at once."""
    project = ProjectFactory()
    ada, alan = UserFactory(username="adalovelace"), UserFactory(username="alanturing")
    project.set_watch(user=ada, watching=True)
    first, second = Client(), Client()
    first.force_login(ada)
    second.force_login(alan)
    for _ in range(2):
        assert "adalovelace" in stitched_page(first) and "alanturing" not in stitched_page(first)
        assert "alanturing" in stitched_page(second)
    assert 'class="unread-count"' not in stitched_page(first)
    project.add_comment(author=alan, body="News for Ada.")
    assert 'class="unread-count">1<' in stitched_page(first)
    assert 'class="unread-count"' not in stitched_page(second)
    UserFactory._meta.model.objects.filter(pk=ada.pk).update(display_name="Ada Lovelace")
    assert "Ada Lovelace" in stitched_page(first)


@on_the_board
def test_a_message_waiting_is_shown_once_in_a_frame_rendered_for_it(page_cache, reader):
    project = ProjectFactory()
    stitched_page(reader)  # the frame kept
    answer = reader.post(
        reverse("projects:comment-create", args=[project.slug]), {"body": "A thought."}
    )
    assert answer.status_code in (302, 303)
    message = "Comment posted."
    assert message in stitched_page(reader)
    assert message not in stitched_page(reader)
