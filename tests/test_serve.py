"""``make serve`` (``manage.py serve``): the production setup in the foreground. It prepares
and serves, stops everything it started on Ctrl-C, stops the rest when one part fails, and
connections that trickle their headers cannot starve it (bench/slow_clients.py measures the
same against other app servers)."""

import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.slow_clients import free_port, production_environment, serve_setup, trickle
from tests.conftest import BASE_DIR
from tests.servers import served_database_url

# The slow-client tests give serve a header timeout of 3 s (10 s by default, which only
# makes the siege longer), and trickle for longer than that, so that it cuts clients off.
HEADER_TIMEOUT = 3
SLOW_SECONDS = 5


def processes_with(marker: str) -> list[int]:
    """Every process whose environment holds ``marker`` (what serve started inherits it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass  # gone, or not ours to read
    return found


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    """A SQLite database migrated and static files collected, as serve prepares them, for
    the tests that are not about preparing: once for all test workers (the first one there
    prepares, under a lock; the others wait and take it), not once per test (20 s or more
    on a busy machine)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # every test worker's folder is in it
    folder = shared / "serve-prepared"
    with (shared / "serve-prepared.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
            folder.mkdir()
            env = production_environment(
                f"sqlite:///{folder / 'db.sqlite3'}", STATIC_ROOT=str(folder / "static")
            )
            for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
                subprocess.run(
                    [sys.executable, "manage.py", *command, "--verbosity", "0"],
                    cwd=BASE_DIR, env=env, check=True,
                )  # fmt: skip
            (folder / "done").touch()
    return folder


def start_serve(
    tmp_path: Path, port: int, *options: str, prepared: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """``manage.py serve`` as ``make serve`` runs it, on a SQLite file, in a session of its
    own (as at a terminal); its output goes to a file. With ``prepared``, it starts on a
    copy of that database and its static files, and skips preparing. -> (process, marker)."""
    marker = f"SERVE_TEST_{secrets.token_hex(8)}"
    if prepared is None:
        # Its own: two serves collecting into one folder at once (one on each test worker)
        # delete and write the same files under each other.
        static_root = tmp_path / "static"
    else:
        shutil.copy(prepared / "db.sqlite3", tmp_path / "db.sqlite3")
        static_root = prepared / "static"
        options = ("--skip-prepare", *options)
    env = production_environment(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
        **{marker: "1"},
    )
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", *options],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    return process, marker


def home_page(process: subprocess.Popen, port: int, log: Path):
    """The home page's answer, once serve has prepared (a new database to migrate, static
    files to collect) and serves it."""
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        except OSError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)


def until_logged(log: Path, text: str, seconds: float = 60) -> None:
    """Wait until ``text`` is in serve's output."""
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_serve_prepares_serves_and_stops_everything_on_ctrl_c(tmp_path):
    port = free_port()
    process, marker = start_serve(tmp_path, port)
    try:
        home = home_page(process, port, tmp_path / "serve.log")
        page = home.read().decode()
        assert home.status == 200
        # Static files are served from what collectstatic wrote: hashed, compressed.
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        assert stylesheet.startswith("/static/css/site.") and stylesheet.endswith(".css")
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}{stylesheet}", timeout=5)
        assert css.status == 200 and "immutable" in css.headers["Cache-Control"]
        # Besides this process: granian's main process and its worker, the task worker and
        # the sweep.
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in processes_with(marker)]
        assert sum(b"granian" in c for c in commands) == 2, commands
        assert sum(b"db_worker" in c for c in commands) == 1, commands
        assert sum(b"sweep" in c for c in commands) == 1, commands
        # Once the sweep has set itself up and swept: before, Ctrl-C finds it starting.
        until_logged(tmp_path / "serve.log", "Swept: ")

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C at the terminal
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    log = (tmp_path / "serve.log").read_text()
    assert "Serving http://127.0.0.1:" in log and log.rstrip().endswith("Stopped."), log
    assert "Traceback" not in log and "stopped with exit code" not in log, log
    assert "Swept: " in log  # the sweep ran, and stopped between rounds
    assert processes_with(marker) == []


