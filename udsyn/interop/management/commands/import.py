"""``udsyn import PATH [PATH ...] [--dry-run] [--table NAME]``: load registry files or tables, all or nothing.

A path is read by its kind: a registry file in Udsyn's YAML format (docs/import-format.md), or tables as
CSV, a zip of CSV files, an Excel workbook, JSON or YAML (docs/tables.md).
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from udsyn.interop import tabular
from udsyn.interop.registry import ImportResult, import_files


class Command(BaseCommand):
    help = (
        "Import registry files (YAML, docs/import-format.md) or tables (CSV, zip of CSV, XLSX, JSON, YAML; "
        "docs/tables.md). Everything given is imported in one transaction: if anything has a problem, "
        "nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="The files to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the files and count the changes; write nothing."
        )
        parser.add_argument(
            "--table", default="", choices=["", *tabular.BY_NAME],
            help="The table a CSV, JSON or YAML file holds, when its name does not say (e.g. engagements).",
        )

    def handle(self, *args: Any, paths: list[Path], dry_run: bool, table: str, **options: Any) -> None:
        files = [(str(path), self._read(path)) for path in paths]
        registry_files = [f for f in files if tabular.is_registry_file(*f)]
        if registry_files and len(registry_files) < len(files):
            raise CommandError(_("Import registry files and tables separately."))
        result = import_files(files, dry_run=dry_run) if registry_files else self._tables(files, table, dry_run)
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

    def _tables(self, files: list[tuple[str, bytes]], table: str, dry_run: bool) -> ImportResult:
        sheets = []
        for filename, content in files:
            try:
                sheets += tabular.read(filename, content, table)
            except tabular.Unreadable as error:
                raise CommandError(str(error)) from error
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            if total >= 1000 and (interactive or done == total):
                end = "\n" if done == total else "\r"
                self.stderr.write(_("{done} of {total} rows read").format(done=done, total=total), ending=end)

        return tabular.import_tables(sheets, dry_run=dry_run, progress=progress)

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
