"""What the board publishes for reuse: the rows of an agenda's export (CSV and JSON)."""

import csv
import io
from collections.abc import Callable, Iterable

from projects.models import Agenda

# The export's columns, in order: the CSV header and the keys of each JSON row.
EXPORT_COLUMNS = (
    "number",
    "title",
    "slug",
    "kind",
    "status",
    "standing",
    "tags",
    "active_claims",
    "researchers",
    "interested",
    "comments",
    "accepted_outputs",
    "url",
)

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_rows(agenda: Agenda, *, absolute: Callable[[str], str]) -> list[dict]:
    """One row per live project of the agenda, in source order (lists stay lists); its
    ``standing`` is a ``Project.Standing`` value, as the list, the glance and the API say.

    ``absolute`` turns a path into a full URL (``request.build_absolute_uri``). Five
    queries, whatever the number of projects.
    """
    projects = agenda.projects.live().for_list()  # the list's rows, in source order
    return [
        {
            "number": project.number,
            "title": project.title,
            "slug": project.slug,
            "kind": project.kind,
            "status": project.status,
            "standing": project.standing,
            "tags": [tag.name for tag in project.tags.all()],
            "active_claims": project.active_count,
            "researchers": [claim.researcher.public_name for claim in project.active_claims],
            "interested": project.interest_count,
            "comments": project.comment_count,
            "accepted_outputs": [output.url for output in project.accepted_outputs],
            "url": absolute(project.get_absolute_url()),
        }
        for project in projects
    ]


def csv_cell(value: object) -> str:
    """A CSV cell: lists joined with "; ", and text a spreadsheet would run as a formula
    made inert with a leading quote."""
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def rows_as_csv(rows: Iterable[dict]) -> str:
    """The export as CSV text: a header row, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[column]) for column in EXPORT_COLUMNS])
    return out.getvalue()
