"""manage.py sweep: reminders, dormancy, digests and retries, once (or every N seconds)."""

import signal
import threading

from django.core.management.base import BaseCommand

from notifications.sweep import sweep


class Command(BaseCommand):
    help = (
        "Apply the board's periodic work once: claim reminders and dormancy, digests, and "
        "another try for emails that could not be sent. Safe from cron at any frequency."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, one sweep every SECONDS (beside `make run` and `make serve`). "
            "SIGINT or SIGTERM stops it between sweeps, never halfway through one.",
        )

    def handle(self, *args, every: int | None = None, **options) -> None:
        stop = threading.Event()
        if every:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        while True:
            done = sweep()
            report = "; ".join(f"{count} {name}" for name, count in done.items())
            self.stdout.write(f"Swept: {report}.")
            if not every or stop.wait(every):
                return
