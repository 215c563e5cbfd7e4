"""Writing: the preview of every markdown field (the endpoint and the plain-form Preview),
quoting a comment, its permalink, when it was edited, and the signal that lets the page
forget a saved form's draft."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from projects.markdown import render_markdown
from projects.models import Claim, Comment, Project
from tests.factories import CommentFactory, ProjectFactory, UserFactory
from tests.html import Elements

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PREVIEW = "/preview/"

# Leading spaces (a form strips them), a link, emphasis, a list, a table and hostile bits.
TEXT = (
    "    *Indented* at first, then [a link](https://example.org/a?b=1&c=2)\n\n"
    "- one\n- two `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "<script>alert(1)</script> [x](javascript:alert(2)) ![i](data:image/png;base64,AA)\n"
)


@pytest.fixture
def writer(client, researcher):
    client.force_login(researcher)
    return client


def comment_box(html: str, field_id: str) -> str:
    """The text a page's textarea ``field_id`` holds, as the browser reads it."""
    start = html.index(f'id="{field_id}">', html.index("<textarea")) + len(f'id="{field_id}">')
    text = html[start : html.index("</textarea>", start)]
    return text.removeprefix("\n")  # the browser drops the newline after the tag


def preview(client: Client, text: str, **headers) -> str:
    """The preview endpoint's HTML for ``text``."""
    response = client.post(PREVIEW, {"text": text}, **headers)
    assert response.status_code == 200
    return response.content.decode()


# The endpoint: who may use it, and what it answers.


