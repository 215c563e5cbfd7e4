"""``manage.py serve``: the board as it runs in production, in the foreground (``make serve``).

It prepares the database and static files, then runs the app server beside the background
work, and stops them all in order on Ctrl-C (SIGINT) or SIGTERM:

- granian, serving the WSGI app from a few worker processes, each with a pool of threads.
  Its HTTP is read by an async-I/O runtime, so connections that trickle their headers
  cost a socket each, never a thread, and are cut off after ``--header-timeout``
  (bench/slow_clients.py measured it against gunicorn and nginx; the README gives the
  figures). Its logs go through agenda_site/granian-logging.json, which takes secrets out.
- ``manage.py db_worker``, when ``TASKS_BACKEND`` queues tasks in the database.
- ``manage.py sweep --every 60``: reminders, dormancy, digests and retries.

The task worker and the sweep are started again whenever they end (the task worker exits
when PostgreSQL goes away). If the app server ends by itself, the others are stopped and
the command fails, for a supervisor to start it again.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

LOG_CONFIG = settings.BASE_DIR / "agenda_site" / "granian-logging.json"
ACCESS_LOG_FORMAT = (
    '%(addr)s - [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'
    ' "%(header{referer})s" "%(header{user-agent})s"'
)
STOP_SECONDS = 30  # how long each process may take to finish what it is doing
RESTART_MAX_SECONDS = 60  # the longest pause before a background part starts again
APP_SERVER = "app server"
PR_SET_PDEATHSIG = 1  # prctl(2)


def app_server_command(
    host: str, port: int, workers: int, threads: int, header_timeout: float
) -> list[str]:
    """The granian command line that serves the settings' WSGI_APPLICATION (as runserver
    does), with the board's logging."""
    module, _, name = settings.WSGI_APPLICATION.rpartition(".")
    return [
        sys.executable, "-m", "granian", f"{module}:{name}",
        "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads),
        "--http", "1", "--http1-header-read-timeout", str(int(header_timeout * 1000)),
        "--respawn-failed-workers", "--workers-kill-timeout", str(STOP_SECONDS),
        "--log-config", str(LOG_CONFIG), "--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT,
    ]  # fmt: skip


def _end_with_parent() -> None:
    """In a child, before it starts: on Linux, have the kernel send it SIGTERM should this
    process die without stopping it (killed outright), so that no server outlives serve."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Command(BaseCommand):
    help = (
        "Serve the board as in production, in the foreground: migrate, collect static files "
        "and re-render stored texts, then run the app server (granian), the task worker (when "
        "TASKS_BACKEND queues in the database) and the sweep. Ctrl-C stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2)),
            help="App server processes (WEB_CONCURRENCY; one per core by default).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "8")),
            help="Requests each process serves at once (WEB_THREADS, 8 by default); each "
            "thread may hold a database connection.",
        )
        parser.add_argument(
            "--header-timeout",
            type=float,
            default=float(os.environ.get("HEADER_TIMEOUT", "10")),
            help="Seconds a client has to send its request's headers (HEADER_TIMEOUT, 10 by "
            "default).",
        )
        parser.add_argument(
            "--skip-prepare",
            action="store_true",
            help="Start at once: no migrate, collectstatic or rerender_markdown first.",
        )
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Serve pages only: no task worker and no sweep (when another server runs them).",
        )

    def handle(self, *args, **options) -> None:
        if not options["skip_prepare"]:
            call_command("migrate", interactive=False, verbosity=1)
            call_command("collectstatic", interactive=False, verbosity=0)
            call_command("rerender_markdown")
        processes = {
            APP_SERVER: app_server_command(
                options["host"], options["port"], max(options["workers"], 1),
                max(options["threads"], 1), options["header_timeout"],
            ),
        }  # fmt: skip
        if not options["no_background"]:
            manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
            if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
                processes["task worker"] = [*manage, "db_worker"]
            processes["sweep"] = [*manage, "sweep", "--every", "60"]
        self._run(processes, f"http://{options['host']}:{options['port']}/")

    def _run(self, commands: dict[str, list[str]], address: str) -> None:
        """Start every command, each in a process group of its own (so that a Ctrl-C at the
        terminal reaches this process alone, and it stops them in order), then wait until
        a signal asks to stop or the app server ends. The task worker and the sweep are
        started again whenever they end (db_worker exits when PostgreSQL goes away), after
        a pause that doubles while they keep failing."""
        stopping = threading.Event()
        previous = {
            s: signal.signal(s, lambda *_: stopping.set()) for s in (signal.SIGINT, signal.SIGTERM)
        }
        running: dict[str, subprocess.Popen] = {}
        started: dict[str, float] = {}
        restart_at: dict[str, float] = {}
        pauses: dict[str, float] = {}
        app_server_code = None
        try:
            for name in commands:
                running[name], started[name] = self._start(commands[name]), time.monotonic()
            self.stdout.write(
                f"Serving {address} ({', '.join(running)}); Ctrl-C stops.", ending="\n"
            )
            self.stdout.flush()
            while not stopping.is_set():
                now = time.monotonic()
                for name, process in running.items():
                    if name in restart_at or process.poll() is None:
                        continue
                    if name == APP_SERVER:
                        app_server_code = process.returncode
                        break
                    if now - started[name] >= RESTART_MAX_SECONDS:
                        pauses[name] = 1  # it ran a good while: again, soon
                    else:
                        pauses[name] = min(pauses.get(name, 0.5) * 2, RESTART_MAX_SECONDS)
                    restart_at[name] = now + pauses[name]
                    self.stderr.write(
                        f"The {name} ended (exit code {process.returncode}); starting it again "
                        f"in {pauses[name]:g} s."
                    )
                if app_server_code is not None:
                    break
                for name, when in list(restart_at.items()):
                    if when <= now:
                        del restart_at[name]
                        running[name], started[name] = self._start(commands[name]), now
                stopping.wait(0.5)
        finally:
            self._stop(running)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if app_server_code is not None:
            raise CommandError(
                f"Stopped everything: the app server ended by itself (exit code {app_server_code})."
            )
        self.stdout.write("Stopped.")

    @staticmethod
    def _start(command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, process_group=0, preexec_fn=_end_with_parent
        )

    def _stop(self, running: dict[str, subprocess.Popen]) -> None:
        """SIGTERM to each process that serve started (each finishes the request or task in
        hand; granian's main process stops its workers), then SIGKILL to any process group
        still there after ``STOP_SECONDS``. Not SIGTERM to granian's whole group: a worker
        that ends on its own signal before the main process has begun stopping it counts as
        failed there, and granian exits with 1."""
        was_running = {name for name, process in running.items() if process.poll() is None}
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in running.items():
            try:
                code = process.wait(timeout=STOP_SECONDS + 5)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in time; killed.")
                _signal_group(process, signal.SIGKILL)
                process.wait()
                continue
            if code and name in was_running:
                self.stderr.write(f"The {name} stopped with exit code {code}.")
            _signal_group(process, signal.SIGKILL)  # anything of its group left behind


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Send ``signum`` to the process group ``process`` leads (it may be gone)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)
