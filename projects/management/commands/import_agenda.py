"""``manage.py import_agenda PATH``: create or update an agenda from a file in the seed format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.importers import AgendaFormatError, import_agenda


class Command(BaseCommand):
    help = (
        "Import an agenda from a markdown file: YAML front matter, then a numbered list. "
        "Running it again updates in place and keeps curators' edits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The agenda file (UTF-8 markdown).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, and change nothing."
        )

    def handle(self, *args, path: Path, dry_run: bool, **options) -> None:
        """Import the file, or fail with the reason and nothing written."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            report = import_agenda(data, dry_run=dry_run)
        except AgendaFormatError as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from None
        prefix = "Dry run, nothing saved. " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
