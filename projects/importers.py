"""Import an agenda from a markdown file in the seed format.

The format: YAML front matter (``title``, ``href`` as the source URL, ``tags``, and
optionally ``slug`` and ``author``), then an optional intro, then a numbered markdown list
whose items may run over several lines. Obsidian private notes (``%% ... %%``) are
dropped before anything else reads the text, so they reach no public field.

``parse_agenda`` reads a file without touching the database and raises
``AgendaFormatError`` with a message a person can act on; ``import_agenda`` applies it
in one transaction, updating in place by agenda slug and item number.

``export_agenda`` writes the board's own copy in the same format, marked as an export;
importing it back unchanged changes nothing, because whatever the format would read
differently (a literal ``%%`` or ``[[``, an intro line that looks like a list item) is
escaped on the way out and unescaped on the way back in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify
from markdown_it import MarkdownIt

from projects.markdown import markdown_to_text
from projects.models import Agenda, Project, Tag
from projects.models.project import unique_slug

TITLE_MAX_LENGTH = 100

_FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<yaml>.*?)^---[ \t]*(?:\r?\n|\Z)(?P<body>.*)\Z", re.S | re.M
)
# An Obsidian comment runs to the next %% (or, left open, to the end of the file).
_PRIVATE_NOTE = re.compile(r"[ \t]*%%.*?(?:%%|\Z)", re.S)
_WIKI_LINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
# A markdown link whose text is a bare URL: [https://...](https://...)
_URL_LINK_TEXT = re.compile(r"\[(https?://[^\]\s]+)\](?=\()")
_URL_WORD_BREAK = re.compile(r"[-_+\s]+")
_URL_PAGE_SUFFIX = re.compile(r"\.(?:s?html?|php|aspx?|pdf)$", re.I)
# A lower-case URL slug reads as the title of a work: each word capitalized, but these
# small words stay lower-case (unless first) and these acronyms upper-case.
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "per", "so", "the", "to", "up", "via", "vs", "with", "yet",
}  # fmt: skip
_ACRONYMS = {
    "ai", "agi", "api", "cirl", "gpt", "gpu", "llm", "llms", "ml", "nlp", "rl", "rlhf", "sgd",
    "tpu",
}  # fmt: skip
_LIST_MARKER = re.compile(r"^\s*\d+[.)][ \t]*")
# A title cut short reads best just before a word that opens a clause ...
_CLAUSE_WORDS = {
    "although", "and", "and/or", "because", "but", "compared", "how", "if", "insofar", "nor",
    "or", "rather", "since", "than", "that", "though", "unless", "until", "versus", "vs",
    "whereas", "what", "when", "where", "whether", "which", "while", "who", "whom", "whose",
    "why",
}  # fmt: skip
# ... or else just before a preposition or an auxiliary verb, which open a phrase.
_PHRASE_WORDS = {
    "about", "across", "after", "against", "along", "among", "around", "at", "before",
    "between", "beyond", "by", "during", "for", "from", "in", "into", "like", "of", "on",
    "onto", "over", "per", "through", "to", "toward", "towards", "under", "via", "with",
    "within", "without",
    "are", "can", "could", "is", "may", "might", "must", "shall", "should", "was", "were",
    "will", "would",
}  # fmt: skip
# A cut title never ends on a word that promises more ("... does for inner…").
_DANGLING_WORDS = _CLAUSE_WORDS | _PHRASE_WORDS | {
    "a", "also", "an", "as", "be", "been", "being", "e.g.", "he", "her", "his", "i", "i.e.",
    "it", "its", "more", "most", "much", "my", "no", "not", "our", "she", "so", "such", "the",
    "their", "these", "they", "this", "those", "very", "we", "you", "your",
}  # fmt: skip
# The opening clause ends at the first comma, semicolon, bracket, dash between spaces,
# or colon or sentence end followed by a space (so that "https://..." does not end it).
_CLAUSE_END = re.compile(r"[,;(\[]|\s[-–—]\s|[:.?!](?:\s|$)")
_KIND_WORDS = re.compile(
    r"\b(blog post|paper|list|scenario|sketch|exercises?|investigation|comparison)\b"
)
_KIND_BY_WORD = {
    "blog post": Project.Kind.BLOG_POST,
    "paper": Project.Kind.PAPER,
    "list": Project.Kind.LIST,
    "scenario": Project.Kind.SCENARIO,
    "sketch": Project.Kind.SKETCH,
    "exercise": Project.Kind.EXERCISES,
    "exercises": Project.Kind.EXERCISES,
    "investigation": Project.Kind.INVESTIGATION,
    "comparison": Project.Kind.COMPARISON,
}
# How far into an item its kind may be named: "As many alignment exercises as ..."
_KIND_OPENING_WORDS = 6

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


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), item number by item number."""

    agenda: Agenda
    agenda_created: bool = False
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # Items whose curator-edited title or description the import left alone.
    kept_curated: list[int] = field(default_factory=list)
    # Board proposals moved out of the way of a source item: (old number, new number).
    renumbered: list[tuple[int, int]] = field(default_factory=list)

    def action(self, number: int) -> str:
        """What the import does to item ``number``: "create", "update" or "leave unchanged"."""
        if number in self.created:
            return "create"
        return "update" if number in self.updated else "leave unchanged"

    def summary(self) -> str:
        """One line for a person: counts of created, updated and unchanged projects."""
        parts = [
            f"{len(self.created)} created",
            f"{len(self.updated)} updated",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.kept_curated:
            numbers = ", ".join(str(n) for n in self.kept_curated)
            parts.append(f"curator edits kept on {numbers}")
        for old, new in self.renumbered:
            parts.append(f"a board proposal moved from number {old} to {new}")
        verb = "Created" if self.agenda_created else "Updated"
        return f"{verb} agenda “{self.agenda.title}”: " + "; ".join(parts) + "."


def strip_private_notes(text: str) -> str:
    """Drop Obsidian private notes (``%% ... %%``) and turn stray wiki links into text."""
    text = _PRIVATE_NOTE.sub("", text)
    return _WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), text)


