"""A private copy of an SQLite database for work that writes only to roll back: an import's check step.

SQLite has one write lock for the whole database. A check (a dry run that writes every record and rolls
back, so that its counts are the real ones) would hold it for as long as the check runs, and every other
writer (a login saving its session, an edit) would wait for it. ``private_copy()`` instead copies the
database with SQLite's online backup (a read, which in WAL mode neither waits for writers nor holds them up)
into a throw-away file, and lets the ORM in this thread use that copy until the block ends; the check writes
and rolls back there, and the file is removed.

PostgreSQL needs no copy: its readers never wait for a writer, and a rolled-back transaction's new rows are
seen by no one. (It does lock the existing rows the check updates: another writer of the same record waits
until the check ends. See docs/operations.md.)
"""

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# The copy is thrown away: no journal on disk, no waiting for the disk (a rollback still works: MEMORY keeps it).
COPY_PRAGMAS = "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF"


@contextmanager
def private_copy(alias: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Within the block, the database ``alias`` is, for this thread only, a private copy of itself as it was
    when the block began. Yields whether a copy is used.

    Only an SQLite database in a file is copied, and only outside a transaction: a connection in a
    transaction already holds (or waits for) the write lock, and its rows not yet committed are in no copy
    (SQLite's backup refuses to read from a connection that is writing). Elsewhere the block runs on the
    database itself.
    """
    original: Any = connections[alias]
    if original.vendor != "sqlite" or original.is_in_memory_db() or original.in_atomic_block:
        yield False
        return
    original.ensure_connection()
    source: sqlite3.Connection = original.connection
    if source.in_transaction:
        yield False
        return
    folder = Path(tempfile.mkdtemp(prefix="udsyn-copy-"))
    path = folder / "copy.sqlite3"
    try:
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
        options = {**original.settings_dict.get("OPTIONS", {}), "init_command": COPY_PRAGMAS}
        copy = type(original)({**original.settings_dict, "NAME": str(path), "OPTIONS": options}, alias)
        connections[alias] = copy
        try:
            yield True
        finally:
            connections[alias] = original
            copy.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
