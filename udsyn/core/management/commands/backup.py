"""``udsyn backup FILE``: every row of every model and every uploaded file in one archive (see
``udsyn.core.backup``); restore it with ``udsyn restore FILE``."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from udsyn.core import backup


class Command(BaseCommand):
    help = ("Write the whole installation (every row, users and history included, and uploaded files) to one "
            "archive, independent of the database engine. Restore it with `udsyn restore FILE`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The archive to write, e.g. /var/backups/udsyn/udsyn-2026-12-02.zip.")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        manifest = backup.write(file)
        rows = sum(manifest["counts"].values())
        self.stdout.write("Wrote {}: {} rows of {} models, {} uploaded files (format {}, Udsyn {}).".format(
            file, rows, len(manifest["counts"]), len(manifest["media"]), manifest["format_version"],
            manifest["udsyn_version"]))
