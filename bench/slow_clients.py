"""Slow clients against the board's servers: can connections that trickle their headers
starve the health checks?

    make bench-slow-clients                       # every setup, 50 then 500 slow clients
    .venv/bin/python bench/slow_clients.py --setups granian --clients 50 --seconds 10

Each setup serves the board under production settings (DEBUG off) on a throwaway
database beside DATABASE_URL's (PostgreSQL) or in var/ (SQLite). Then ``clients``
connections each send a request line and one more header line every second, never
finishing, and reopen whenever the server drops them (as an attacker would), while a
load balancer's probe asks ``/healthz`` once a second with a 3-second timeout. It prints,
per setup and number of slow clients, the probes answered, their median and slowest
time, and how often the server cut a slow client off.

``serve_setup`` and ``trickle`` are shared with the test of what ``make serve`` runs
(tests/test_slow_clients.py).
"""

import argparse
import os
import secrets
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
PYTHON = sys.executable
PROBE_TIMEOUT = 3.0

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  client_header_timeout 10s;
  client_body_timeout 10s;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $host;
      proxy_buffering on;
      proxy_request_buffering on;
    }}
  }}
}}
"""


def _gunicorn(port: int, *options: str) -> list[str]:
    return [PYTHON, "-m", "gunicorn", "agenda_site.wsgi", "--bind", f"127.0.0.1:{port}",
            *options]  # fmt: skip


# name -> (what it is, the app server's command given its port, whether nginx fronts it)
SETUPS = {
    "gunicorn-sync": ("gunicorn, 3 sync workers", lambda p: _gunicorn(p, "--workers", "3"), False),
    "gunicorn-gthread": (
        "gunicorn, 3 gthread workers x 8 threads",
        lambda p: _gunicorn(p, "--workers", "3", "--worker-class", "gthread", "--threads", "8"),
        False,
    ),
    "uvicorn-wsgi": (
        "uvicorn's WSGI adapter, 3 workers",
        lambda p: [
            PYTHON,
            "-m",
            "uvicorn",
            "agenda_site.wsgi:application",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(p),
            "--workers",
            "3",
            "--no-access-log",
        ],  # fmt: skip
        False,
    ),
    "granian": (
        "granian (WSGI), 3 workers x 8 blocking threads",
        lambda p: [
            PYTHON,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(p),
            "--workers",
            "3",
            "--blocking-threads",
            "8",
            "agenda_site.wsgi:application",
        ],  # fmt: skip
        False,
    ),
    "serve": (
        "manage.py serve (what make serve runs)",
        lambda p: [
            PYTHON,
            "manage.py",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(p),
            "--no-background",
            "--skip-prepare",
        ],  # fmt: skip
        False,
    ),
    "runserver-nothreading": (
        "Django's development server, one thread (a control: it must starve)",
        lambda p: [
            PYTHON,
            "manage.py",
            "runserver",
            "--nothreading",
            "--noreload",
            f"127.0.0.1:{p}",
        ],  # fmt: skip
        False,
    ),
    "nginx+gunicorn-sync": (
        "nginx (buffering) in front of gunicorn, 3 sync workers",
        lambda p: _gunicorn(p, "--workers", "3"),
        True,
    ),
    "nginx+gunicorn-gthread": (
        "nginx (buffering) in front of gunicorn, 3 gthread workers x 8 threads",
        lambda p: _gunicorn(p, "--workers", "3", "--worker-class", "gthread", "--threads", "8"),
        True,
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production deploy on this machine, on ``database_url``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def wait_until_serving(url: str, processes: list[subprocess.Popen], seconds: float = 60) -> None:
    """Return once ``url``/healthz answers; raise if a process ends or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask each process to finish (SIGTERM, as a supervisor does), then insist. Not SIGINT:
    a Ctrl-C that lands while the development server runs a request is taken for the
    request's error (wsgiref catches everything there), and the server goes on serving."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=45)  # serve gives each of its parts 30 s, then 5 more
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serve_setup(name: str, env: dict[str, str]) -> Iterator[str]:
    """Serve ``name``'s setup with ``env``; yields the base URL clients use."""
    _, command, proxied = SETUPS[name]
    port = free_port()
    app_port = free_port() if proxied else port
    # Their access logs would drown the report: only what they say on stderr is shown.
    processes = [
        subprocess.Popen(command(app_port), cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL)
    ]
    folder = tempfile.mkdtemp(prefix="board-nginx-")
    try:
        if proxied:
            conf = Path(folder) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=folder, port=port, upstream=app_port))
            processes.append(subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"]))
        wait_until_serving(f"http://127.0.0.1:{port}", processes)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(processes)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Siege:
    """What one run of slow clients saw."""

    clients: int
    probes: list[float | None] = field(default_factory=list)  # seconds, or None: no answer
    cut_off: int = 0  # slow connections the server closed
    refused: int = 0  # slow connections the server would not accept

    @property
    def answered(self) -> int:
        return sum(1 for probe in self.probes if probe is not None)

    def summary(self) -> str:
        times = sorted(probe for probe in self.probes if probe is not None)
        median = f"{statistics.median(times) * 1000:.0f} ms" if times else "-"
        slowest = f"{times[-1] * 1000:.0f} ms" if times else "-"
        return (
            f"{self.answered}/{len(self.probes)} probes answered (median {median}, slowest"
            f" {slowest}); slow clients cut off {self.cut_off} times, refused {self.refused}"
        )


def _probe(url: str, siege: Siege, index: int) -> None:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=PROBE_TIMEOUT) as answer:
            answer.read()
            ok = answer.status == 200
    except OSError:
        ok = False
    siege.probes[index] = time.monotonic() - started if ok else None


