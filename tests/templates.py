"""Migrated empty databases, made once per set of migrations and copied: the test databases and the backup tests.

Migrating a new database takes some 25 seconds of processor time (Django renders the project's models again
for most operations), and each test process needs one (each pytest-xdist worker, the SQLite, PostgreSQL and
browser runs). So a database is migrated once by ``udsyn migrate`` in a process of its own, kept as a template
named by a digest of every migration (SQLite: a file in the temporary folder; PostgreSQL: a database on the
server), and each test database starts as a copy of it. Django's test set-up then runs ``migrate`` on the
copy as usual, which finds nothing left to apply (a changed or added migration changes the digest, so a
new template is made). A lock keeps two processes, or two runs, from making the same template at once.
"""

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def migrations_key() -> str:
    """A digest of the migrations a new database gets: their names (Django's own apps' too) and our files."""
    import django
    from django.db.migrations.loader import MigrationLoader

    names = sorted(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    digest = hashlib.sha256(json.dumps([django.__version__, names]).encode())
    for path in sorted(ROOT.glob("udsyn/*/migrations/*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str) -> Iterator[None]:
    with open(Path(tempfile.gettempdir()) / f"udsyn-template-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "udsyn.cli", "migrate", "--verbosity", "0"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def sqlite_template() -> Path:
    """The migrated SQLite template file (made now if there is none for these migrations)."""
    key = migrations_key()
    template = Path(tempfile.gettempdir()) / f"udsyn-template-{key}.sqlite3"
    with _locked(key + "-sqlite"):
        if not template.exists():
            building = template.with_suffix(f".{os.getpid()}")
            _migrate(f"sqlite:///{building}")
            with sqlite3.connect(building) as written:  # anything left in the write-ahead log into the file
                written.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            written.close()
            for leftover in (Path(f"{building}-wal"), Path(f"{building}-shm")):
                leftover.unlink(missing_ok=True)
            building.replace(template)
    return template


def copy_sqlite(target: Path) -> None:
    """A new SQLite database at ``target``: a copy of the template."""
    for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        path.unlink(missing_ok=True)
    shutil.copyfile(sqlite_template(), target)


def postgres_server(settings_dict: dict[str, Any]) -> str:
    """The URL of a connection's PostgreSQL server, without a database: postgres://user@host:port."""
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}"


def postgres_template(admin: Any, server: str) -> str:
    """The name of the migrated PostgreSQL template database on ``server`` (postgres://user@host:port), made
    now if there is none for these migrations; ``admin`` is an autocommit connection to another database there."""
    key = migrations_key()
    template = f"udsyn_template_{key}"
    with _locked(key + "-postgres"):
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone() is None:
            building = f"{template}_{os.getpid()}"
            admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
            admin.execute(f'CREATE DATABASE "{building}"')
            _migrate(f"{server}/{building}")
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    return template


def copy_postgres(admin: Any, server: str, name: str) -> None:
    """A new PostgreSQL database ``name`` (dropped first if it is there): a copy of the template."""
    template = postgres_template(admin, server)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def create_test_databases_from_templates() -> Any:
    """Make Django's test set-up start each test database as a copy of the template; returns a function that
    undoes it. Django then migrates the copy as usual (nothing left to apply) and destroys it at the end."""
    import psycopg
    from django.db.backends.base.creation import BaseDatabaseCreation

    original = BaseDatabaseCreation.create_test_db

    def create_test_db(self: Any, verbosity: int = 1, autoclobber: bool = False, serialize: bool = True,
                       keepdb: bool = False) -> str:
        vendor = self.connection.vendor
        if keepdb or vendor not in ("sqlite", "postgresql") or self.connection.settings_dict["TEST"].get(
                "MIGRATE") is False:
            return original(self, verbosity, autoclobber, serialize, keepdb)  # type: ignore[no-any-return]
        name = self._get_test_db_name()
        if vendor == "sqlite":
            if self.is_in_memory_db(name):
                return original(self, verbosity, autoclobber, serialize, keepdb)  # type: ignore[no-any-return]
            copy_sqlite(Path(name))
        else:
            server = postgres_server(self.connection.settings_dict)
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                copy_postgres(admin, server, name)
                # A commit need not wait for the disk: a test database is not kept after a crash.
                admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        # keepdb: Django uses the copy as it is, instead of making the database anew.
        return original(self, verbosity, autoclobber, serialize, keepdb=True)  # type: ignore[no-any-return]

    BaseDatabaseCreation.create_test_db = create_test_db  # type: ignore[method-assign, assignment]

    def undo() -> None:
        BaseDatabaseCreation.create_test_db = original  # type: ignore[method-assign]

    return undo


def flush_postgresql_by_delete() -> Any:
    """Empty the tables between transactional tests on PostgreSQL with DELETE instead of TRUNCATE; returns a
    function that undoes it.

    Django empties every table after each test that commits (``django_db(transaction=True)``, live servers) with
    one TRUNCATE of all of them; PostgreSQL makes each of the hundred-odd tables a new file for that, which took
    some 8 seconds a test on a busy machine. The tables hold a few rows by then, which DELETE removes in
    milliseconds. Foreign keys are checked at the commit (Django makes them DEFERRABLE INITIALLY DEFERRED), when
    every table is empty. Sequences go on from where they were in both ways (unless asked to restart, which is
    left to TRUNCATE)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        if reset_sequences or not tables:
            return original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED", *(f"DELETE FROM {self.quote_name(table)}" for table in tables)]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]

    def undo() -> None:
        DatabaseOperations.sql_flush = original  # type: ignore[method-assign]

    return undo