def infer_kind(description: str) -> str:
    """The project's kind, from the first kind word among the item's opening words."""
    opening = " ".join(markdown_to_text(description).lower().split()[:_KIND_OPENING_WORDS])
    match = _KIND_WORDS.search(opening)
    return _KIND_BY_WORD[match.group(1)] if match else Project.Kind.OTHER


def title_text(description: str) -> str:
    """The item as plain text for its title: links as their text, bare URLs as their last words.

    "covers the key points in [https://site/ai-could-defeat-us/](...)" reads as
    "covers the key points in “AI Could Defeat Us”" (see ``_words_of_url``).
    """
    return markdown_to_text(_URL_LINK_TEXT.sub(_readable_link_text, description))


def _readable_link_text(match: re.Match) -> str:
    """A bare URL's link text as the words of its last path segment, quoted, or its host."""
    url = urlsplit(match[1])
    words = _words_of_url(url.path)
    return f"[“{words}”]" if words else f"[{url.hostname}]"


def _words_of_url(path: str) -> str:
    """The words of a URL path's last segment, as its source wrote them.

    A slug with a capital letter keeps its case ("Shard-Theory" -> "Shard Theory"). An
    all lower-case slug is title-cased: every word capitalized except the small words in
    ``_SMALL_WORDS`` (unless first), and the acronyms in ``_ACRONYMS`` upper-case
    ("ai-could-defeat-all-of-us-combined" -> "AI Could Defeat All of Us Combined").
    """
    last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    words = _URL_WORD_BREAK.split(_URL_PAGE_SUFFIX.sub("", last).strip("-_+ "))
    if any(ch.isupper() for ch in last):
        return " ".join(words)
    return " ".join(_title_cased(word, first=not position) for position, word in enumerate(words))


def _title_cased(word: str, *, first: bool) -> str:
    """A lower-case word as a title writes it: acronyms upper-case, small words lower-case."""
    if word in _ACRONYMS:
        return word.upper()
    if word in _SMALL_WORDS and not first:
        return word
    return word[:1].upper() + word[1:]


def derive_title(description: str) -> str:
    """A short title: the opening clause as plain text, cut to 100 characters where it reads."""
    text = title_text(description)
    end = _CLAUSE_END.search(text)
    clause = (text[: end.start()] if end else text).strip()
    if len(clause) <= TITLE_MAX_LENGTH:
        return clause
    return _cut_where_it_reads(clause) + "…"


