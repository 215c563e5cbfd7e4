"""Markdown rendering: what is kept, and that nothing a user writes can run script."""

import pytest

from projects.markdown import ALLOWED_TAGS, markdown_to_text, render_markdown, sanitize
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
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">x</a>' in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_markdown_to_text_keeps_link_text_and_drops_markup():
    text = markdown_to_text("A [linked](https://e.org) *thing* &amp; more")
    assert text == "A linked thing & more"


def test_the_sanitizer_keeps_only_the_classes_attributes_and_values_the_renderer_writes():
    html = sanitize(
        '<span class="math-display evil" tabindex="-1">x</span>'
        '<a href="/projects/p/" class="board-link x" onclick="alert(1)">y</a>'
        '<math display="block" href="javascript:alert(1)" style="color:red">'
        '<mi mathvariant="bold" class="x" onmouseover="alert(1)">z</mi><mglyph src="x"></mglyph>'
        "</math>"
    )

    assert html == (
        '<span class="math-display">x</span>'
        '<a href="/projects/p/" class="board-link" rel="nofollow ugc noopener">y</a>'
        '<math display="block"><mi mathvariant="bold">z</mi></math>'
    )


def test_markdown_to_text_gives_formulas_as_their_tex_source():
    assert markdown_to_text(r"If $x \geq 0$ then") == r"If $x \geq 0$ then"
    assert markdown_to_text(r"If $a<b$ or $\frac{a}{$") == r"If $a<b$ or $\frac{a}{$"
