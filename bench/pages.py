"""The page benchmark: every kind of page under load, on a small and a large board.

    make bench                                   # needs PostgreSQL (DATABASE_URL) and wrk
    make bench BENCH_ARGS="--seconds 3 --rounds 2 --scale 0.1"    # a quick look

For each data set (``small``: the demo agenda's 26 projects with some activity; ``large``:
10,000 projects over 20 agendas, 100,000 comments, 20,000 claims, 5,000 outputs and 2,000
people; bench/dataset.py) it loads a database of its own beside DATABASE_URL's and serves
it as ``make serve`` does (granian, DEBUG off, under bench/settings.py), both sets at once;
then it drives each page with wrk from another process for a fixed time, on one set and
at once on the other, page after page, in interleaved rounds.

Per page it measures requests per second, p50 and p99 latency, answers that were not 2xx
or 3xx, queries per request, the answer's size (plain and compressed, as a browser
asks), and the app server workers' peak memory; and a comment POST at a fixed low rate for
the write path. Timings on a shared machine are noisy, so each page's throughput is given
as a ratio to the baseline (``/bench/baseline``: a minimal view through the full
middleware stack) measured in the same round, and each large-set ratio as a share of the
small set's. It prints a table and writes JSON and Markdown reports to var/bench/, with
the budget (BUDGET) checked line by line.
"""

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
PYTHON = sys.executable
REPORTS = BASE_DIR / "var" / "bench"
QUERIES_HEADER = "X-Bench-Queries"
RUN = secrets.token_hex(4)  # this run's cache keys are its own

from bench.slow_clients import free_port, wait_until_serving  # noqa: E402


@dataclass(frozen=True)
class Page:
    """A page to measure: its name, how to build its path from the data set's facts, and
    whether it is asked signed in (with the session the facts name) or by htmx."""

    name: str
    path: str  # a format string over the facts
    signed_in: bool = False
    htmx: bool = False
    # The benchmark's researcher, who holds a claim on the typical project, or (reader_session)
    # someone signed in with no stake in it, whose project page is kept.
    session: str = "session"


PAGES = [
    Page("baseline", "/bench/baseline"),
    Page("static file", "{stylesheet}"),
    Page("/", "/"),
    Page("/ middle page", "/?page={middle_page}"),
    Page("/ search", "/?q={search}"),
    Page("/ filtered", "/?tag={tag}&status=open"),
    Page("agenda page", "/agendas/{agenda}/"),
    Page("project page", "/projects/{project}/"),
    Page("project, 1,000 comments", "/projects/{big_project}/"),
    Page("htmx partial", "/?page=2", signed_in=True, htmx=True),
    Page("Atom feed", "/feeds/"),
    Page("JSON API", "/api/projects/"),
    Page("/, signed in", "/", signed_in=True),
    Page("agenda page, signed in", "/agendas/{agenda}/", signed_in=True),
    Page("project page, signed in", "/projects/{project}/", signed_in=True),
    Page(
        "project page, signed in, no stake",
        "/projects/{project}/",
        signed_in=True,
        session="reader_session",
    ),
    Page("search, signed in", "/?q={search}", signed_in=True),
]

# name -> (anonymous ratio at least, signed-in ratio at least, anonymous queries at most,
# signed-in queries at most); None where the budget says nothing.
BUDGET = {
    "/": (0.5, None, 3, None),
    "/, signed in": (None, 0.10, None, 6),
    "agenda page": (0.5, None, 3, None),
    "agenda page, signed in": (None, 0.10, None, 6),
    "project page": (0.5, None, 4, None),
    "project page, signed in": (None, 0.15, None, 7),
    "project page, signed in, no stake": (None, 0.15, None, 7),
    "htmx partial": (None, 0.25, None, 4),
    "/ search": (0.05, None, 3, None),
    "search, signed in": (None, 0.05, None, 6),
}
STATIC_RATIO = (0.7, 1.4)
P99_MS = 100
LARGE_TO_SMALL = 0.85
HOME_HTML_BYTES = 50_000
FIRST_VISIT_BYTES = 60_000


@dataclass
class Measure:
    """One page in one round."""

    rps: float
    p50_ms: float
    p99_ms: float
    not_ok: int


