"""A project page holds at most one reply form and one flag form: each comment offers a
link that fetches its form (swapped in by htmx, or the page again with that form open)."""

import pytest
from django.urls import reverse

from projects.models import Flag
from tests.factories import CommentFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project():
    return ProjectFactory()


@pytest.fixture
def ada(client, researcher):
    client.force_login(researcher)
    return researcher


def threads(project, count=5):
    """``count`` threads by others, each with a reply by someone else."""
    tops = [CommentFactory(project=project, author=UserFactory()) for _ in range(count)]
    for top in tops:
        CommentFactory(project=project, parent=top, author=UserFactory())
    return tops


def test_the_page_offers_links_and_holds_no_form_per_comment(client, ada, project):
    tops = threads(project)
    CommentFactory(project=project, author=ada)  # your own: no flag link

    html = client.get(project.get_absolute_url()).content.decode()

    assert 'name="parent"' not in html and 'name="reason"' not in html
    for top in tops:
        assert f'href="{reverse("projects:comment-reply", args=[top.pk])}"' in html
        assert f'href="{reverse("projects:comment-flag", args=[top.pk])}"' in html
    # A reply link per thread (yours too), a flag link per comment of others.
    assert html.count('class="action-link"') == (len(tops) + 1) + 2 * len(tops)


def test_visitors_get_neither_link(client, project):
    threads(project, 2)

    html = client.get(project.get_absolute_url()).content.decode()

    assert "/reply/" not in html and "/flag/" not in html


def test_htmx_gets_the_reply_form_with_its_field_focused(client, ada, project):
    top = threads(project, 1)[0]

    response = client.get(reverse("projects:comment-reply", args=[top.pk]), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="reply-to-{top.pk}"' in html and "<details" in html and " open" in html
    assert f'id="reply-{top.pk}-body"' in html and "autofocus" in html
    assert f'name="parent" value="{top.pk}"' in html
    assert "csrfmiddlewaretoken" in html and "<html" not in html


def test_htmx_gets_the_flag_form_with_its_field_focused(client, ada, project):
    top = threads(project, 1)[0]

    response = client.get(reverse("projects:comment-flag", args=[top.pk]), **HTMX)

    html = response.content.decode()
    assert f'id="flag-for-{top.pk}"' in html and f'id="flag-{top.pk}-reason"' in html
    assert "autofocus" in html and "Flag for curators" in html


@pytest.mark.parametrize("name", ["reply", "flag"])
def test_without_javascript_the_link_opens_the_page_with_that_one_form(client, ada, project, name):
    tops = threads(project, 3)
    field = "body" if name == "reply" else "reason"

    response = client.get(reverse(f"projects:comment-{name}", args=[tops[1].pk]))

    assert response.status_code == 303
    location = response["Location"]
    assert (
        location == f"{project.get_absolute_url()}?{name}={tops[1].pk}#{name}-{tops[1].pk}-{field}"
    )
    html = client.get(location.split("#")[0]).content.decode()
    assert html.count(f'name="{"parent" if name == "reply" else "reason"}"') == 1
    assert f'id="{name}-{tops[1].pk}-{field}"' in html
    # The others still offer their links.
    assert reverse(f"projects:comment-{name}", args=[tops[0].pk]) in html


def test_a_reply_link_on_a_later_page_of_the_discussion_keeps_that_page(
    client, ada, project, settings
):
    settings.DISCUSSION_THREADS_PER_PAGE = 2
    tops = threads(project, 5)  # the oldest is on page 3

    response = client.get(reverse("projects:comment-reply", args=[tops[0].pk]))

    assert f"?discussion=3&reply={tops[0].pk}#" in response["Location"]
    html = client.get(response["Location"].split("#")[0]).content.decode()
    assert f'id="reply-{tops[0].pk}-body"' in html


def test_a_page_never_holds_a_form_the_reader_may_not_use(client, ada, project):
    mine = CommentFactory(project=project, author=ada)
    reply = CommentFactory(project=project, parent=mine, author=UserFactory())

    html = client.get(f"{project.get_absolute_url()}?flag={mine.pk}&reply={reply.pk}").content
    assert b'name="reason"' not in html and b'name="parent"' not in html


@pytest.mark.parametrize("name", ["reply", "flag"])
def test_refused_forms(client, ada, project, name):
    mine = CommentFactory(project=project, author=ada)
    reply = CommentFactory(project=project, parent=CommentFactory(project=project))
    refused = {"reply": reply, "flag": mine}[name]

    assert client.get(reverse(f"projects:comment-{name}", args=[refused.pk])).status_code == 403
    assert client.get(reverse(f"projects:comment-{name}", args=[99999])).status_code == 404


def test_visitors_are_sent_to_sign_in(client, project):
    top = threads(project, 1)[0]

    response = client.get(reverse("projects:comment-reply", args=[top.pk]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_flag_with_bad_input_comes_back_open_at_its_comment(client, ada, project):
    top = threads(project, 1)[0]

    response = client.post(reverse("projects:comment-flag", args=[top.pk]), {"reason": "x" * 1000})

    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert page.count('name="reason"') == 1 and 'aria-invalid="true"' in page
    assert not Flag.objects.exists()


def test_fetching_a_form_costs_the_same_on_any_discussion(
    client, ada, project, django_assert_max_num_queries
):
    small = threads(project, 1)[0]
    big = threads(ProjectFactory(), 30)[0]
    for comment in (small, big):
        with django_assert_max_num_queries(6):
            client.get(reverse("projects:comment-reply", args=[comment.pk]), **HTMX)


@pytest.mark.parametrize("name", ["reply", "flag"])
def test_no_form_for_a_comment_on_a_project_not_published(client, ada, name):
    proposal = ProjectFactory(proposed=True)
    comment = CommentFactory(project=proposal, author=UserFactory())

    response = client.get(reverse(f"projects:comment-{name}", args=[comment.pk]), **HTMX)

    assert response.status_code == 404
