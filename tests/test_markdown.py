"""Markdown rendering: what is kept, and that nothing a user writes can run script."""

import pytest

from projects.markdown import ALLOWED_TAGS, markdown_to_text, render_markdown
from tests.html import Elements

INJECTIONS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://example.org></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](https://example.org/x.png)",
    '[x](https://example.org "title" onclick="alert(1)")',
]


@pytest.mark.parametrize("source", INJECTIONS)
def test_script_and_raw_html_come_out_inert(source):
    for tag, attrs in Elements(render_markdown(source)).found:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") or name == "style" for name in attrs)
        if tag == "a":
            assert attrs.get("href", "").startswith(("http://", "https://", "mailto:"))


def test_raw_html_is_shown_as_text():
    html = render_markdown("<script>alert(1)</script>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"


def test_markdown_formatting_and_safe_links_are_kept():
    html = render_markdown("A *paper* on [x](https://example.org/x).\n\n- one\n- two")

    assert "<em>paper</em>" in html
    assert '<a href="https://example.org/x" rel="nofollow noopener noreferrer">x</a>' in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_markdown_to_text_keeps_link_text_and_drops_markup():
    text = markdown_to_text("A [linked](https://e.org) *thing* &amp; more")
    assert text == "A linked thing & more"
