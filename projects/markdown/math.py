"""Math in markdown: ``$...$`` inline and ``$$...$$`` display, as MathML made on the server.

The dollar syntax is mdit-py-plugins' dollarmath, set to read the way GitHub and pandoc do:
no space just inside the dollars and no digit just after the closing one, so "costs $5 and
$10" stays text. latex2mathml turns each formula into MathML once, when the text is saved,
and the browser lays it out: no script, nothing to load, and it reads with JavaScript off.

latex2mathml's own serializer unescapes what it writes, so text a formula holds could come
out as markup. Its element tree is written here instead: only the elements in ``MATH_TAGS``
and the attributes in ``MATH_ATTRIBUTES`` (with a value that is a word, a number or a
length, never a URL), every text escaped. The sanitizer then checks the same lists again.

A formula that latex2mathml cannot read, that defines commands, or that is too large
(longer than ``MAX_FORMULA_LENGTH``, nested deeper than ``MAX_DEPTH``, or past what is left
of its text's ``MATH_BUDGET``) is shown as its source, as code, with a quiet note: any text
renders quickly, and nothing a formula holds ever raises.
"""

import html
import re
from collections.abc import Sequence
from xml.etree.ElementTree import Element

from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

# Every element latex2mathml writes.
MATH_TAGS = frozenset(
    {
        "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom",
        "mroot", "mrow", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable",
        "mtd", "mtext", "mtr", "munder", "munderover",
    }
)  # fmt: skip
# The layout attributes it writes (latex2mathml passes some from one element to another,
# so each is allowed on every math element). Not href, style or class (from \href, \style,
# \class), which it would write as given: those are dropped.
MATH_ATTRIBUTES = frozenset(
    {
        "accent", "columnalign", "columnlines", "columnspacing", "depth", "displaystyle",
        "fence", "form", "height", "linebreak", "linethickness", "lspace", "mathbackground",
        "mathcolor", "mathsize", "mathvariant", "maxsize", "minsize", "movablelimits",
        "notation", "rowlines", "rowspacing", "rspace", "scriptlevel", "separator",
        "stretchy", "voffset", "width",
    }
)  # fmt: skip
# What those attributes' values look like: words, numbers, lengths, #colours; no colon,
# parenthesis or slash, so never a URL or a CSS function.
SAFE_VALUE = re.compile(r"[A-Za-z0-9#.+\- ]{0,40}")

MAX_FORMULA_LENGTH = 1000
MAX_DEPTH = 30
# Characters of math one text may show as MathML (latex2mathml takes up to about 15 µs a
# character); each formula also costs FORMULA_COST, for its work per formula. Past it,
# formulas show as written.
MATH_BUDGET = 2500
FORMULA_COST = 20

UNREADABLE = "could not read this formula"
TOO_LARGE = "this formula is too large to show"
TOO_MUCH = "too much math in one text to show it all"

# Commands that define commands: their expansion can grow without bound.
_DEFINITIONS = re.compile(
    r"\\(?:[gex]?def|let|(?:re)?newcommand|providecommand|(?:re)?newenvironment"
    r"|DeclareMathOperator)(?![A-Za-z])"
)
# What opens and closes a level of nesting; an escaped character (``\{``) is neither.
_NESTING = re.compile(r"\\(?:left|right|begin|end)(?![A-Za-z])|\\.|[{}]", re.DOTALL)
_OPENS = {"{", r"\left", r"\begin"}
_CLOSES = {"}", r"\right", r"\end"}


class _Unreadable(Exception):
    """latex2mathml wrote an element the board does not allow."""


def math_plugin(md: MarkdownIt) -> None:
    """Read ``$...$`` and ``$$...$$`` in ``md`` and render them as MathML."""
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_display)
    md.add_render_rule("math_block", _render_display)


def _render_inline(self, tokens: Sequence[Token], idx: int, options, env: dict) -> str:
    """``$...$``: inline MathML, or its source with a note."""
    return render_formula(tokens[idx].content.strip(), display=False, env=env)