@dataclass
class PageResult:
    """One page of one data set, over every round."""

    name: str
    path: str
    rounds: list[Measure] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # to the baseline of the same round
    queries: int | None = None
    bytes: int = 0
    compressed_bytes: int = 0
    status: int = 0

    @property
    def rps(self) -> float:
        return statistics.median(m.rps for m in self.rounds)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def p50_ms(self) -> float:
        return statistics.median(m.p50_ms for m in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.median(m.p99_ms for m in self.rounds)

    @property
    def not_ok(self) -> int:
        return sum(m.not_ok for m in self.rounds)


# Preparing the databases


def database_url(size: str) -> str:
    """The benchmark's own database for ``size``, beside DATABASE_URL's."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://... (see the README)")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_bench_{size}"))


def environment(url: str, **extra: str) -> dict[str, str]:
    """A production environment (DEBUG off) on ``url`` under the benchmark's settings."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "LOG_LEVEL": "WARNING",
        # The write path's posts come from one address at a steady pace.
        "RATE_LIMIT_COMMENT": "",
        **extra,
    }
    # Production has a Redis that every app server shares (the rate limits and the pages
    # for visitors are kept there).
    env["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")
    env["BENCH_CACHE_KEY_PREFIX"] = f"bench-{urlsplit(url).path.lstrip('/')}-{RUN}"
    return env


BUILD_SCRIPT = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import Client
from accounts.models import User
from bench.dataset import build
from projects.models import Project
facts = build(sys.argv[1], scale=float(sys.argv[2]))
facts["pages"] = str(Project.objects.live().count() // settings.PROJECTS_PER_PAGE + 1)
client = Client()
client.force_login(User.objects.get(username=facts["researcher"]))
name = settings.SESSION_COOKIE_NAME
facts["session"] = f"{name}={client.cookies[name].value}"
# Someone signed in who holds nothing on the typical project: no claim, comment or interest.
reader = User.objects.create_user("bench-reader", "reader@bench.invalid", facts["password"])
client = Client()
client.force_login(reader)
facts["reader_session"] = f"{name}={client.cookies[name].value}"
facts["csrf_cookie"] = settings.CSRF_COOKIE_NAME
print(json.dumps(facts))
"""


def prepare(size: str, scale: float, reuse: bool) -> dict[str, str]:
    """A fresh database for ``size``, migrated and filled (or, with ``reuse``, the one the
    last run left); the data set's facts."""
    url = database_url(size)
    facts_file = REPORTS / f"facts-{size}-{scale:g}.json"
    if reuse and facts_file.exists():
        facts = json.loads(facts_file.read_text())
        if all(page.session in facts for page in PAGES):  # else from before a page was added
            return facts
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    env = environment(url)
    started = time.monotonic()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    built = subprocess.run(
        [PYTHON, "-c", BUILD_SCRIPT, size, str(scale)],
        cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    facts = json.loads(built.stdout.strip().splitlines()[-1])
    # The planner's statistics, as autovacuum would gather them soon after a load (sooner
    # than a run lasts, but not on a server with it off): without, it guesses at the row
    # counts and plans a board of 10,000 projects as if it were empty.
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("ANALYZE")
    print(f"{size}: loaded in {time.monotonic() - started:.0f} s", flush=True)
    REPORTS.mkdir(parents=True, exist_ok=True)
    facts_file.write_text(json.dumps(facts))
    return facts


# Serving and measuring


class Server:
    """``manage.py serve`` on a data set's database, as ``make serve`` runs it."""

    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.marker = f"BENCH_SERVER_{secrets.token_hex(6)}"
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "serve", "--skip-prepare", "--no-background",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            cwd=BASE_DIR, env=environment(url, **{self.marker: "1"}),
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until_serving(self.base, [self.process])

    def peak_memory_mb(self) -> list[float]:
        """Each app server worker's peak resident memory (VmHWM), in MB."""
        peaks = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.marker.encode() not in (entry / "environ").read_bytes():
                    continue
                status = (entry / "status").read_text()
                parent = re.search(r"PPid:\s+(\d+)", status)[1]
                parent_line = Path(f"/proc/{parent}/cmdline").read_bytes()
            except OSError:
                continue
            if b"granian" in parent_line:  # a worker: its parent is granian's main process
                peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status)[1]) / 1024)
        return sorted(peaks)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


BROWSER_ENCODINGS = "gzip, deflate, br"


def headers_for(page: Page, facts: dict[str, str]) -> dict[str, str]:
    """What a browser sends for ``page``: it accepts compressed answers, and it has signed
    in or asks through htmx as the page says."""
    headers = {"Accept-Encoding": BROWSER_ENCODINGS}
    if page.signed_in:
        headers["Cookie"] = facts[page.session]
    if page.htmx:
        headers["HX-Request"] = "true"
    return headers


