"""Backup and restore of a whole installation: one zip archive with every row of every model (one JSON line
per row, a file per model in dependency order) and every uploaded file, readable by any database engine.

``write(path)`` makes the archive, reading one consistent snapshot row by row (memory stays flat however big
the tables are); ``restore(path)`` loads it into an empty installation in one transaction. The archive:

- ``manifest.json``: the format version, the Udsyn version, when it was made, the migrations applied per
  app, the row count of each model and the list of uploaded files;
- ``data/NNNN-<app>.<model>.jsonl``: the rows, each as Django's serializers write them, primary keys kept.
  Many-to-many relations are the rows of their link tables (models of their own). Content types and
  permissions, which every installation creates for itself when migrating, are written and referred to by
  their natural keys (app label and model; and codename), so ids may differ between installations;
- ``media/<path>``: the files under ``MEDIA_ROOT``, when one is set.

What is not kept (``EXCLUDED``): login sessions and the workers' beats; both are transient.
"""

from __future__ import annotations

import datetime
import decimal
import json
import os
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers import python
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

import udsyn

FORMAT = "udsyn-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# Transient rows, never written: login sessions (everyone signs in again) and the workers' beats (the restored
# installation's workers are others). The task queue is kept: a report or import queued when the backup was
# made runs on the restored installation's workers, and one that was running is taken for its dead worker's
# and tried again (udsyn.core.tasks.recover). When scheduled jobs last ran is kept too.
EXCLUDED = frozenset({"sessions.session", "core.workerbeat"})

# Rows that every installation makes for itself when migrating: matched by natural key, never by id.
NATURAL = (ContentType, Permission)

BATCH = 1000


class BackupError(Exception):
    """An archive that cannot be restored here, or an installation that cannot take it; the message says why."""


# -- Which models, in which order --------------------------------------------------------------------------

def backed_up_models() -> list[type[models.Model]]:
    """Every model with a table of its own (link tables of many-to-many relations too), parents before the
    models that refer to them, as far as the references allow (cycles are loaded with checks deferred)."""
    found = [model for model in apps.get_models(include_auto_created=True)
             if model._meta.managed and not model._meta.proxy and not model._meta.swapped
             and model._meta.label_lower not in EXCLUDED]
    found.sort(key=lambda model: model._meta.label_lower)
    ordered: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    visiting: set[type[models.Model]] = set()

    def place(model: type[models.Model]) -> None:
        if model in placed or model in visiting:
            return
        visiting.add(model)
        for field in model._meta.local_concrete_fields:
            target = field.related_model if field.is_relation else None
            if isinstance(target, type) and target is not model and target in members:
                place(target)
        visiting.discard(model)
        placed.add(model)
        ordered.append(model)

    members = set(found)
    for model in found:
        place(model)
    return ordered


def member_name(position: int, model: type[models.Model]) -> str:
    return f"data/{position:04d}-{model._meta.label_lower}.jsonl"


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# -- Writing ------------------------------------------------------------------------------------------------

