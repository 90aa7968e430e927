"""On PostgreSQL, a trigram index on the search text, so that ``folded_text LIKE '%word%'`` (global
search and the engagement list's text filter) reads the index instead of every entry. SQLite has no
such index and keeps scanning (fast enough there: see docs/benchmarks.md)."""

from typing import Any

from django.db import migrations, transaction

INDEX = "core_searchentry_folded_text_trgm"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - without the right to create the extension, search still works
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON core_searchentry USING gin (folded_text gin_trgm_ops)")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
