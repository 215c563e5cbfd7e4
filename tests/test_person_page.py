"""A researcher's page: the bio as markdown, and comment excerpts that keep code intact."""

import pytest
from django.urls import reverse

from accounts.templatetags.excerpts import excerpt
from projects.markdown import render_markdown
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = "```python\ndef f(x):\n    return x + 1\n```"
CODE_HTML = "<pre><code>def f(x):\n    return x + 1\n</code></pre>"


def test_a_bio_written_on_the_profile_form_renders_as_markdown(client, researcher):
    client.force_login(researcher)

    client.post(reverse("accounts:profile-edit"), {"bio": "Works on **interpretability**."})
    html = client.get(researcher.get_absolute_url()).content.decode()

    assert '<div class="prose"><p>Works on <strong>interpretability</strong>.</p>' in html


def test_a_bio_cannot_run_script(client):
    person = UserFactory(bio='<script>alert("bio")</script> [me](javascript:alert(1))')

    html = client.get(person.get_absolute_url()).content.decode()

    assert '<script>alert("bio")' not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_saving_only_the_bio_saves_its_html_too(researcher):
    researcher.bio = "*Hello*"
    researcher.save(update_fields=["bio"])

    researcher.refresh_from_db()
    assert researcher.bio_html == "<p><em>Hello</em></p>\n"


def test_an_empty_bio_shows_nothing(client, researcher):
    html = client.get(researcher.get_absolute_url()).content.decode()

    assert '<div class="prose">' not in html


def test_a_comment_excerpt_keeps_its_code_block_line_by_line(client, researcher):
    CommentFactory(author=researcher, body=f"Try this:\n\n{CODE}\n\nThen run it.")

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert CODE_HTML in html and "<p>Then run it.</p>" in html


def test_a_long_comment_is_cut_between_blocks_never_inside_code(client, researcher):
    CommentFactory(author=researcher, body="word " * 38 + f"\n\n{CODE}\n\nAfter the code.")

    html = client.get(researcher.get_absolute_url()).content.decode()

    assert "<pre><code>def" not in html and "After the code." not in html
    assert "word word</p>\n<p>…</p>" in html


def test_an_excerpt_cuts_a_long_paragraph_at_a_word_and_keeps_a_leading_code_block():
    long_paragraph = render_markdown("word " * 50)
    code_first = render_markdown(CODE + "\n\n" + "more " * 50)

    assert excerpt(long_paragraph, 40) == "<p>" + " ".join(["word"] * 40) + "…</p>"
    assert excerpt(code_first, 5) == CODE_HTML + "\n<p>…</p>"
