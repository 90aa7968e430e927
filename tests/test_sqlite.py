"""SQLite under use: write-ahead logging, a busy timeout and IMMEDIATE transactions, and an import's check
that holds no write lock, so that sign-ins and edits go on while a table is checked."""

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections, connection, connections, transaction
from django.utils import translation

from udsyn.core.database import private_copy
from udsyn.core.exchange.importer import ImportResult
from udsyn.engagements.models import Engagement, ExternalOrganisation, Theme
from udsyn.interop import exports, tabular

pytestmark = pytest.mark.django_db(transaction=True)
sqlite_only = pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                                 reason="SQLite's settings")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start ``work`` in a thread with its own database connection; its result (or error) lands in the list."""
    out: list[Any] = []

    def run() -> None:
        close_old_connections()
        try:
            out.append(work())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            out.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


@sqlite_only
def test_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_transactions() -> None:
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == int(settings.SQLITE_BUSY_TIMEOUT * 1000)
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert connection.transaction_mode == "IMMEDIATE"
    assert settings.SQLITE_BUSY_TIMEOUT >= 10


@sqlite_only
def test_a_writer_waits_for_another_writers_transaction_instead_of_failing() -> None:
    """Two transactions that each read, then write: with deferred transactions the second to upgrade from
    reading to writing failed at once with "database is locked"; now it waits and both are kept."""
    Theme.objects.create(name="Klima")
    both_read = threading.Barrier(2)

    def rename(suffix: str) -> str:
        with transaction.atomic():
            theme = Theme.objects.get(name__startswith="Klima")
            # The first holds the lock while the second waits at BEGIN: it does not wait long for it here.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait(timeout=1)
            time.sleep(0.3)
            theme.name = theme.name + suffix
            theme.save()
        return theme.name

    threads = [_in_thread(lambda s=s: rename(s)) for s in ("-a", "-b")]
    for thread, _out in threads:
        thread.join(60)
    results = [out[0] for _thread, out in threads]
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Theme.objects.get().name in ("Klima-a-b", "Klima-b-a")


def _dry_run(sheets: list[tabular.Sheet], progress: Callable[[int, int], None] | None = None) -> ImportResult:
    return tabular.import_tables(sheets, dry_run=True, create_themes=True, progress=progress)


def _edited_engagements() -> list[tabular.Sheet]:
    """The engagements table with one changed, one new engagement with a new theme and a new partner named
    like an existing one (a near-duplicate warning)."""
    text = exports.export("csv", internal=True, table="engagements").decode("utf-8-sig")
    header, *rows = text.splitlines()
    rows = [row.replace("250000", "260000") for row in rows]
    columns = header.split(",")
    new = dict.fromkeys(columns, "")
    new.update({"municipality": "0101", "title": "Klimanetværket", "kind": "membership", "lead": "TMF",
                "themes": "Klima; Havne", "description": "Nyt", "status": "active"})
    rows.append(",".join(new[column] for column in columns))
    organisations = "name,kind,country\r\nEurocitiess,network,BE\r\n"
    return [*tabular.read("engagements.csv", ("\r\n".join([header, *rows]) + "\r\n").encode()),
            *tabular.read("organisations.csv", organisations.encode())]


def _outcome(result: ImportResult) -> dict[str, Any]:
    return {"problems": [str(p) for p in result.problems], "summary": result.summary_rows,
            "changes": [(c.kind, c.record, c.field, c.old, c.new, c.flag) for c in result.changes],
            "new_themes": sorted(result.new_themes), "near_duplicates": result.near_duplicates}


def test_a_check_on_a_private_copy_finds_what_a_check_in_place_finds(eurocities: Engagement,
                                                                    beijing: Engagement) -> None:
    sheets = _edited_engagements()
    on_copy = _outcome(_dry_run(sheets))
    with transaction.atomic():  # in a transaction the check runs in place, as it did before
        in_place = _outcome(_dry_run(sheets))
    assert on_copy == in_place
    assert on_copy["problems"] == []
    assert on_copy["new_themes"] == ["Havne"] and on_copy["near_duplicates"]
    assert ("Engagements", 1, 1, 2, 0) in on_copy["summary"]
    # Nothing of the check is left: not in the database, not in the copy's place.
    assert not Theme.objects.filter(name="Havne").exists()
    assert not ExternalOrganisation.objects.filter(name="Eurocitiess").exists()
    assert Engagement.objects.get(pk=eurocities.pk).annual_fee == 250000


@sqlite_only
def test_a_private_copy_is_used_outside_a_transaction_only() -> None:
    Theme.objects.create(name="Klima")
    with private_copy() as copied:
        assert copied
        Theme.objects.create(name="Kun i kopien")
        assert Theme.objects.count() == 2
    assert list(Theme.objects.values_list("name", flat=True)) == ["Klima"]
    with transaction.atomic(), private_copy() as copied:
        assert not copied


def test_others_write_while_a_table_is_being_checked(eurocities: Engagement, beijing: Engagement) -> None:
    """The check pauses halfway (its progress callback waits); meanwhile another connection saves a session
    and creates a record, without waiting for the check to end."""
    sheets = _edited_engagements()
    halfway, written = threading.Event(), threading.Event()

    def progress(done: int, total: int) -> None:
        if done < total and not halfway.is_set():
            halfway.set()
            written.wait(timeout=60)

    checker, out = _in_thread(lambda: _dry_run(sheets, progress))
    try:
        assert halfway.wait(timeout=60), "the check did not start"
        start = time.monotonic()
        session = SessionStore()
        session["seen"] = True
        session.create()
        Theme.objects.create(name="Skrevet under kontrollen")
        waited = time.monotonic() - start
    finally:
        written.set()
        checker.join(60)
    assert waited < 2, f"the writes waited {waited:.1f} s for the check"
    result = out[0]
    assert isinstance(result, ImportResult) and result.ok, out
    assert list(result.new_themes) == ["Havne"]
    assert SessionStore(session_key=session.session_key).get("seen") is True
    assert not Theme.objects.filter(name="Havne").exists()


@sqlite_only
def test_signing_in_and_out_never_waits_for_an_import_holding_the_write_lock(coordinator: Any) -> None:
    """Issue 16: while an import wrote, sign-ins and sign-outs failed with "database is locked" after the busy
    timeout. Sessions are kept beside SQLite, and the last sign-in is recorded once the lock is free."""
    import sqlite3

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.test import Client

    coordinator.password = make_password("a passphrase for the test")
    coordinator.save()
    importer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # an import's transaction: it holds the write lock
    importer.execute("UPDATE auth_user SET first_name = 'Importer' WHERE id = ?", (coordinator.pk,))
    try:
        client = Client()
        started = time.monotonic()
        signed_in = client.post("/login/", {"username": coordinator.username,
                                            "password": "a passphrase for the test"})
        assert signed_in.status_code == 302 and signed_in["Location"] == "/"
        assert client.get("/").status_code == 200  # signed in, on the start page
        assert client.post("/logout/").status_code == 302
        assert time.monotonic() - started < settings.SQLITE_BUSY_TIMEOUT / 2  # none of it waited for the lock
        assert User.objects.get(pk=coordinator.pk).last_login is None  # not yet: the import holds the lock
    finally:
        importer.execute("COMMIT")
        importer.close()
    for _ in range(100):
        if User.objects.get(pk=coordinator.pk).last_login is not None:
            break
        time.sleep(0.05)
    assert User.objects.get(pk=coordinator.pk).last_login is not None
