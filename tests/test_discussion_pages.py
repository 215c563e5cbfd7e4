"""The project page's discussion a page of threads at a time, and comments' permalinks."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Comment, Project
from tests.factories import CommentFactory, ProjectFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
DISCUSSION_HTMX = {**HTMX, "HTTP_HX_TARGET": "discussion"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_page(settings):
    settings.DISCUSSION_THREADS_PER_PAGE = 3


def discuss(project, *, threads: int, replies: int = 0) -> list[Comment]:
    """Give a project ``threads`` top-level comments, a minute apart, each with ``replies``
    replies, in two bulk inserts; the threads come back oldest first."""
    author = UserFactory()
    start = timezone.now() - datetime.timedelta(days=30)

    def comment(n: int, **kwargs) -> Comment:
        at = start + datetime.timedelta(minutes=n)
        return Comment(
            project=project,
            author=author,
            body=f"Comment {n}",
            body_html=f"<p>Comment {n}</p>",
            created_at=at,
            **kwargs,
        )

    tops = Comment.objects.bulk_create(comment(n * 100) for n in range(threads))
    Comment.objects.bulk_create(
        comment(n * 100 + r + 1, parent=top) for n, top in enumerate(tops) for r in range(replies)
    )
    return tops


def page_queries(client, project: Project, **headers) -> tuple[int, int]:
    """How many queries the project page (or, with headers, its answer) takes, and its size."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(project.get_absolute_url(), **headers)
    assert response.status_code == 200
    return len(queries), len(response.content)


def shown(html: str, comments: list[Comment]) -> list[int]:
    """Which of ``comments`` the HTML shows."""
    return [c.pk for c in comments if f'id="comment-{c.pk}"' in html]


def test_a_discussion_of_a_thousand_comments_is_one_light_page_in_as_many_queries_as_ten(
    client, curator
):
    """Guards the N+1 of a discussion loaded whole: the page takes the same queries for a
    thousand comments as for ten, and stays under 300 KB."""
    client.force_login(curator)
    small, big = ProjectFactory(), ProjectFactory()
    discuss(small, threads=5, replies=1)
    discuss(big, threads=250, replies=3)

    small_queries, _ = page_queries(client, small)
    big_queries, size = page_queries(client, big)

    assert Comment.objects.filter(project=big).count() == 1000
    assert big_queries == small_queries
    assert size < 300_000


@pytest.mark.parametrize("headers", [{}, DISCUSSION_HTMX], ids=["page", "htmx"])
def test_the_discussion_query_count_is_flat_from_one_thread_to_twenty(client, curator, headers):
    """Guards N+1s of each thread's author, replies and flags: one thread costs the same
    queries as twenty, on the page and in the htmx answer."""
    client.force_login(curator)
    one, twenty = ProjectFactory(), ProjectFactory()
    discuss(one, threads=1, replies=1)
    discuss(twenty, threads=20, replies=2)

    assert page_queries(client, one, **headers)[0] == page_queries(client, twenty, **headers)[0]


def test_the_page_shows_the_latest_threads_oldest_first_with_a_link_to_earlier_ones(
    client, three_a_page
):
    project = ProjectFactory()
    threads = discuss(project, threads=7, replies=1)

    html = client.get(project.get_absolute_url()).content.decode()

    assert shown(html, threads) == [t.pk for t in threads[4:]]
    assert html.index(f'id="comment-{threads[4].pk}"') < html.index(f'id="comment-{threads[6].pk}"')
    assert "14 comments in 7 threads; page 1 of 3, counting back from the latest" in html
    assert f'href="{project.get_absolute_url()}?discussion=2#discussion"' in html
    assert "Earlier comments" in html and "Later comments" not in html


def test_earlier_pages_link_both_ways_and_the_first_holds_the_oldest_threads(client, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=7)
    url = project.get_absolute_url()

    middle = client.get(f"{url}?discussion=2").content.decode()
    last = client.get(f"{url}?discussion=3").content.decode()

    assert shown(middle, threads) == [t.pk for t in threads[1:4]]
    assert f'href="{url}?discussion=3#discussion"' in middle
    assert f'href="{url}#discussion"' in middle and "Later comments" in middle
    assert shown(last, threads) == [threads[0].pk]
    assert "Earlier comments" not in last