def look(base: str, path: str, headers: dict[str, str]) -> tuple[int, int, int, int | None]:
    """One request without compression, and one as a browser makes it (taking gzip or
    deflate): (status, plain bytes, bytes on the wire compressed, queries)."""
    sizes = []
    for encoding in ("identity", BROWSER_ENCODINGS):
        request = urllib.request.Request(
            base + path, headers={**headers, "Accept-Encoding": encoding}
        )
        try:
            response = urllib.request.urlopen(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        sizes.append(len(response.read()))  # as sent: compressed only if the server did
        if encoding == "identity":
            status, queries = response.status, response.headers.get(QUERIES_HEADER)
    return status, sizes[0], sizes[1], int(queries) if queries is not None else None


LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, headers: dict[str, str], seconds: float, connections: int) -> Measure:
    """wrk against ``url`` for ``seconds``: throughput, latency, and answers not 2xx/3xx."""
    # wrk takes whole seconds.
    command = [
        "wrk",
        "--latency",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> Measure:
    """What wrk printed (with ``--latency``), as a Measure."""
    latencies = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(out)}
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Measure(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p50_ms=latencies["50"],
        p99_ms=latencies["99"],
        not_ok=(int(not_ok[1]) if not_ok else 0) + sum(map(int, errors.groups() if errors else ())),
    )


