"""The agenda file format: read one (``parse_agenda``) and write one (``export_agenda``).

The format: YAML front matter (``title``, ``href`` as the source URL, ``tags``, and
optionally ``slug`` and ``author``), then an optional intro, then a numbered markdown list
whose items may run over several lines. Obsidian private notes (``%% ... %%``) are
dropped before anything else reads the text, so they reach no public field.

``parse_agenda`` never touches the database and raises ``AgendaFormatError`` with a
message a person can act on. ``export_agenda`` writes the board's own copy, marked as an
export; reading it back gives the same text, because whatever the format would read
differently (a literal ``%%`` or ``[[``, an intro line that looks like a list item) is
escaped on the way out and unescaped on the way back in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from markdown_it import MarkdownIt

from projects.importers.titles import derive_title, infer_kind
from projects.models import Agenda, Project
from projects.validators import validate_link

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<yaml>.*?)^---[ \t]*(?:\r?\n|\Z)(?P<body>.*)\Z", re.S | re.M
)
# An Obsidian comment runs to the next %% (or, left open, to the end of the file).
_PRIVATE_NOTE = re.compile(r"[ \t]*%%.*?(?:%%|\Z)", re.S)
_WIKI_LINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
_LIST_MARKER = re.compile(r"^\s*\d+[.)][ \t]*")

_list_parser = MarkdownIt("commonmark")
# The line endings CommonMark knows, and so the list parser's line numbers count; Python's
# splitlines() also splits at form feeds and Unicode separators, which would shift them.
_LINE_ENDING = re.compile(r"\r\n?|\n")
# The front-matter key that marks a file as the board's own export.
EXPORT_MARK = "exported_by_board"
# In an export, "%%" and "[[" get one more backslash between the pair ("%\%", "[\["), so
# they read as neither a private note nor a wiki link; the import takes exactly one out
# again, so that text which already had backslashes there comes back as it was.
_DOUBLED = re.compile(r"([%\[])(\\*)(?=\1)")
_ESCAPED_DOUBLED = re.compile(r"([%\[])(\\*)\\(?=\1)")
# Likewise an intro line that starts like a numbered item ("1. ", "2) ").
_LIST_MARKER_START = re.compile(r"^([ \t]*\d+)(\\*)([.)])(?=[ \t]|$)", re.M)
_ESCAPED_LIST_MARKER_START = re.compile(r"^([ \t]*\d+)(\\*)\\([.)])(?=[ \t]|$)", re.M)


class AgendaFormatError(ValueError):
    """A file the importer cannot read; the message says what is wrong and how to fix it."""


@dataclass(frozen=True)
class ParsedItem:
    """One numbered item of an agenda file."""

    number: int
    description: str
    title: str
    kind: str

    @property
    def kind_label(self) -> str:
        return Project.Kind(self.kind).label


@dataclass(frozen=True)
class ParsedAgenda:
    """An agenda file, read and checked, not yet saved."""

    title: str
    slug: str
    source_url: str
    author: str
    tags: list[str]
    intro: str
    items: list[ParsedItem]
    # Written by export_agenda: the board's own copy, not an upstream source.
    is_export: bool = False


def strip_private_notes(text: str) -> str:
    """Drop Obsidian private notes (``%% ... %%``) and turn stray wiki links into text."""
    text = _PRIVATE_NOTE.sub("", text)
    return _WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), text)


def parse_agenda(data: bytes | str) -> ParsedAgenda:
    """Read an agenda file. Raises AgendaFormatError; never touches the database."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise AgendaFormatError(
                f"The file is not UTF-8 text (byte {error.start} cannot be read). "
                "Save it as UTF-8 and try again."
            ) from None
    if not data.strip():
        raise AgendaFormatError("The file is empty.")
    if "\x00" in data:
        raise AgendaFormatError("The file holds a NUL character: it is not a text file.")
    match = _FRONT_MATTER.match(data.removeprefix("\ufeff"))
    if not match:
        raise AgendaFormatError(
            "The file has no front matter: it must start with a line '---', then YAML "
            "with at least a title, then another line '---'."
        )
    meta = _parse_front_matter(match["yaml"])
    body = strip_private_notes(match["body"])
    intro, items = _parse_items(body, is_export=meta["is_export"])
    return ParsedAgenda(
        title=meta["title"],
        slug=meta["slug"],
        source_url=meta["source_url"],
        author=meta["author"],
        tags=meta["tags"],
        intro=intro,
        items=items,
        is_export=meta["is_export"],
    )


