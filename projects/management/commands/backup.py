"""``manage.py backup [FILE]``: a consistent copy of the database, PostgreSQL or SQLite."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.backups import BackupError, backup, default_path


class Command(BaseCommand):
    help = (
        "Back up the database of DATABASE_URL (pg_dump's custom format on PostgreSQL, "
        "SQLite's online backup on SQLite) and print the backup's path."
    )

    # A backup or restore needs only the database: a deploy's other settings (mail, hosts)
    # may be missing on the machine that runs it, and must not stop it.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            type=Path,
            help="Where to write it (must not exist); default var/backups/agenda-<time>.",
        )

    def handle(self, *args, file: Path | None, **options) -> None:
        """Write the backup and print its path, or fail with the reason and no file."""
        database = settings.DATABASES["default"]
        try:
            path = backup(database, file or default_path(database))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))