def test_preview_needs_sign_in(client):
    response = client.post(PREVIEW, {"text": "*hi*"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    htmx = client.post(PREVIEW, {"text": "*hi*"}, **HTMX)
    assert htmx.status_code == 204 and "/accounts/login/" in htmx["HX-Redirect"]


def test_preview_needs_csrf(researcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    assert client.post(PREVIEW, {"text": "*hi*"}).status_code == 403


def test_preview_is_post_only(writer):
    assert writer.get(PREVIEW, {"text": "*hi*"}).status_code == 405


def test_preview_is_rate_limited_under_its_own_kind(writer, settings, rate_limit_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": "2/m/user"}
    assert preview(writer, "one") and preview(writer, "two")
    refused = writer.post(PREVIEW, {"text": "three"})
    assert refused.status_code == 429 and "Too many previews" in refused.content.decode()


def test_preview_sanitizes_hostile_markdown(writer):
    html = preview(writer, TEXT)
    for tag, attrs in Elements(html).found:
        assert tag not in {"script", "img", "iframe"}
        assert not [name for name in attrs if name.startswith("on")]
        assert not (attrs.get("href") or "").lower().startswith(("javascript:", "data:"))
    assert "<em>Indented</em>" in html and "&lt;script&gt;" in html


def test_preview_renders_the_field_the_preview_button_names(writer):
    html = writer.post(PREVIEW, {"preview": "body", "body": "**bold**", "text": "no"}).content
    assert html.decode() == "<p><strong>bold</strong></p>\n"


def test_preview_of_nothing_says_so(writer):
    assert "Nothing to preview yet." in preview(writer, "   ")


def test_preview_refuses_text_longer_than_any_field_takes(writer):
    assert "Too long to preview" in preview(writer, "x" * 20001)


# What the preview shows is exactly what is saved, for every markdown field.


def test_comment_preview_equals_the_stored_html(writer):
    project = ProjectFactory()
    expected = preview(writer, TEXT)
    writer.post(reverse("projects:comment-create", args=[project.slug]), {"body": TEXT})
    assert Comment.objects.get().body_html == expected


def test_reply_preview_equals_the_stored_html(writer):
    parent = CommentFactory()
    expected = preview(writer, TEXT)
    url = reverse("projects:comment-create", args=[parent.project.slug])
    writer.post(url, {"body": TEXT, "parent": parent.pk})
    assert Comment.objects.get(parent=parent).body_html == expected


def test_comment_edit_preview_equals_the_stored_html(writer, researcher):
    comment = CommentFactory(author=researcher)
    expected = preview(writer, TEXT)
    writer.post(reverse("projects:comment-edit", args=[comment.pk]), {"body": TEXT})
    comment.refresh_from_db()
    assert comment.body_html == expected and comment.body == TEXT.strip()


def test_claim_plan_preview_equals_the_stored_html(writer):
    project = ProjectFactory()
    expected = preview(writer, TEXT)
    writer.post(reverse("projects:project-claim", args=[project.slug]), {"plan": TEXT})
    assert Claim.objects.get().plan_html == expected


def test_proposal_description_preview_equals_the_stored_html(writer):
    expected = preview(writer, TEXT)
    data = {"title": "A new idea", "description": TEXT, "kind": "paper"}
    writer.post(reverse("projects:project-propose"), data)
    assert Project.objects.get(title="A new idea").description_html == expected


def test_profile_bio_preview_equals_the_stored_html(writer, researcher):
    expected = preview(writer, TEXT)
    writer.post(reverse("accounts:profile-edit"), {"display_name": "Ada", "bio": TEXT})
    assert User.objects.get(pk=researcher.pk).bio_html == expected


# Without JavaScript: Preview sends the form back with the preview, and saves nothing.


def test_plain_comment_preview_shows_the_form_again_with_the_preview_and_saves_nothing(writer):
    project = ProjectFactory()
    url = reverse("projects:comment-create", args=[project.slug])
    response = writer.post(url, {"body": "*Draft* text", "preview": "body"})
    assert response.status_code == 303
    assert response["Location"].endswith("#comment-body-preview")
    assert not Comment.objects.exists()
    html = writer.get(response["Location"]).content.decode()
    assert '<div id="comment-body-preview"' in html and "<p><em>Draft</em> text</p>" in html
    assert comment_box(html, "comment-body") == "*Draft* text"  # kept below the preview
    assert html.index('id="comment-body-preview"') < html.index('id="comment-body"')


def test_plain_reply_preview_keeps_the_reply_open_with_its_preview(writer):
    parent = CommentFactory()
    url = reverse("projects:comment-create", args=[parent.project.slug])
    response = writer.post(url, {"body": "a **reply**", "parent": parent.pk, "preview": "body"})
    assert response["Location"].endswith(f"#reply-{parent.pk}-body-preview")
    html = writer.get(response["Location"]).content.decode()
    assert "<p>a <strong>reply</strong></p>" in html
    assert Comment.objects.count() == 1


def test_plain_edit_preview_saves_nothing(writer, researcher):
    comment = CommentFactory(author=researcher, body="Before")
    url = reverse("projects:comment-edit", args=[comment.pk])
    response = writer.post(url, {"body": "After *all*", "preview": "body"})
    html = writer.get(response["Location"]).content.decode()
    assert "<p>After <em>all</em></p>" in html
    assert comment_box(html, f"edit-{comment.pk}-body") == "After *all*"
    comment.refresh_from_db()
    assert comment.body == "Before" and comment.edited_at is None


def test_plain_claim_preview_saves_nothing(writer):
    project = ProjectFactory()
    url = reverse("projects:project-claim", args=[project.slug])
    response = writer.post(url, {"plan": "My *plan*", "preview": "plan"})
    assert response["Location"] == f"{url}#claim-plan-preview"
    assert "<p>My <em>plan</em></p>" in writer.get(response["Location"]).content.decode()
    assert not Claim.objects.exists()


def test_plain_proposal_preview_saves_nothing(writer):
    url = reverse("projects:project-propose")
    data = {"title": "Idea", "description": "An *idea*", "kind": "paper", "preview": "description"}
    response = writer.post(url, data)
    assert "<p>An <em>idea</em></p>" in writer.get(response["Location"]).content.decode()
    assert not Project.objects.filter(title="Idea").exists()


def test_plain_bio_preview_saves_nothing(writer, researcher):
    url = reverse("accounts:profile-edit")
    response = writer.post(url, {"display_name": "Ada", "bio": "I *do*", "preview": "bio"})
    html = response.content.decode()
    assert response.status_code == 200 and "<p>I <em>do</em></p>" in html
    assert User.objects.get(pk=researcher.pk).bio == ""


def test_preview_of_an_empty_comment_shows_the_error_too(writer):
    project = ProjectFactory()
    url = reverse("projects:comment-create", args=[project.slug])
    response = writer.post(url, {"body": "", "preview": "body"})
    html = writer.get(response["Location"]).content.decode()
    assert "Write something first." in html and "Nothing to preview yet." in html


def test_a_preview_naming_a_field_that_is_not_markdown_saves_as_usual(writer):
    project = ProjectFactory()
    url = reverse("projects:comment-create", args=[project.slug])
    writer.post(url, {"body": "Sent", "preview": "is_scope"})
    assert Comment.objects.get().body == "Sent"


def test_every_markdown_field_has_write_and_preview(writer):
    project = ProjectFactory()
    html = writer.get(project.get_absolute_url()).content.decode()
    assert 'data-preview="comment-body"' in html and 'data-write="comment-body"' in html
    assert 'hx-post="/preview/"' in html
    for url in (
        reverse("projects:project-claim", args=[project.slug]),
        reverse("projects:project-propose"),
        reverse("accounts:profile-edit"),
    ):
        page = writer.get(url).content.decode()
        assert 'name="preview"' in page and "formnovalidate" in page, url


# The htmx answer to a saved form tells the page, so that its draft is forgotten.


def test_a_saved_htmx_comment_tells_the_page_and_a_refused_one_does_not(writer):
    project = ProjectFactory()
    url = reverse("projects:comment-create", args=[project.slug])
    assert writer.post(url, {"body": "Hello"}, **HTMX)["HX-Trigger"] == "board:saved"
    assert "HX-Trigger" not in writer.post(url, {"body": ""}, **HTMX)


def test_a_saved_htmx_edit_tells_the_page(writer, researcher):
    comment = CommentFactory(author=researcher)
    url = reverse("projects:comment-edit", args=[comment.pk])
    assert writer.post(url, {"body": "Changed"}, **HTMX)["HX-Trigger"] == "board:saved"


def test_a_plain_success_message_marks_the_page_saved(writer):
    project = ProjectFactory()
    url = reverse("projects:comment-create", args=[project.slug])
    page = writer.post(url, {"body": "Hello"}, follow=True).content.decode()
    assert "data-saved" in page
    refused = writer.post(url, {"body": ""}, follow=True).content.decode()
    assert "data-saved" not in refused


# Quote, permalink, edited.


def test_quote_fills_the_comment_form_without_javascript(writer):
    author = UserFactory(display_name="Grace [H]")
    comment = CommentFactory(author=author, body="First line\n\nSecond *line*")
    html = writer.get(f"{comment.project.get_absolute_url()}?quote={comment.pk}").content.decode()
    link = f"[Grace \\[H\\] wrote](/comments/{comment.pk}/)"
    expected = f"&gt; First line\n&gt;\n&gt; Second *line*\n\n{link}\n\n"
    assert comment_box(html, "comment-body") == expected


def test_quote_renders_as_a_quote_with_a_link_back(writer):
    comment = CommentFactory(body="Quoted words")
    html = render_markdown(comment.quote())
    assert "<blockquote>\n<p>Quoted words</p>\n</blockquote>" in html
    assert f'href="/comments/{comment.pk}/"' in html


@pytest.mark.parametrize("state", ["hidden", "deleted", "elsewhere", "junk"])
def test_a_comment_the_reader_may_not_see_cannot_be_quoted(writer, curator, state):
    project = ProjectFactory()
    comment = CommentFactory(project=ProjectFactory() if state == "elsewhere" else project)
    comment.body = "Secret"
    comment.save()
    if state == "hidden":
        comment.hide(by=curator)
    elif state == "deleted":
        comment.delete_by_author()
    pk = "x1" if state == "junk" else comment.pk
    html = writer.get(f"{project.get_absolute_url()}?quote={pk}").content.decode()
    assert comment_box(html, "comment-body") == ""  # the form is there, empty


def test_a_reader_who_cannot_comment_gets_no_quote(client):
    comment = CommentFactory(body="Public words")
    html = client.get(f"{comment.project.get_absolute_url()}?quote={comment.pk}").content.decode()
    assert "&gt; Public words" not in html and "data-quote=" not in html


def test_each_shown_comment_offers_quote_permalink_and_copy_link(writer):
    comment = CommentFactory()
    html = writer.get(comment.project.get_absolute_url()).content.decode()
    permalink = f"/comments/{comment.pk}/"
    assert f'<a class="meta permalink" href="{permalink}">' in html
    assert f'data-copy-link="{permalink}" hidden>Copy link</button>' in html
    assert f'href="{comment.project.get_absolute_url()}?quote={comment.pk}#comment-body"' in html
    assert 'data-quote="&gt; What exactly counts as *done* here?' in html


def test_the_permalink_leads_to_the_comment(client):
    comment = CommentFactory()
    response = client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")


def test_an_edited_comment_says_when_it_was_last_edited(writer, researcher):
    comment = CommentFactory(author=researcher)
    comment.edit(body="Once", is_scope=False)
    comment.edit(body="Twice", is_scope=False)
    comment.refresh_from_db()
    html = writer.get(comment.project.get_absolute_url()).content.decode()
    stamp = timezone.localtime(comment.edited_at)
    assert f'(edited <time datetime="{stamp.isoformat()}">{stamp:%-d %b %Y, %H:%M}</time>)' in html


def test_an_unedited_comment_does_not_say_edited(writer):
    comment = CommentFactory()
    assert "(edited" not in writer.get(comment.project.get_absolute_url()).content.decode()


# Query counts.


def page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_quote_permalink_and_edited_time_keep_the_page_flat(writer):
    """Quote text, permalinks and edited times come from each comment and its author, loaded
    with the thread: no query per comment (the N+1 this guards)."""
    one, many = ProjectFactory(), ProjectFactory()
    CommentFactory(project=one).edit(body="Edited", is_scope=False)
    for _ in range(20):
        CommentFactory(project=many, author=UserFactory()).edit(body="Edited", is_scope=False)
    writer.get(one.get_absolute_url())  # warm the session and content types
    assert page_queries(writer, one.get_absolute_url()) == page_queries(
        writer, many.get_absolute_url()
    )


def test_quoting_costs_one_query(writer):
    """?quote= reads the one quoted comment (with its author) and nothing else."""
    comment = CommentFactory()
    url = comment.project.get_absolute_url()
    writer.get(url)
    plain = page_queries(writer, url)
    assert page_queries(writer, f"{url}?quote={comment.pk}") == plain + 1


def test_a_preview_costs_no_query_beyond_the_session(writer):
    """The preview renders text: its queries (the session and the user) do not grow with it."""
    writer.post(PREVIEW, {"text": "warm"})
    with CaptureQueriesContext(connection) as short:
        preview(writer, "short")
    with CaptureQueriesContext(connection) as long:
        preview(writer, TEXT * 50)
    assert len(short) == len(long) <= 2