def _cut_where_it_reads(clause: str) -> str:
    """The clause's longest beginning that leaves room for "…" and reads as a title.

    A cut may not end inside quotes or brackets, on punctuation, or on a word in
    ``_DANGLING_WORDS``. Of the cuts that keep at least half the length allowed, one just
    before a word in ``_CLAUSE_WORDS`` is best, then one just before a word in
    ``_PHRASE_WORDS``; failing both, the longest cut that reads; failing that, the last
    whole word.
    """
    limit = TITLE_MAX_LENGTH - 1
    words = clause.split(" ")
    cuts: list[tuple[int, str]] = []
    for end in range(1, len(words)):
        head = " ".join(words[:end])
        if len(head) > limit:
            break
        if _ends_where_it_reads(head):
            following = _bare_word(words[end])
            rank = 0 if following in _CLAUSE_WORDS else 1 if following in _PHRASE_WORDS else 2
            cuts.append((rank, head))
    for best in (0, 1):
        heads = [head for rank, head in cuts if rank == best and len(head) >= limit // 2]
        if heads:
            return heads[-1]
    if cuts:
        return cuts[-1][1]
    head = clause[:limit]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;:-–—")


def _ends_where_it_reads(head: str) -> bool:
    """Whether a title may stop after ``head``: quotes and brackets closed, on a full word."""
    last = head.rsplit(" ", 1)[-1]
    return (
        head.count("“") == head.count("”")
        and head.count("(") == head.count(")")
        and head.count('"') % 2 == 0
        and (last[-1].isalnum() or last[-1] in "”’)\"'")
        and _bare_word(last) not in _DANGLING_WORDS
    )


def _bare_word(word: str) -> str:
    """A word without quotes or brackets around it, lower-cased, to look up in a word list."""
    return word.strip("“”‘’\"'()").lower()


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
            URLValidator(schemes=["http", "https"])(source_url)
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


@transaction.atomic
def import_agenda(data: bytes | str, *, dry_run: bool = False) -> ImportReport:
    """Create or update an agenda and its projects from a file, all or nothing.

    Projects are matched by number; a title or description that a curator edited since
    the last import is kept. A dry run does the same work and rolls it back, so that a
    preview shows exactly what a real import would do. Raises AgendaFormatError.
    """
    parsed = parse_agenda(data)
    agenda, agenda_created = _save_agenda(parsed)
    report = ImportReport(agenda=agenda, agenda_created=agenda_created)
    existing = {project.number: project for project in agenda.projects.all()}
    # A source file speaks for the projects imported from it; the board's own export
    # speaks for every project it lists.
    matched = (
        existing
        if parsed.is_export
        else {n: p for n, p in existing.items() if p.imported_description}
    )
    next_free = max([*existing, *(item.number for item in parsed.items)], default=0) + 1
    taken_slugs = set(Project.objects.values_list("slug", flat=True))
    for item in parsed.items:
        project = matched.get(item.number)
        if project is None:
            if squatter := existing.get(item.number):
                # A project proposed on the board took this number; the source comes first.
                squatter.number, next_free = next_free, next_free + 1
                squatter.save(update_fields=["number", "updated_at"])
                report.renumbered.append((item.number, squatter.number))
            slug = unique_slug(item.title, taken_slugs)
            taken_slugs.add(slug)
            Project.objects.create(
                agenda=agenda,
                number=item.number,
                slug=slug,
                title=item.title,
                description=item.description,
                kind=item.kind,
                imported_title=item.title,
                imported_description=item.description,
            )
            report.created.append(item.number)
            continue
        if parsed.is_export:
            changed, kept = _apply_export(project, item), False
        else:
            changed, kept = _refresh_project(project, item)
        (report.updated if changed else report.unchanged).append(item.number)
        if kept:
            report.kept_curated.append(item.number)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _save_agenda(parsed: ParsedAgenda) -> tuple[Agenda, bool]:
    """Create the agenda, or update the fields the file gives a value for."""
    agenda = Agenda.objects.filter(slug=parsed.slug).first()
    created = agenda is None
    if created:
        agenda = Agenda(slug=parsed.slug)
    changed = set()
    for name in ("title", "source_url", "author", "intro"):
        value = getattr(parsed, name)
        # An empty value in the file leaves what a curator filled in (the seed's author is null).
        if value and not _same_text(getattr(agenda, name), value):
            setattr(agenda, name, value)
            changed.add(name)
    if created:
        agenda.save()
    elif changed:
        agenda.save(update_fields=[*changed, "updated_at"])
    tags = [Tag.named(name) for name in parsed.tags]
    if created or {t.pk for t in tags} != set(agenda.tags.values_list("pk", flat=True)):
        agenda.tags.set(tags)
    return agenda, created


def _refresh_project(project: Project, item: ParsedItem) -> tuple[bool, bool]:
    """Bring a project up to date with its item. Returns (changed, kept curator edits)."""
    curated_title = project.title != project.imported_title
    curated_description = project.description != project.imported_description
    curated_kind = project.kind != infer_kind(project.imported_description)
    updates = {
        "imported_title": item.title,
        "imported_description": item.description,
    }
    if not curated_title:
        updates["title"] = item.title
    if not curated_description:
        updates["description"] = item.description
    if not curated_kind:
        updates["kind"] = item.kind
    changed = [name for name, value in updates.items() if getattr(project, name) != value]
    kept = (curated_title and item.title != project.title) or (
        curated_description and item.description != project.description
    )
    imported = [name for name in changed if name.startswith("imported_")]
    if imported:
        for name in imported:
            setattr(project, name, updates[name])
        project.save(update_fields=[*imported, "updated_at"])
    # The text itself changes through the curation methods, so that earlier versions are kept.
    note = "Updated from the source"
    if "title" in changed:
        project.rename(title=updates["title"], by=None, note=note)
    if "kind" in changed:
        project.set_kind(kind=updates["kind"], by=None, note=note)
    if "description" in changed:
        project.edit_description(text=updates["description"], by=None, note=note)
    return bool(changed), kept


def _apply_export(project: Project, item: ParsedItem) -> bool:
    """From the board's own export, take the description as a curator's edit (the export
    has no titles). What the source last said (``imported_*``) stays as it was."""
    if _same_text(project.description, item.description):
        return False
    return project.edit_description(text=item.description, by=None, note="Imported from an export")


def _same_text(stored: str, read: str) -> bool:
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