def trickle(url: str, clients: int, seconds: float) -> Siege:
    """``clients`` connections trickling their headers for ``seconds`` at ``url``, while a
    probe asks for /healthz once a second."""
    host, port = url.removeprefix("http://").split(":")
    siege = Siege(clients)
    selector = selectors.DefaultSelector()
    open_sockets: set[socket.socket] = set()

    def connect() -> None:
        sock = socket.socket()
        sock.settimeout(1)
        try:
            sock.connect((host, int(port)))
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
        except OSError:
            siege.refused += 1
            sock.close()
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        open_sockets.add(sock)

    def drop(sock: socket.socket) -> None:
        selector.unregister(sock)
        open_sockets.discard(sock)
        sock.close()

    probes: list[threading.Thread] = []
    started = time.monotonic()
    next_trickle = started
    next_probe = started + 1  # the first probe once the slow clients have had a second
    while (now := time.monotonic()) < started + seconds:
        if now >= next_probe:
            siege.probes.append(None)
            thread = threading.Thread(target=_probe, args=(url, siege, len(siege.probes) - 1))
            thread.start()
            probes.append(thread)
            next_probe += 1
        if now >= next_trickle:
            for sock in list(open_sockets):
                try:
                    sock.send(f"X-Trickle-{secrets.randbelow(10**6)}: a\r\n".encode())
                except OSError:
                    siege.cut_off += 1
                    drop(sock)
            next_trickle += 1
        # A server that answers or closes a slow connection has cut it off.
        for key, _ in selector.select(timeout=0.05):
            siege.cut_off += 1
            drop(key.fileobj)
        # Reopen what was cut off; a server that accepts slowly delays the next probe by a
        # connection timeout at most.
        while len(open_sockets) < clients and time.monotonic() < min(next_probe, next_trickle):
            connect()
    for thread in probes:
        thread.join()
    for sock in list(open_sockets):
        drop(sock)
    return siege


def throwaway_database() -> str:
    """A fresh, migrated database beside the configured one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/") + "_bench_slow"
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
        database = urlunsplit(parts._replace(path="/" + name))
    else:
        path = BASE_DIR / "var" / "bench_slow.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        database = f"sqlite:///{path}"
    env = production_environment(database)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([PYTHON, "manage.py", *command, "-v", "0"], cwd=BASE_DIR, env=env,
                       check=True)  # fmt: skip
    return database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setups", default="", help=f"comma-separated, of: {', '.join(SETUPS)}")
    parser.add_argument("--clients", default="50,500", help="comma-separated counts")
    parser.add_argument("--seconds", type=float, default=20)
    options = parser.parse_args()
    names = options.setups.split(",") if options.setups else list(SETUPS)
    for name in names:
        if name not in SETUPS:
            parser.error(f"no setup {name!r}; there are {', '.join(SETUPS)}")
    if not shutil.which("nginx"):
        if options.setups and any(SETUPS[name][2] for name in names):
            parser.error("the nginx setups need nginx (Debian: apt-get install nginx)")
        names = [name for name in names if not SETUPS[name][2]]
        print("nginx is not installed: the setups behind it are left out")
    env = production_environment(throwaway_database())
    print(f"{options.seconds:g} s a run; a /healthz probe a second, {PROBE_TIMEOUT:g} s timeout")
    for name in names:
        for clients in map(int, options.clients.split(",")):
            with serve_setup(name, env) as url:
                siege = trickle(url, clients, options.seconds)
            print(f"{name:24} {clients:4} slow clients: {siege.summary()}", flush=True)


if __name__ == "__main__":
    main()