class _Encoder(json.JSONEncoder):
    """Lossless where Django's own JSON encoder is not: microseconds are kept."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.date | datetime.time):
            return o.isoformat()
        if isinstance(o, decimal.Decimal):
            return str(o)
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        return super().default(o)


def _line(data: dict[str, Any]) -> bytes:
    # Sorted keys: a JSON field's object reads back from PostgreSQL (jsonb) in an order of its own.
    return (json.dumps(data, cls=_Encoder, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


class _RowWriter(python.Serializer):  # type: ignore[misc]  # Django's serializers are untyped
    """Django's serializer, writing each row as one line as it goes instead of collecting them; foreign keys
    to content types and permissions by natural key; many-to-many relations left to their link tables."""

    def __init__(self, out: IO[bytes], permission_keys: dict[int, tuple[str, str, str]]) -> None:
        super().__init__()
        self.out = out
        self.permission_keys = permission_keys
        self.count = 0

    def end_object(self, obj: models.Model) -> None:
        self.out.write(_line(self.get_dump_object(obj)))
        self.count += 1
        self._current = None

    def get_dump_object(self, obj: models.Model) -> dict[str, Any]:
        data = super().get_dump_object(obj)
        if isinstance(obj, NATURAL):
            data.pop("pk", None)
        return data  # type: ignore[no-any-return]

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        value = field.value_from_object(obj)
        target = field.remote_field.model
        if value is not None and target is ContentType:
            self._current[field.name] = list(ContentType.objects.get_for_id(value).natural_key())  # type: ignore[index]
        elif value is not None and target is Permission:
            self._current[field.name] = list(self.permission_keys[value])  # type: ignore[index]
        else:
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        pass


def _rows(model: type[models.Model]) -> Iterable[models.Model]:
    queryset = model._base_manager.all()
    if model is ContentType:
        return sorted(queryset, key=lambda ct: ct.natural_key())  # type: ignore[attr-defined]
    if model is Permission:
        return sorted(queryset.select_related("content_type"), key=lambda perm: perm.natural_key())  # type: ignore[attr-defined]
    return queryset.order_by("pk").iterator(chunk_size=2000)


@contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One consistent view of every table for the whole backup, without holding up writers."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield  # already inside a transaction (tests): it is the snapshot
        return
    if connection.vendor == "sqlite":
        # A deferred read transaction: with WAL, a snapshot that writers do not wait for.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None
    if root is None or not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def write(path: str | os.PathLike[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to ``path`` (through a temporary file beside it, so a broken run leaves no archive
    that looks whole) and return its manifest."""
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    counts: dict[str, int] = {}
    files: list[str] = []
    with _snapshot(using), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        permission_keys = {perm.pk: perm.natural_key() for perm in
                           Permission.objects.using(using).select_related("content_type")}
        for position, model in enumerate(backed_up_models(), start=1):
            with archive.open(member_name(position, model), "w", force_zip64=True) as out:
                writer = _RowWriter(out, permission_keys)
                writer.serialize(_rows(model), stream=out)  # type: ignore[arg-type]  # written as bytes by end_object
            counts[model._meta.label_lower] = writer.count
        media = _media_files()
        root = Path(settings.MEDIA_ROOT) if media else None
        for file in media:
            name = file.relative_to(root).as_posix()  # type: ignore[arg-type]
            archive.write(file, "media/" + name)
            files.append(name)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "udsyn_version": udsyn.__version__,
            "created": timezone.now().isoformat(),
            "migrations": applied_migrations(using),
            "models": [model._meta.label_lower for model in backed_up_models()],
            "excluded": sorted(EXCLUDED),
            "counts": counts,
            "media": files,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True))
    partial.replace(target)
    return manifest


# -- Reading ------------------------------------------------------------------------------------------------

def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"This is not a Udsyn backup: it has no {MANIFEST}.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("This is not a Udsyn backup (its manifest names the format {!r}).".format(
            manifest.get("format")))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            "The backup has format version {}, this Udsyn reads version {}. Restore it with the Udsyn version "
            "that made it ({}).".format(manifest.get("format_version"), FORMAT_VERSION, manifest.get("udsyn_version")))
    return manifest


