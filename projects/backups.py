"""Backups of the board's database, one interface for PostgreSQL and SQLite.

PostgreSQL is dumped with ``pg_dump`` in its custom format and restored with ``pg_restore``;
SQLite is copied with Python's online backup API, which reads a consistent snapshot while
the site keeps running. Both read the database from a ``DATABASES`` entry (as parsed from
``DATABASE_URL``); the password goes to the PostgreSQL tools through ``PGPASSWORD``, never on
their command line. A restore goes only into an empty database: it never clobbers data.
A PostgreSQL database restored is analyzed, for the planner's statistics.
"""

from __future__ import annotations

import datetime
import os
import secrets
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Options of DATABASE_URL's query string that libpq understands (the others are Django's).
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout")


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with the reason in words for the operator."""


def _kind(database: dict[str, Any]) -> str:
    """The kind of a ``DATABASES`` entry, "postgresql" or "sqlite"; BackupError for others."""
    engine = database["ENGINE"]
    if engine == POSTGRESQL:
        return "postgresql"
    if engine == SQLITE:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {engine}.")


def default_path(database: dict[str, Any], *, now: datetime.datetime | None = None) -> Path:
    """var/backups/agenda-<UTC timestamp>.<dump|sqlite3>, the name ``make backup`` writes."""
    now = now or datetime.datetime.now(datetime.UTC)
    suffix = "dump" if _kind(database) == "postgresql" else "sqlite3"
    return settings.BASE_DIR / "var" / "backups" / f"agenda-{now:%Y%m%d-%H%M%SZ}.{suffix}"


def _pg_arguments(database: dict[str, Any]) -> list[str]:
    """Host, port, user and database name of a ``DATABASES`` entry as libpq tool options."""
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments.append(f"{option}={database[key]}")
    arguments.append(f"--dbname={database['NAME']}")
    return arguments


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the password and the SSL options, if any
    (PGPASSWORD, PGSSLMODE, ...)."""
    environment = dict(os.environ)
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    options = database.get("OPTIONS") or {}
    for key in LIBPQ_OPTIONS:
        if options.get(key):
            environment[f"PG{key.upper()}"] = str(options[key])
    return environment