def _render_display(self, tokens: Sequence[Token], idx: int, options, env: dict) -> str:
    """``$$...$$``, on its own lines or in a paragraph: display MathML in a box of its own
    that scrolls sideways when the formula is wider than the page (focusable, so that a
    keyboard can scroll it too)."""
    formula = render_formula(tokens[idx].content.strip(), display=True, env=env)
    box = f'<span class="math-display" tabindex="0">{formula}</span>'
    return f"{box}\n" if tokens[idx].type == "math_block" else box


def render_formula(latex: str, *, display: bool, env: dict) -> str:
    """One formula -> MathML (``display="block"`` for display math), or its source as code
    with a quiet note. ``env["math_budget"]`` keeps what is left of the text's budget;
    with ``env["plain"]`` (for plain text) a formula stays as written, unconverted."""
    delimiter = "$$" if display else "$"
    if env.get("plain"):
        return html.escape(f"{delimiter}{latex}{delimiter}")
    if len(latex) > MAX_FORMULA_LENGTH:
        return _source(latex, delimiter, TOO_LARGE)
    budget = env.get("math_budget", MATH_BUDGET)
    cost = len(latex) + FORMULA_COST
    env["math_budget"] = budget - cost
    if budget < cost:
        # Past the budget the note is said once; the formulas after it stay as written
        # (a note each would cost as much time as it saves).
        if env.get("math_budget_told"):
            return html.escape(f"{delimiter}{latex}{delimiter}")
        env["math_budget_told"] = True
        return _source(latex, delimiter, TOO_MUCH)
    if _depth(latex) > MAX_DEPTH:
        return _source(latex, delimiter, TOO_LARGE)
    if _DEFINITIONS.search(latex):
        return _source(latex, delimiter, UNREADABLE)
    try:
        tree = convert_to_element(latex, display="block" if display else "inline")
        return _write_math(tree, latex=latex, display=display)
    # latex2mathml raises many kinds of error on input it cannot read (and RecursionError
    # on deep input): any of them means the same to the reader.
    except Exception:
        return _source(latex, delimiter, UNREADABLE)


def _depth(latex: str) -> int:
    """How deep the formula's braces, ``\\left`` and ``\\begin`` nest."""
    depth = deepest = 0
    for match in _NESTING.finditer(latex):
        token = match.group()
        if token in _OPENS:
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSES:
            depth -= 1
    return deepest


def _source(latex: str, delimiter: str, note: str) -> str:
    """A formula shown as what was written, with a note saying why."""
    written = html.escape(f"{delimiter}{latex}{delimiter}")
    return (
        f'<span class="math-source"><code>{written}</code> '
        f'<span class="math-note">({note})</span></span>'
    )


def _write_math(tree: Element, *, latex: str, display: bool) -> str:
    """latex2mathml's ``<math>`` tree -> MathML text, keeping only what is allowed.

    The TeX source rides along as ``alttext``, the plain-text form of the formula (for
    ``html_to_text``).
    """
    shown = ' display="block"' if display else ""
    out = [f'<math{shown} alttext="{html.escape(latex)}">']
    for child in tree:
        _write(child, out)
    out.append("</math>")
    return "".join(out)


def _write(element: Element, out: list[str]) -> None:
    """Append one element, its allowed attributes and its escaped text, then its children.

    Raises _Unreadable for an element outside ``MATH_TAGS``.
    """
    tag = element.tag
    if tag not in MATH_TAGS or tag == "math":
        raise _Unreadable(tag)
    attributes = "".join(
        f' {name}="{html.escape(value)}"'
        for name, value in element.attrib.items()
        if name in MATH_ATTRIBUTES and SAFE_VALUE.fullmatch(value)
    )
    out.append(f"<{tag}{attributes}>")
    # latex2mathml writes symbols as character references (``&#x0002B;``) in the text.
    out.append(html.escape(html.unescape(element.text or "")))
    for child in element:
        _write(child, out)
    out.append(f"</{tag}>")
    out.append(html.escape(html.unescape(element.tail or "")))
