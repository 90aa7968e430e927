"""``udsyn import FILE [FILE ...] [--dry-run]``: load registry files (YAML), all of them or none."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from udsyn.interop.registry import ImportResult, import_files


class Command(BaseCommand):
    help = (
        "Import registry files in Udsyn's YAML format (docs/import-format.md). The files are imported in "
        "order in one transaction: if any of them has a problem, nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="The files to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the files and count the changes; write nothing."
        )

    def handle(self, *args: Any, paths: list[Path], dry_run: bool, **options: Any) -> None:
        files = [(str(path), self._read(path)) for path in paths]
        result = import_files(files, dry_run=dry_run)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"{problem.filename}: {problem}" if problem.filename else str(problem))
            count = len(result.problems)
            raise CommandError(ngettext(
                "{count} problem; nothing was written.", "{count} problems; nothing was written.", count
            ).format(count=count))
        self._summary(result)
        if dry_run:
            self.stdout.write(_("Dry run: the files are valid; nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported {files}.").format(files=", ".join(f for f, _t in files))))

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read {path}: {error}").format(path=path, error=error.strerror)) from error

    def _summary(self, result: ImportResult) -> None:
        for label, created, updated, unchanged, deleted in result.summary_rows:
            line = _("{label}: {created} created, {updated} updated, {unchanged} unchanged").format(
                label=label, created=created, updated=updated, unchanged=unchanged
            )
            if deleted:
                line += _(", {deleted} deleted").format(deleted=deleted)
            self.stdout.write(line)
