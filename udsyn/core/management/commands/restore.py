"""``udsyn restore FILE``: load an archive made by ``udsyn backup`` into an empty, migrated installation."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from udsyn.core import backup


class Command(BaseCommand):
    help = ("Load a backup made by `udsyn backup` into an empty installation (run `udsyn migrate` on a new "
            "database first). Refuses an installation with data, and a backup of another format version or "
            "with other migrations. All or nothing: one transaction.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The archive written by `udsyn backup`.")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            manifest = backup.restore(file)
        except (backup.BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Restored {}: {} rows of {} models, {} uploaded files, backed up {}.".format(
            file, sum(manifest["counts"].values()), len(manifest["counts"]), len(manifest["media"]),
            manifest["created"]))
