"""Import an agenda from a file in the seed format, and export one back.

``import_agenda`` applies a file (read by ``agenda_file.parse_agenda``) in one
transaction, updating in place by agenda slug and item number; each text change goes
through the curation methods, so earlier versions are kept and every change is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from projects.importers.agenda_file import (
    EXPORT_MARK,
    AgendaFormatError,
    ParsedAgenda,
    ParsedItem,
    export_agenda,
    parse_agenda,
    same_text,
    strip_private_notes,
)
from projects.importers.titles import TITLE_MAX_LENGTH, derive_title, infer_kind, title_text
from projects.models import Agenda, Project, Tag
from projects.models.project import unique_slug
from projects.search import refresh_search_vector

__all__ = [
    "EXPORT_MARK",
    "TITLE_MAX_LENGTH",
    "AgendaFormatError",
    "ImportReport",
    "ParsedAgenda",
    "ParsedItem",
    "derive_title",
    "export_agenda",
    "import_agenda",
    "infer_kind",
    "parse_agenda",
    "strip_private_notes",
    "title_text",
]


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
    created_ids = []
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
            project = Project.objects.create(
                agenda=agenda,
                number=item.number,
                slug=slug,
                title=item.title,
                description=item.description,
                kind=item.kind,
                imported_title=item.title,
                imported_description=item.description,
            )
            created_ids.append(project.pk)
            report.created.append(item.number)
            continue
        if parsed.is_export:
            changed, kept = _apply_export(project, item), False
        else:
            changed, kept = _refresh_project(project, item)
        (report.updated if changed else report.unchanged).append(item.number)
        if kept:
            report.kept_curated.append(item.number)
    # An imported project starts without an event (its history begins with what people do),
    # so it is indexed here; every later change of its text records one, which indexes it.
    refresh_search_vector(*created_ids)
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
        if value and not same_text(getattr(agenda, name), value):
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
    if same_text(project.description, item.description):
        return False
    return project.edit_description(text=item.description, by=None, note="Imported from an export")
