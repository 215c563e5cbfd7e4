"""``manage.py restore FILE``: restore a backup into the (empty) database of DATABASE_URL."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database of DATABASE_URL, "
        "which must be empty (on SQLite: a path that does not exist yet)."
    )

    # A backup or restore needs only the database: a deploy's other settings (mail, hosts)
    # may be missing on the machine that runs it, and must not stop it.
    requires_system_checks = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")

    def handle(self, *args, file: Path, **options) -> None:
        """Restore, or refuse with the reason and the database untouched."""
        database = settings.DATABASES["default"]
        try:
            restore(database, file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {database['NAME']}."))
