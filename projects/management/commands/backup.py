"""``manage.py backup [FILE]``: a consistent copy of the database, PostgreSQL or SQLite;
``manage.py backup --check FILE``: restore a backup into a scratch database and count its rows.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.backups import BackupError, backup, check, default_path


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
        parser.add_argument(
            "--check",
            action="store_true",
            help="Instead, restore the backup FILE into a scratch database (removed afterwards) "
            "and print its rows per table.",
        )

    def handle(self, *args, file: Path | None, check: bool, **options) -> None:
        """Write the backup and print its path, or fail with the reason and no file; with
        --check, print the rows per table of the backup FILE once restored."""
        database = settings.DATABASES["default"]
        if check:
            if file is None:
                raise CommandError("Say which backup to check: manage.py backup --check FILE.")
            self.check_backup(database, file)
            return
        try:
            path = backup(database, file or default_path(database))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(path))

    def check_backup(self, database: dict, file: Path) -> None:
        """Print the rows of each table of the backup, restored, and their total."""
        try:
            counts = check(database, file)
        except BackupError as error:
            raise CommandError(f"{file} does not restore: {error}") from None
        width = max((len(table) for table, _ in counts), default=0)
        for table, rows in counts:
            self.stdout.write(f"{table:<{width}}  {rows}")
        total = sum(rows for _, rows in counts)
        self.stdout.write(
            self.style.SUCCESS(f"{file} restores: {len(counts)} tables, {total} rows.")
        )