def test_a_short_discussion_has_no_paging_links(client):
    project = ProjectFactory()
    discuss(project, threads=2, replies=1)

    html = client.get(project.get_absolute_url()).content.decode()

    assert "4 comments in 2 threads</p>" in html
    assert "Earlier comments" not in html and "Later comments" not in html


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5", "１", "99999999999999999999"])
def test_a_discussion_page_that_is_not_a_number_answers_400_saying_so(client, value):
    project = ProjectFactory()

    response = client.get(project.get_absolute_url(), {"discussion": value})

    assert response.status_code == 400
    assert "The discussion page must be a whole number from 1" in response.content.decode()


def test_a_discussion_page_past_the_last_answers_404(client, three_a_page):
    project = ProjectFactory()
    discuss(project, threads=4)

    assert client.get(project.get_absolute_url(), {"discussion": "2"}).status_code == 200
    assert client.get(project.get_absolute_url(), {"discussion": "3"}).status_code == 404


def test_htmx_asking_for_the_discussion_gets_the_section_alone(client, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=5)

    response = client.get(project.get_absolute_url(), {"discussion": "2"}, **DISCUSSION_HTMX)
    html = response.content.decode()

    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="discussion"')
    assert shown(html, threads) == [t.pk for t in threads[:2]]
    assert "HX-Request" in response["Vary"]


def test_a_comment_permalink_finds_the_page_that_holds_it(client, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=7, replies=1)
    reply = threads[1].replies.get()
    url = project.get_absolute_url()

    assert client.get(threads[6].get_absolute_url()).url == f"{url}#comment-{threads[6].pk}"
    assert (
        client.get(threads[3].get_absolute_url()).url
        == f"{url}?discussion=2#comment-{threads[3].pk}"
    )
    assert client.get(reply.get_absolute_url()).url == f"{url}?discussion=2#comment-{reply.pk}"
    assert (
        client.get(threads[0].get_absolute_url()).url
        == f"{url}?discussion=3#comment-{threads[0].pk}"
    )
    page = client.get(f"{url}?discussion=2").content.decode()
    assert f'id="comment-{reply.pk}"' in page


def test_a_permalink_of_a_hidden_comment_reaches_its_placeholder(client, curator, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=4)
    threads[0].hide(by=curator)

    response = client.get(threads[0].get_absolute_url(), follow=True)

    assert response.redirect_chain[-1][0].endswith(f"?discussion=2#comment-{threads[0].pk}")
    html = response.content.decode()
    assert "This comment was hidden by a curator." in html and "Comment 0" not in html


def test_permalinks_of_unknown_comments_and_of_unpublished_proposals_answer_404(client):
    proposal = ProjectFactory(status=Project.Status.PROPOSED)
    comment = CommentFactory(project=proposal)

    assert client.get(comment.get_absolute_url()).status_code == 404
    assert client.get("/comments/999999/").status_code == 404


def test_hiding_an_old_comment_with_htmx_rerenders_the_page_that_holds_it(
    client, curator, three_a_page
):
    project = ProjectFactory()
    threads = discuss(project, threads=7)
    client.force_login(curator)

    response = client.post(f"/comments/{threads[2].pk}/hide/", **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert shown(html, threads) == [t.pk for t in threads[1:4]]
    assert "page 2 of 3" in html


def test_hiding_an_old_comment_without_htmx_goes_back_to_its_page(client, curator, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=7)
    client.force_login(curator)

    response = client.post(f"/comments/{threads[2].pk}/hide/")

    assert response.status_code == 303
    assert response.url == f"{project.get_absolute_url()}?discussion=2#comment-{threads[2].pk}"


def test_a_reply_to_an_old_thread_comes_back_at_that_thread(client, researcher, three_a_page):
    project = ProjectFactory()
    threads = discuss(project, threads=7)
    client.force_login(researcher)
    data = {"parent": threads[0].pk, "body": "Still relevant."}
    url = f"{project.get_absolute_url()}comments/"

    plain = client.post(url, data)
    htmx = client.post(url, {**data, "body": "And again."}, **HTMX).content.decode()

    assert plain.url == f"{project.get_absolute_url()}?discussion=3#discussion"
    assert shown(htmx, threads) == [threads[0].pk] and "And again." in htmx


def test_a_new_comment_comes_back_on_the_latest_page(client, researcher, three_a_page):
    project = ProjectFactory()
    discuss(project, threads=7)
    client.force_login(researcher)

    response = client.post(f"{project.get_absolute_url()}comments/", {"body": "New idea."})

    assert response.url == f"{project.get_absolute_url()}#discussion"
    assert "New idea." in client.get(response.url).content.decode()