def write_path(base: str, facts: dict[str, str], count: int, rate: float) -> dict:
    """``count`` comments posted one after another at ``rate`` a second: their latency."""
    token = secrets.token_hex(16)
    cookie = f"{facts['session']}; {facts['csrf_cookie']}={token}"
    url = f"{base}/projects/{facts['comment_project']}/comments/"
    opener = urllib.request.build_opener(NoRedirect)
    times, statuses = [], []
    for n in range(count):
        started = time.monotonic()
        data = urlencode({"body": f"A benchmark comment, number {n}."}).encode()
        request = urllib.request.Request(
            url, data=data, headers={"Cookie": cookie, "X-CSRFToken": token}
        )
        try:
            status = opener.open(request, timeout=60).status
        except urllib.error.HTTPError as error:
            status = error.code
        elapsed = time.monotonic() - started
        times.append(elapsed * 1000)
        statuses.append(status)
        time.sleep(max(0.0, 1 / rate - elapsed))
    return {
        "count": count,
        "rate_per_s": rate,
        "p50_ms": statistics.median(times),
        "max_ms": max(times),
        "not_ok": sum(1 for s in statuses if s != 303),
    }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def measure(facts_of: dict[str, dict[str, str]], options) -> dict[str, dict]:
    """Every page of every data set, in interleaved rounds: each data set has its server
    up throughout, and each page is driven on one set, then at once on the next, so that
    its throughput on both (and both baselines) are measured seconds apart."""
    servers = {}
    try:
        for size in facts_of:
            servers[size] = Server(database_url(size), options.workers)
        results, first_visit = {}, {}
        for size, server in servers.items():
            home = urllib.request.urlopen(server.base + "/", timeout=60).read().decode()
            facts = facts_of[size] = {
                **facts_of[size],
                "stylesheet": re.search(r'<link rel="stylesheet" href="([^"]+)"', home)[1],
                "middle_page": str(max(1, int(facts_of[size].get("pages", "2")) // 2)),
            }
            results[size] = {p.name: PageResult(p.name, p.path.format(**facts)) for p in PAGES}
            for page in PAGES:
                result = results[size][page.name]
                for _ in range(2):  # the second as wrk will see it: a visitor's from the cache
                    result.status, result.bytes, result.compressed_bytes, result.queries = look(
                        server.base, result.path, headers_for(page, facts)
                    )
            first_visit[size] = first_visit_bytes(server.base, home)
            for page in PAGES:  # every worker thread warmed up (its connections, its caches)
                url, headers = server.base + results[size][page.name].path, headers_for(page, facts)
                wrk(url, headers, 1, options.connections)
        for number in range(options.rounds):
            for page in PAGES:
                for size, server in servers.items():
                    result = results[size][page.name]
                    result.rounds.append(
                        wrk(
                            server.base + result.path,
                            headers_for(page, facts_of[size]),
                            options.seconds,
                            options.connections,
                        )  # fmt: skip
                    )
            for size in servers:
                baseline = results[size]["baseline"].rounds[-1].rps
                for result in results[size].values():
                    result.ratios.append(result.rounds[-1].rps / baseline)
            print(f"round {number + 1} of {options.rounds} done", flush=True)
        writes = {
            size: write_path(server.base, facts_of[size], options.writes, rate=5)
            for size, server in servers.items()
        }
        memory = {size: server.peak_memory_mb() for size, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    return {
        size: {
            "pages": results[size],
            "explain": explain(
                size, facts_of[size], {name: r.path for name, r in results[size].items()}
            ),
            "writes": writes[size],
            "worker_peak_memory_mb": memory[size],
            "first_visit_bytes": first_visit[size],
        }
        for size in servers
    }


def first_visit_bytes(base: str, home: str) -> int:
    """What a first visit to / transfers, compressed as a browser asks: the page, its
    stylesheets and its scripts."""
    paths = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
    paths += re.findall(r'<script[^>]* src="([^"]+)"', home)
    total = look(base, "/", {})[2]
    for path in paths:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip, br"})
        with urllib.request.urlopen(request, timeout=60) as response:
            total += len(response.read())
    return total


EXPLAIN_SCRIPT = """
import json, re, sys, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = json.loads(sys.argv[1])
scan = re.compile("Seq Scan on (" + sys.argv[2] + ")\\\\b")
found = {}
for page in pages:
    client = Client(HTTP_HOST="127.0.0.1")
    if page["cookie"]:
        name, value = page["cookie"].split("=", 1)
        client.cookies[name] = value
    headers = {"HX-Request": "true"} if page["htmx"] else {}
    with CaptureQueriesContext(connection) as queries:
        client.get(page["path"], headers=headers)
    scans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\\n".join(row[0] for row in cursor.fetchall())
            scans += scan.findall(plan)
    found[page["name"]] = {"queries": len(queries.captured_queries), "scans": sorted(set(scans))}
print(json.dumps(found))
"""

# The tables a page must reach through an index on the large set.
INDEXED_TABLES = ("projects_comment", "projects_claim", "projects_event")


def explain(size: str, facts: dict[str, str], paths: dict[str, str]) -> dict:
    """Each page's queries, rendered afresh (no page cache), through EXPLAIN: the
    sequential scans of comments, claims or events they would make."""
    pages = [
        {
            "name": p.name,
            "path": paths[p.name],
            "cookie": facts[p.session] if p.signed_in else "",
            "htmx": p.htmx,
        }
        for p in PAGES
        if p.name not in ("baseline", "static file")
    ]
    done = subprocess.run(
        [PYTHON, "-c", EXPLAIN_SCRIPT, json.dumps(pages), "|".join(INDEXED_TABLES)],
        cwd=BASE_DIR, env=environment(database_url(size), PAGE_CACHE="false"),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# Reporting


def check_budget(sets: dict[str, dict]) -> list[tuple[str, bool]]:
    """Each line of the budget, and whether it holds in this run."""
    lines = []
    for size, data in sets.items():
        pages = data["pages"]
        for name, (anonymous, signed_in, queries_anonymous, queries_signed_in) in BUDGET.items():
            result = pages[name]
            floor = anonymous if anonymous is not None else signed_in
            most = queries_anonymous if queries_anonymous is not None else queries_signed_in
            lines.append(
                (f"{size}: {name} ratio {result.ratio:.3f} >= {floor}", result.ratio >= floor)
            )
            lines.append(
                (
                    f"{size}: {name} queries {result.queries} <= {most}",
                    (result.queries or 0) <= most,
                )
            )
        static = pages["static file"].ratio
        lines.append(
            (f"{size}: static file ratio {static:.2f} in {STATIC_RATIO}",
             STATIC_RATIO[0] <= static <= STATIC_RATIO[1])
        )  # fmt: skip
        lines.append((f"{size}: static file queries {pages['static file'].queries} = 0",
                      not pages["static file"].queries))  # fmt: skip
        for result in pages.values():
            lines.append((f"{size}: {result.name} p99 {result.p99_ms:.1f} ms < {P99_MS}",
                          result.p99_ms < P99_MS))  # fmt: skip
            lines.append((f"{size}: {result.name} answers not 2xx/3xx: {result.not_ok}",
                          result.not_ok == 0 and result.status < 400))  # fmt: skip
        home = pages["/"].bytes
        lines.append(
            (f"{size}: / HTML {home:,} bytes <= {HOME_HTML_BYTES:,}", home <= HOME_HTML_BYTES)
        )
        visit = data["first_visit_bytes"]
        lines.append((f"{size}: first visit {visit:,} bytes compressed <= {FIRST_VISIT_BYTES:,}",
                      visit <= FIRST_VISIT_BYTES))  # fmt: skip
    if "large" in sets:
        for name, plan in sets["large"]["explain"].items():
            scans = ", ".join(plan["scans"]) or "none"
            lines.append(
                (f"large: EXPLAIN of {name}'s {plan['queries']} queries: sequential scans of"
                 f" comments, claims or events: {scans}", not plan["scans"])
            )  # fmt: skip
    if {"small", "large"} <= sets.keys():
        small, large = sets["small"]["pages"], sets["large"]["pages"]
        for name in small:
            if name == "baseline":
                continue
            share = large[name].ratio / small[name].ratio
            lines.append(
                (f"large/small: {name} {share:.2f} >= {LARGE_TO_SMALL}", share >= LARGE_TO_SMALL)
            )
            lines.append(
                (f"large/small: {name} queries {large[name].queries} = {small[name].queries}",
                 large[name].queries == small[name].queries)
            )  # fmt: skip
    return lines


def table(sets: dict[str, dict]) -> str:
    """The Markdown table of every page of every set."""
    rows = [
        "| set | page | req/s | ratio | p50 ms | p99 ms | not ok | queries | bytes | compressed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, data in sets.items():
        for result in data["pages"].values():
            rows.append(
                f"| {size} | {result.name} | {result.rps:,.0f} | {result.ratio:.3f} "
                f"| {result.p50_ms:.1f} | {result.p99_ms:.1f} | {result.not_ok} "
                f"| {result.queries if result.queries is not None else '-'} "
                f"| {result.bytes:,} | {result.compressed_bytes:,} |"
            )
    return "\n".join(rows)


def report(sets: dict[str, dict], options, machine: str) -> None:
    """Print the table and the budget; write the JSON and Markdown reports."""
    budget = check_budget(sets)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%SZ")
    lines = [
        f"# Page benchmark, {stamp}",
        "",
        f"Machine: {machine}. {options.rounds} rounds of {options.seconds:g} s a page, "
        f"wrk with {options.connections} connections, {options.workers} app server workers; "
        f"data scale {options.scale:g}. Ratios are to /bench/baseline in the same round "
        "(medians of the rounds).",
        "",
        table(sets),
        "",
    ]
    for size, data in sets.items():
        writes = data["writes"]
        lines.append(
            f"- {size}: {writes['count']} comment POSTs at {writes['rate_per_s']}/s: "
            f"p50 {writes['p50_ms']:.1f} ms, slowest {writes['max_ms']:.1f} ms, "
            f"{writes['not_ok']} not 303; workers' peak memory "
            f"{', '.join(f'{m:.0f}' for m in data['worker_peak_memory_mb'])} MB; "
            f"first visit to / {data['first_visit_bytes']:,} bytes compressed"
        )
    lines += ["", "## Budget", ""]
    lines += [f"- {'✓' if held else '✗'} {line}" for line, held in budget]
    held = sum(1 for _, ok in budget if ok)
    lines += ["", f"{held} of {len(budget)} budget lines hold."]
    text = "\n".join(lines) + "\n"
    print(text)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"report-{stamp}.md").write_text(text)
    data = {
        size: {
            **{k: v for k, v in data.items() if k != "pages"},
            "pages": {
                name: {
                    **asdict(r),
                    "rps": r.rps,
                    "ratio": r.ratio,
                    "p50_ms": r.p50_ms,
                    "p99_ms": r.p99_ms,
                }  # fmt: skip
                for name, r in data["pages"].items()
            },
        }
        for size, data in sets.items()
    }
    data["budget"] = [{"line": line, "holds": ok} for line, ok in budget]
    (REPORTS / f"report-{stamp}.json").write_text(json.dumps(data, indent=2))
    print(f"Reports: var/bench/report-{stamp}.md and .json")


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return f"{os.cpu_count()} cores ({cpu[1].strip() if cpu else 'unknown CPU'})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="small,large", help="small, large or both")
    parser.add_argument("--seconds", type=float, default=5, help="of wrk per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--writes", type=int, default=20, help="comment POSTs per data set")
    parser.add_argument("--scale", type=float, default=1.0, help="of the large set's counts")
    parser.add_argument("--reuse", action="store_true", help="the databases of the last run")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk (Debian: apt-get install wrk)")
    # The pages name static files by their hashed names, which collectstatic writes (a fresh
    # clone has none yet); the app server serves them as make serve does.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR, env=environment(database_url("small")), check=True,
    )  # fmt: skip
    facts_of = {
        size: prepare(size, options.scale, options.reuse) for size in options.sets.split(",")
    }
    report(measure(facts_of, options), options, machine())


if __name__ == "__main__":
    main()
