"""Backups: ``manage.py backup`` and ``manage.py restore`` (behind ``make backup`` and
``make restore``) round-trip the seed agenda with its activity, row for row, on SQLite and on
PostgreSQL, and a restore never clobbers a database that holds data.

The commands run as the operator runs them: in a process of their own, given DATABASE_URL.
"""

import contextlib
import datetime
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import environ
import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from notifications.models import Delivery, Notification
from projects import backups
from projects.models import (
    Claim,
    Comment,
    Event,
    Interest,
    Output,
    Project,
    TextVersion,
    Watch,
)
from tests.conftest import BASE_DIR, DEMO_AGENDA
from tests.factories import UserFactory

pytestmark = pytest.mark.backups

transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def python(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """Run Python in the project's folder, in a process of its own, against ``database_url``
    (with mail kept in memory)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "EMAIL_URL": "memorymail://",
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """Run ``manage.py`` as the operator does, against ``database_url``."""
    return python("manage.py", *args, database_url=database_url)


def seed_agenda_with_activity() -> None:
    """The demo agenda, imported by its command, then worked on through the domain's methods:
    claims (one checked in and completed, one released), comments and a reply with a mention,
    an edited comment, outputs (one accepted, the project marked addressed), interests,
    watches, a curated summary with versions, and the notifications and mail they cause;
    and a verified address in allauth's table."""
    call_command("import_agenda", str(DEMO_AGENDA), stdout=StringIO())
    ada, alan = UserFactory(username="ada"), UserFactory(username="alan")
    curator = UserFactory(username="grace", curator=True)
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    first, second, third = Project.objects.order_by("number")[:3]
    first.set_watch(user=alan, watching=True)
    claim = first.claim(researcher=ada, plan="Survey, then **write**.")
    claim.check_in(note="A first draft.", target_date=datetime.date(2030, 1, 1))
    comment = first.add_comment(author=alan, body="What counts as done, @ada?", is_scope=True)
    first.add_comment(author=ada, body="A paper that answers the question.", parent=comment)
    comment.edit(body="What counts as *done* here, @ada?")
    output = first.link_output(
        by=ada,
        url="https://example.org/paper",
        title="The paper",
        kind=Output.Kind.PAPER,
        addresses=Output.Addresses.FULLY,
        claim=claim,
    )
    claim.complete(note="Published.")
    output = output.accept(by=curator)
    first.refresh_from_db()
    first.mark_addressed(by=curator, reason="The paper answers it.", outputs=[output])
    second.set_interest(researcher=ada, interested=True, note="I would read this.")
    second.set_interest(researcher=alan, interested=True)
    second.claim(researcher=alan, plan="Maybe.").release(reason="other", note="No time.")
    third.edit_summary(text="Two people looked at this.", by=curator)
    third.edit_summary(text="Three people looked at this.", by=curator)
    for model in (Claim, Comment, Output, Interest, Watch, Event, TextVersion, Notification):
        assert model.objects.exists(), f"the seed makes no {model.__name__}"
    assert Delivery.objects.exists() or Notification.objects.exists()


def expected_tables() -> set[str]:
    """Every table of every model from django.apps (Django's, allauth's and the board's),
    with the tables of many-to-many fields."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return tables


def table_rows(read: Callable[[str], list[tuple]], tables: list[str]) -> dict[str, list[tuple]]:
    """``SELECT *`` of each table, ordered by its primary key (or its first column when it
    has none), through ``read``."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            key = connection.introspection.get_primary_key_columns(cursor, table) or []
            order = ", ".join(connection.ops.quote_name(column) for column in key) or "1"
            rows[table] = read(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {order}")
    return rows


def assert_check_counts(
    backup_file: Path, database_url: str, source: dict[str, list[tuple]]
) -> None:
    """``manage.py backup --check FILE`` restores the backup into a scratch database and
    prints each table's rows: as many as the source has."""
    checked = manage("backup", "--check", str(backup_file), database_url=database_url)
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.strip().splitlines()
    counts = dict(line.rsplit(maxsplit=1) for line in lines[:-1])
    assert {table: int(rows) for table, rows in counts.items()} == {
        table: len(rows) for table, rows in source.items()
    }
    assert lines[-1].endswith(
        f"restores: {len(source)} tables, {sum(map(len, source.values()))} rows."
    )


def assert_same_rows(source: dict[str, list[tuple]], restored: dict[str, list[tuple]]) -> None:
    """Every table is there, with every row and every value."""
    assert sorted(restored) == sorted(source)
    for table, rows in source.items():
        assert restored[table] == rows, f"{table} differs after the restore"
    assert source["projects_project"], "the source has no projects to compare"


@pytest.fixture
def source_tables() -> list[str]:
    """The tables of the test database, checked to include every model's."""
    tables = sorted(connection.introspection.table_names())
    assert expected_tables() <= set(tables)
    return tables


SEED = (
    "import django; django.setup(); "
    "from tests.test_backups import seed_agenda_with_activity; seed_agenda_with_activity()"
)


def sqlite_rows(path: Path) -> dict[str, list[tuple]]:
    """``SELECT *`` of every table of a SQLite file, ordered by its primary key, values as
    stored."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        rows = {}
        for (table,) in tables:
            columns = database.execute(f'PRAGMA table_info("{table}")').fetchall()
            key = [
                f'"{name}"' for _, name, _, _, _, pk in sorted(columns, key=lambda c: c[5]) if pk
            ]
            order = ", ".join(key) or "rowid"
            rows[table] = database.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
        return rows
    finally:
        database.close()


def test_sqlite_backup_and_restore_round_trip_every_row(tmp_path: Path):
    """On a SQLite file (whatever database the suite runs on): migrated and seeded in a
    process of its own, backed up by ``manage.py backup`` into var/backups/, restored by
    ``manage.py restore`` into a new path, and compared row by row; a second restore onto
    data is refused."""
    source_file = tmp_path / "source.sqlite3"
    source_url = f"sqlite:///{source_file}"
    migrated = manage("migrate", "--noinput", database_url=source_url)
    assert migrated.returncode == 0, migrated.stderr
    seed = python("-c", SEED, database_url=source_url)
    assert seed.returncode == 0, seed.stderr

    made = manage("backup", database_url=source_url)
    assert made.returncode == 0, made.stderr
    backup_file = Path(made.stdout.strip().splitlines()[-1])
    assert backup_file.parent == BASE_DIR / "var" / "backups"
    assert backup_file.name.startswith("agenda-") and backup_file.suffix == ".sqlite3"
    try:
        target = tmp_path / "restored.sqlite3"
        restored = manage("restore", str(backup_file), database_url=f"sqlite:///{target}")
        assert restored.returncode == 0, restored.stderr

        source_rows = sqlite_rows(source_file)
        assert expected_tables() <= set(source_rows)
        assert_same_rows(source_rows, sqlite_rows(target))
        assert_check_counts(backup_file, source_url, source_rows)

        again = manage("restore", str(backup_file), database_url=source_url)
        assert again.returncode != 0
        assert "already holds a database" in again.stderr
        assert "Nothing was changed" in again.stderr
        assert sqlite_rows(source_file) == source_rows
    finally:
        backup_file.unlink()


def test_backup_refuses_to_overwrite_a_file_and_restore_a_missing_one(tmp_path: Path):
    """FILE= never overwrites; a missing backup or a file of the other kind is refused, and
    --check says the file does not restore."""
    existing = tmp_path / "existing.dump"
    existing.write_bytes(b"keep me")
    source = tmp_path / "source.sqlite3"
    sqlite3.connect(source).execute("CREATE TABLE t (x)").connection.commit()

    made = manage("backup", str(existing), database_url=f"sqlite:///{source}")
    missing = manage("restore", str(tmp_path / "nope"), database_url=f"sqlite:///{tmp_path}/n")
    wrong = manage("restore", str(existing), database_url=f"sqlite:///{tmp_path}/n")
    checked = manage("backup", "--check", str(existing), database_url=f"sqlite:///{source}")

    assert made.returncode != 0 and "already exists" in made.stderr
    assert existing.read_bytes() == b"keep me"
    assert missing.returncode != 0 and "There is no backup file" in missing.stderr
    assert wrong.returncode != 0 and "is not a SQLite backup" in wrong.stderr
    assert checked.returncode != 0 and "does not restore" in checked.stderr
    assert not (tmp_path / "n").exists()


def test_postgresql_tools_get_the_password_from_the_environment_never_the_command_line():
    """DATABASE_URL's parts become pg_dump's options; its password only PGPASSWORD, where
    no other user of the machine can read it in the process list."""
    database = environ.Env.db_url_config(
        "postgres://board:s3cret@db.example.org:6543/agenda_board?sslmode=require"
    )

    arguments = backups._pg_arguments(database)
    environment = backups._pg_environment(database)

    assert arguments == [
        "--host=db.example.org",
        "--port=6543",
        "--username=board",
        "--dbname=agenda_board",
    ]
    assert not any("s3cret" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret"
    assert environment["PGSSLMODE"] == "require"


def postgresql_url(name: str) -> str:
    """DATABASE_URL for another database on the test database's server."""
    database = connection.settings_dict
    user = database["USER"] or ""
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    at = f"{user}{password}@" if user else ""
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{at}{database['HOST'] or 'localhost'}{port}/{name}"


@contextlib.contextmanager
def psycopg_reader(name: str) -> Iterator[Callable[[str], list[tuple]]]:
    """A reader of rows from one database of the test server, through plain psycopg."""
    import psycopg

    database = connection.settings_dict
    parameters = {
        key.lower(): database[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if database[key]
    }
    with psycopg.connect(dbname=name, **parameters) as other:
        yield lambda sql: other.execute(sql).fetchall()


@pytest.fixture
def scratch_postgresql_database() -> Iterator[str]:
    """An empty database named after the test database, dropped afterwards."""
    import psycopg

    database = connection.settings_dict
    name = f"{database['NAME']}_restored"
    parameters = {
        key.lower(): database[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if database[key]
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **parameters) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@transactional
@pytest.mark.postgresql
def test_postgresql_backup_and_restore_round_trip_every_row(
    tmp_path: Path, source_tables, scratch_postgresql_database
):
    """pg_dump's custom format, restored by pg_restore into a fresh database, gives back every
    row of every table and every sequence where it was, analyzed; a second restore is
    refused."""
    seed_agenda_with_activity()
    source_name = connection.settings_dict["NAME"]
    backup_file = tmp_path / "board.dump"

    made = manage("backup", str(backup_file), database_url=postgresql_url(source_name))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(backup_file)
    target_url = postgresql_url(scratch_postgresql_database)
    restored = manage("restore", str(backup_file), database_url=target_url)
    assert restored.returncode == 0, restored.stderr

    sequences = "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
    with (
        psycopg_reader(source_name) as read_source,
        psycopg_reader(scratch_postgresql_database) as read_restored,
    ):
        source_rows = table_rows(read_source, source_tables)
        assert_same_rows(source_rows, table_rows(read_restored, source_tables))
        assert read_restored(sequences) == read_source(sequences)
        tables = (
            "SELECT table_schema, table_name, table_type FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        )
        assert read_restored(tables) == read_source(tables)
        # The planner's statistics gathered: without them (pg_restore brings none, and
        # autovacuum may be late or off), PostgreSQL plans the board as if it were empty.
        analyzed = (
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'"
            " AND tablename IN ('projects_project', 'projects_comment', 'projects_event')"
            " ORDER BY 1"
        )
        assert read_restored(analyzed) == [
            ("projects_comment",),
            ("projects_event",),
            ("projects_project",),
        ]
        count = read_restored("SELECT count(*) FROM django_migrations")

        again = manage("restore", str(backup_file), database_url=target_url)
        assert again.returncode != 0
        assert "is not empty" in again.stderr and "Nothing was changed" in again.stderr
        assert read_restored("SELECT count(*) FROM django_migrations") == count
    assert_check_counts(backup_file, postgresql_url(source_name), source_rows)