def _run(command: list[str], database: dict[str, Any]) -> None:
    """Run a PostgreSQL client tool; BackupError with its own message when it fails."""
    try:
        result = subprocess.run(
            command, env=_pg_environment(database), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client tools "
            "(apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _sqlite_path(database: dict[str, Any]) -> Path:
    """The file of a SQLite ``DATABASES`` entry; BackupError for an in-memory database."""
    name = str(database["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    """The tables of a SQLite database, without SQLite's own."""
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def backup(database: dict[str, Any], path: Path) -> Path:
    """Write a consistent copy of ``database`` to ``path`` (which must not exist yet).

    Raises BackupError when the file exists, the database is missing or the dump fails;
    a failed dump leaves no partial file behind.
    """
    kind = _kind(database)
    if path.exists():
        raise BackupError(f"{path} already exists; choose another FILE, nothing was written.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if kind == "postgresql":
            _run(
                ["pg_dump", "--format=custom", f"--file={path}", *_pg_arguments(database)], database
            )
        else:
            source_path = _sqlite_path(database)
            if not source_path.is_file():
                raise BackupError(f"There is no SQLite database at {source_path}.")
            _sqlite_copy(source_path, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _read_magic(path: Path) -> bytes:
    """The first bytes of a backup file; BackupError when it cannot be read."""
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from None


def _psycopg_parameters(database: dict[str, Any]) -> dict[str, Any]:
    """psycopg's connection parameters for a ``DATABASES`` entry, but the database name."""
    parameters = {
        key.lower(): database[key]
        for key in ("HOST", "PORT", "USER", "PASSWORD")
        if database.get(key)
    }
    options = database.get("OPTIONS") or {}
    return {**parameters, **{key: options[key] for key in LIBPQ_OPTIONS if key in options}}


def _postgresql_tables(database: dict[str, Any]) -> list[str]:
    """The tables of the PostgreSQL database, outside PostgreSQL's own schemas."""
    import psycopg

    try:
        with psycopg.connect(
            dbname=database["NAME"], **_psycopg_parameters(database)
        ) as connection:
            rows = connection.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to the database {database['NAME']} to restore into it "
            f"(create it first, empty: createdb {database['NAME']}): {error}"
        ) from None
    return [name for (name,) in rows]


def restore(database: dict[str, Any], path: Path, *, analyze: bool = True) -> None:
    """Restore the backup at ``path`` into ``database``, which must be empty; on PostgreSQL,
    analyze it after (unless ``analyze`` is false: a database only counted, then dropped).

    Raises BackupError, having changed nothing, when the file is missing or not a backup of
    this kind of database, or when the database already holds tables.
    """
    kind = _kind(database)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    magic = _read_magic(path)
    if kind == "postgresql":
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(
                f"{path} is not a PostgreSQL backup (pg_dump -Fc); "
                "restore it into the kind of database it came from."
            )
        tables = _postgresql_tables(database)
        if tables:
            raise BackupError(
                f"The database {database['NAME']} is not empty ({len(tables)} tables); "
                "restore only into an empty database. Nothing was changed."
            )
        command = [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            *_pg_arguments(database),
            str(path),
        ]
        _run(command, database)
        if analyze:
            _analyze(database)
        return
    if magic != SQLITE_MAGIC:
        raise BackupError(
            f"{path} is not a SQLite backup; restore it into the kind of database it came from."
        )
    target_path = _sqlite_path(database)
    if target_path.exists() and target_path.stat().st_size:
        raise BackupError(
            f"{target_path} already holds a database; restore only into a path that does not "
            "exist yet or an empty file. Nothing was changed."
        )
    target_path.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(path, target_path)


def _analyze(database: dict[str, Any]) -> None:
    """Gather the planner's statistics of every table. pg_restore brings none, and until
    autovacuum comes round (if it runs at all) PostgreSQL guesses how rows are spread, and
    may scan a whole table where an index would do."""
    import psycopg

    with psycopg.connect(
        dbname=database["NAME"], autocommit=True, **_psycopg_parameters(database)
    ) as connection:
        connection.execute("ANALYZE")


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy a SQLite database with SQLite's online backup, a consistent copy even while
    others write to the source (which is opened read-only)."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_counts(path: Path) -> list[tuple[str, int]]:
    """Rows per table of a SQLite database file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            (table, connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
            for table in sorted(_sqlite_tables(connection))
        ]
    finally:
        connection.close()


def check(database: dict[str, Any], path: Path) -> list[tuple[str, int]]:
    """Restore the backup at ``path`` into a temporary database beside ``database`` (a
    scratch file for SQLite; on PostgreSQL a database on the same server, which needs the
    right to create one) and return its rows per table; the temporary database is removed.

    Raises BackupError when the backup does not restore.
    """
    if _kind(database) == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            target = Path(scratch) / "check.sqlite3"
            restore({**database, "NAME": str(target)}, path)
            return _sqlite_counts(target)
    import psycopg
    from psycopg import sql

    name = f"{database['NAME']}_check_{secrets.token_hex(4)}"
    parameters = _psycopg_parameters(database)
    try:
        server = psycopg.connect(dbname="postgres", autocommit=True, **parameters)
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to the server to make a scratch database: {error}"
        ) from None
    with server:
        try:
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise BackupError(f"Cannot create a scratch database {name}: {error}") from None
        try:
            restore({**database, "NAME": name}, path, analyze=False)
            with psycopg.connect(dbname=name, **parameters) as scratch:
                tables = scratch.execute(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                    "AND table_type = 'BASE TABLE' ORDER BY table_name"
                ).fetchall()
                query = "SELECT count(*) FROM {}"
                return [
                    (
                        table,
                        scratch.execute(
                            sql.SQL(query).format(sql.Identifier(schema, table))
                        ).fetchone()[0],
                    )
                    for schema, table in tables
                ]
        finally:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