def check_migrations(manifest: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> None:
    """The database's tables must be those the rows were written from: the same migrations, app by app."""
    here = applied_migrations(using)
    there: dict[str, list[str]] = manifest["migrations"]
    problems = []
    for app in sorted(set(here) | set(there)):
        missing = sorted(set(there.get(app, [])) - set(here.get(app, [])))
        extra = sorted(set(here.get(app, [])) - set(there.get(app, [])))
        if missing:
            problems.append("{}: the backup has {} that this installation has not applied".format(
                app, ", ".join(missing)))
        if extra:
            problems.append("{}: this installation has applied {} that the backup predates".format(
                app, ", ".join(extra)))
    if problems:
        raise BackupError(
            "The backup was made with other migrations than this installation has (made by Udsyn {}): {}. "
            "Restore it with the Udsyn version that made it, then upgrade.".format(
                manifest.get("udsyn_version"), "; ".join(problems)))


def check_empty(manifest: dict[str, Any], using: str = DEFAULT_DB_ALIAS) -> None:
    """Only what migrating makes (content types, permissions) may be there already."""
    filled = []
    for model in backed_up_models():
        if model in NATURAL:
            continue
        if model._base_manager.using(using).exists():
            filled.append(f"{model._meta.label} ({model._base_manager.using(using).count()} rows)")
    if filled:
        raise BackupError(
            "A backup is restored into an empty installation only (created with `udsyn migrate` and nothing "
            "else), and this one has data: {}.".format(", ".join(filled)))
    if manifest.get("media") and _media_files():
        raise BackupError(f"The backup has uploaded files, and MEDIA_ROOT ({settings.MEDIA_ROOT}) is not empty.")


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(name) as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(archive: zipfile.ZipFile, name: str, model: type[models.Model], using: str) -> int:
    connection = connections[using]
    count = 0
    fields = list(model._meta.local_concrete_fields)
    for batch in _batches(_lines(archive, name), BATCH):
        objects = [item.object for item in python.Deserializer(batch, using=using)]
        count += len(objects)
        if model in NATURAL:
            # Matched to this installation's own by natural key (the deserializer found its id); new ones added.
            for obj in objects:
                if obj.pk is None:
                    obj.save(using=using)
            continue
        size = max(1, connection.ops.bulk_batch_size(fields, objects))
        for start in range(0, len(objects), size):
            # Raw: the values as they were, "created" and "updated" too; no signals, so no history is written.
            model._base_manager.using(using)._insert(  # type: ignore[attr-defined]
                objects[start:start + size], fields=fields, raw=True)
    return count


def restore(path: str | os.PathLike[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Load the archive into this installation, which must be empty and migrated as the backup's was.
    Everything in one transaction: a failure leaves the installation as empty as it was."""
    connection = connections[using]
    ContentType.objects.clear_cache()  # the ids of this installation's content types, not of an earlier one
    with zipfile.ZipFile(path) as archive:
        manifest = read_manifest(archive)
        check_migrations(manifest, using)
        names = {name.split("-", 1)[1][:-len(".jsonl")]: name
                 for name in archive.namelist() if name.startswith("data/")}
        known = {model._meta.label_lower: model for model in backed_up_models()}
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise BackupError("The backup has rows of models this installation does not have: {}.".format(
                ", ".join(unknown)))
        loaded: list[type[models.Model]] = []
        with transaction.atomic(using=using):
            check_empty(manifest, using)
            with connection.constraint_checks_disabled():
                for label in manifest["models"]:
                    if label not in names:
                        continue
                    model = known[label]
                    count = _load(archive, names[label], model, using)
                    if count != manifest["counts"].get(label):
                        raise BackupError("{} holds {} rows, and the manifest says {}: the archive is damaged.".format(
                            names[label], count, manifest["counts"].get(label)))
                    loaded.append(model)
            # Every reference must point at a row, as it did when the backup was made.
            connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
            statements = connection.ops.sequence_reset_sql(no_style(), loaded)
            if statements:
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)
            _restore_media(archive, manifest)
    ContentType.objects.clear_cache()
    return manifest


def _restore_media(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    if not manifest.get("media"):
        return
    if not settings.MEDIA_ROOT:
        raise BackupError("The backup has uploaded files; set MEDIA_ROOT to where they should go.")
    root = Path(settings.MEDIA_ROOT).resolve()
    for name in manifest["media"]:
        target = (root / name).resolve()
        if root not in target.parents:
            raise BackupError(f"The backup names a file outside MEDIA_ROOT: {name}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open("media/" + name) as source, open(target, "wb") as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