def test_nothing_serve_started_outlives_it_when_it_is_killed_outright(tmp_path, prepared):
    port = free_port()
    process, marker = start_serve(tmp_path, port, prepared=prepared)
    try:
        home_page(process, port, tmp_path / "serve.log")
        assert len(processes_with(marker)) == 5
        process.kill()  # SIGKILL: no chance to stop anything itself
        process.wait()
        deadline = time.monotonic() + 40
        while processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group is gone, as it should be
            os.killpg(process.pid, signal.SIGKILL)
    assert processes_with(marker) == []


def test_the_task_worker_and_the_sweep_start_again_when_they_end(tmp_path, prepared):
    """db_worker exits when PostgreSQL goes away: serve starts it again (and the sweep),
    and goes on serving."""
    port = free_port()
    process, marker = start_serve(tmp_path, port, prepared=prepared)
    try:
        home_page(process, port, tmp_path / "serve.log")

        def pids(word: bytes) -> set[int]:
            return {
                pid for pid in processes_with(marker)
                if word in Path(f"/proc/{pid}/cmdline").read_bytes()
            }  # fmt: skip

        first = pids(b"db_worker") | pids(b"sweep")
        assert len(first) == 2
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        # Until both run again and neither killed one is left: SIGKILL takes a moment, and
        # one still dying must not pass for one started again.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers, sweeps = pids(b"db_worker"), pids(b"sweep")
            if workers and sweeps and not (workers | sweeps) & first:
                break
            time.sleep(0.2)
        again = workers | sweeps
        assert len(again) == 2 and not again & first, (tmp_path / "serve.log").read_text()
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    log = (tmp_path / "serve.log").read_text()
    assert "The task worker ended (exit code -9); starting it again in 1 s." in log, log
    assert "The sweep ended (exit code -9)" in log
    assert processes_with(marker) == []


def test_serve_stops_the_rest_and_fails_when_the_app_server_ends(tmp_path, prepared):
    """The app server cannot bind its port: the task worker and the sweep are stopped too,
    and serve says why and exits 1."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process, marker = start_serve(tmp_path, taken.getsockname()[1], prepared=prepared)
        try:
            assert process.wait(timeout=120) == 1
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    log = (tmp_path / "serve.log").read_text()
    assert "Stopped everything: the app server ended by itself (exit code" in log, log
    assert processes_with(marker) == []


@pytest.mark.postgresql
@pytest.mark.slow_clients
@pytest.mark.django_db
@pytest.mark.parametrize("clients", [50, 500])
def test_slow_clients_cannot_starve_what_make_serve_runs(clients):
    """``clients`` connections trickling their headers: the load balancer's probe (once a
    second, 3 s timeout) is answered every time, and the trickling connections are cut
    off after the header timeout."""
    env = production_environment(
        served_database_url(), SECURE_SSL_REDIRECT="false", HEADER_TIMEOUT=str(HEADER_TIMEOUT)
    )
    with serve_setup("serve", env) as url:
        siege = trickle(url, clients, SLOW_SECONDS)
    print(f"make serve, {clients} slow clients: {siege.summary()}")
    assert siege.answered == len(siege.probes) >= SLOW_SECONDS - 1, siege.summary()
    assert siege.cut_off >= clients, siege.summary()


@pytest.mark.postgresql
@pytest.mark.slow_clients
@pytest.mark.django_db
def test_the_slow_client_test_sees_a_server_starve():
    """The same siege against the development server with one thread: no probe answered.
    (So the test above can fail.)"""
    env = production_environment(served_database_url(), SECURE_SSL_REDIRECT="false")
    with serve_setup("runserver-nothreading", env) as url:
        siege = trickle(url, 50, 5)
    assert siege.answered == 0, siege.summary()