def _parse_front_matter(text: str) -> dict:
    """The front matter's values, checked and tidied. Raises AgendaFormatError."""
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 2})" if where else ""
        raise AgendaFormatError(f"The front matter is not valid YAML{line}.") from None
    if not isinstance(meta, dict):
        raise AgendaFormatError("The front matter must be YAML keys and values (title: ...).")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise AgendaFormatError("The front matter has no title.")
    is_export = meta.get(EXPORT_MARK) is True
    title = " ".join(strip_private_notes(title).split())
    if is_export:
        title = _unescape_doubled(title)
    slug = slugify(str(meta.get("slug") or title))[:100].strip("-")
    if not slug:
        raise AgendaFormatError("The agenda's title or slug must contain letters or digits.")
    source_url = str(meta.get("href") or "").strip()
    if source_url:
        try:
            validate_link(source_url)
        except ValidationError:
            raise AgendaFormatError(
                f"The href in the front matter is not an http(s) URL: {source_url!r}."
            ) from None
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        raise AgendaFormatError("The front matter's tags must be a list of words.")
    author = " ".join(str(meta.get("author") or "").split())
    for name, value, limit in (
        ("title", title, 200),
        ("href", source_url, 500),
        ("author", author, 200),
        *(("tag", tag, 50) for tag in tags),
    ):
        if len(str(value)) > limit:
            raise AgendaFormatError(
                f"The {name} in the front matter is longer than {limit} characters."
            )
    return {
        "title": title,
        "slug": slug,
        "source_url": source_url,
        "author": author,
        "is_export": is_export,
        # A source writes "Research_Agendas" for a tag; an export writes a tag's own name.
        "tags": [
            " ".join(str(t).split() if is_export else str(t).replace("_", " ").split())
            for t in tags
            if str(t).strip()
        ],
    }


def _parse_items(body: str, *, is_export: bool) -> tuple[str, list[ParsedItem]]:
    """Split the body into its intro and its numbered items, with the list parser's help."""
    lines = _LINE_ENDING.split(body)
    tokens = _list_parser.parse(body)
    items: list[ParsedItem] = []
    first_line = None
    for token in tokens:
        if token.type != "list_item_open" or token.level != 1 or not token.info.isdigit():
            continue
        start, end = token.map
        first_line = start if first_line is None else first_line
        item_lines = lines[start:end]
        marker = _LIST_MARKER.match(item_lines[0])
        # Continuation lines are indented to the item's content; lazy ones are not.
        indent = " " * marker.end()
        rest = [_remove_indent(line, indent) for line in item_lines[1:]]
        description = "\n".join([item_lines[0][marker.end() :], *rest]).strip()
        if is_export:
            description = _unescape_doubled(description)
        if not description:
            continue
        number = int(token.info)
        if any(item.number == number for item in items):
            raise AgendaFormatError(f"Item number {number} appears twice.")
        items.append(
            ParsedItem(
                number=number,
                description=description,
                title=derive_title(description),
                kind=infer_kind(description),
            )
        )
    if not items:
        raise AgendaFormatError(
            "No numbered items found: after the front matter, the projects must be a "
            "numbered markdown list (“1. A paper which …”)."
        )
    intro = "\n".join(lines[:first_line]).strip()
    if is_export:
        intro = _unescape_doubled(_ESCAPED_LIST_MARKER_START.sub(r"\1\2\3", intro))
    return intro, items


def same_text(stored: str, read: str) -> bool:
    """Whether text read from a file is the stored text as a file carries it.

    A file keeps neither the whitespace around a text nor its kind of line ending (a
    browser sends a textarea with CRLF), and markdown shows neither.
    """
    return _LINE_ENDING.sub("\n", stored).strip() == read


def _escape_doubled(text: str) -> str:
    """Keep a literal "%%" or "[[" from reading as a private note or a wiki link."""
    return _DOUBLED.sub(r"\1\2\\", text)


def _unescape_doubled(text: str) -> str:
    """Undo ``_escape_doubled``: exactly one backslash out of each escaped pair."""
    return _ESCAPED_DOUBLED.sub(r"\1\2", text)


def _remove_indent(line: str, indent: str) -> str:
    """Remove up to ``indent`` of leading spaces from a line."""
    stripped = line.lstrip(" ")
    return stripped if len(line) - len(stripped) <= len(indent) else line[len(indent) :]


def export_agenda(agenda: Agenda) -> str:
    """The agenda in the format ``import_agenda`` reads: importing it back changes nothing.

    Proposals still awaiting a curator are left out; every other project is written with
    its number and current description.
    """
    meta = {"title": _escape_doubled(agenda.title), "slug": agenda.slug, EXPORT_MARK: True}
    if agenda.source_url:
        meta["href"] = agenda.source_url
    if agenda.author:
        meta["author"] = agenda.author
    tags = [tag.name for tag in agenda.tags.all()]
    if tags:
        meta["tags"] = tags
    front_matter = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)
    parts = [f"---\n{front_matter}---\n"]
    if agenda.intro:
        # An intro line that looks like a list item would come back as a project.
        intro = _escape_doubled(_LINE_ENDING.sub("\n", agenda.intro).strip())
        parts.append(_LIST_MARKER_START.sub(r"\1\2\\\3", intro) + "\n")
    items = []
    for project in agenda.projects.public().in_agenda_order():
        marker = f"{project.number}. "
        lines = _LINE_ENDING.split(_escape_doubled(project.description.strip()))
        # Every line but an empty one is indented, spaces and all, so it comes back as it was.
        rest = [f"{' ' * len(marker)}{line}" if line else "" for line in lines[1:]]
        items.append("\n".join([marker + lines[0], *rest]))
    # A blank line between items keeps multi-paragraph items apart; a tight list otherwise.
    separator = "\n\n" if any("\n" in item for item in items) else "\n"
    parts.append(separator.join(items) + "\n")
    return "\n".join(parts)
