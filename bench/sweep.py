"""How the sweep scales: one run, on a throwaway database, at 100 and at 10,000 claims.

    make bench-sweep                      # PostgreSQL at DATABASE_URL (or SQLite in var/)

For each size it builds a board where a tenth of the claims are stale and due a
reminder, a twentieth are past their grace period (due to turn dormant) and a twentieth
have a target date in two days; the rest are fresh. It times the first sweep (which does
all that work) and a second one (which finds nothing to do), and prints them with the
ratios that matter: the idle sweep at 10,000 claims against the idle sweep at 100 (flat
means it does not grow with the claims it leaves alone), and the busy sweep's time per
claim it acted on. Timings are from one run on one machine: compare the ratios.
"""

import datetime
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
SIZES = (100, 10_000)


def throwaway_database() -> str:
    """A fresh database beside the configured one, so that no real data is touched."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = BASE_DIR / "var" / "bench_sweep.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_sweep"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def build_board(size: int) -> None:
    """``size`` projects, each with one claim of its own researcher, in bulk."""
    from django.utils import timezone

    from accounts.models import User
    from projects.models import Agenda, Claim, Project

    now = timezone.now()
    agenda = Agenda.objects.create(title=f"Bench {size}", slug=f"bench-{size}")
    start = Project.objects.count()
    projects = Project.objects.bulk_create(
        Project(
            agenda=agenda,
            number=n + 1,
            slug=f"bench-{size}-{n}",
            title=f"Project {n}",
            description="A project.",
            description_html="<p>A project.</p>",
        )
        for n in range(size)
    )
    people = User.objects.bulk_create(
        User(username=f"r{size}-{n}", email=f"r{size}-{n}@example.org") for n in range(size)
    )
    claims = []
    for n, (project, person) in enumerate(zip(projects, people, strict=True)):
        claim = Claim(project=project, researcher=person, plan="A plan.", plan_html="")
        if n % 10 == 0:  # stale, never reminded: due a reminder
            claim.last_activity_at = now - datetime.timedelta(days=40)
        elif n % 20 == 1:  # reminded long ago and silent since: due to turn dormant
            claim.last_activity_at = now - datetime.timedelta(days=60)
            claim.stale_reminded_at = now - datetime.timedelta(days=20)
        elif n % 20 == 3:  # target date near: due a target reminder
            claim.target_date = timezone.localdate() + datetime.timedelta(days=2)
        claims.append(claim)
    Claim.objects.bulk_create(claims)
    assert Project.objects.count() == start + size


def timed_sweep() -> tuple[float, dict]:
    from notifications.sweep import sweep

    began = time.perf_counter()
    done = sweep()
    return time.perf_counter() - began, done


def main() -> None:
    os.environ["DATABASE_URL"] = throwaway_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agenda_site.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ["EMAIL_URL"] = "dummymail://"  # the board's work, not a mail server's
    import django

    django.setup()
    import logging

    logging.getLogger("django_tasks").setLevel(logging.WARNING)  # one line per email, else
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    results = {}
    for size in SIZES:
        from django.utils import timezone

        from projects.models import Claim

        # The board deletes no claim: the last size's end (released, in bulk), so that the
        # sweep leaves them alone.
        Claim.objects.exclude(state=Claim.State.RELEASED).update(
            state=Claim.State.RELEASED, ended_at=timezone.now()
        )
        build_board(size)
        busy, done = timed_sweep()
        idle, again = timed_sweep()
        acted = sum(done.values())
        assert not any(again.values()), f"the second sweep found work: {again}"
        results[size] = (busy, idle, acted)
        print(
            f"{size:>6} claims: first sweep {busy:6.2f} s ({acted} things done: "
            + ", ".join(f"{count} {name}" for name, count in done.items() if count)
            + f"); second sweep {idle * 1000:7.1f} ms (nothing to do)"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(f"idle sweep, {SIZES[-1]:,} vs {SIZES[0]} claims: {large[1] / small[1]:.2f}x")
    print(
        f"busy sweep, per thing done at {SIZES[-1]:,} claims: {large[0] / large[2] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
