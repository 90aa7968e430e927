"""``udsyn import PATH [PATH ...] [--dry-run] [--table NAME] [--create-themes] [--user NAME]``: load registry
files or tables, all or nothing.

A path is read by its kind: a registry file in Udsyn's YAML format (docs/import-format.md), or tables as
CSV, a zip of CSV files, an Excel workbook, JSON or YAML (docs/tables.md). The check (``--dry-run``) lists
what would change field by field and warns of text that would be emptied or shortened.
"""

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from udsyn.core.exchange.importer import ImportResult, import_files
from udsyn.interop import tabular

SHOWN_CHANGES = 200


class Command(BaseCommand):
    help = (
        "Import registry files (YAML, docs/import-format.md) or tables (CSV, zip of CSV, XLSX, JSON, YAML; "
        "docs/tables.md). Everything given is imported in one transaction: if anything has a problem, "
        "nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="The files to import.")
        parser.add_argument(
            "--dry-run", action="store_true",
            help="Check the files, count the changes and list them field by field; write nothing.",
        )
        parser.add_argument(
            "--table", default="", choices=["", *tabular.by_name()],
            help="The table a CSV, JSON or YAML file holds, when its name does not say (e.g. engagements).",
        )
        parser.add_argument(
            "--create-themes", action="store_true",
            help="Create the themes engagements name that do not exist yet (without it, they are problems).",
        )
        parser.add_argument(
            "--user", default="",
            help="Import as this user (username): the import may then write only what the user may write, "
                 "and the history names the user.",
        )

    def handle(self, *args: Any, paths: list[Path], dry_run: bool, table: str, create_themes: bool = False,
               user: str = "", **options: Any) -> None:
        importer = self._user(user)
        files = [(str(path), self._read(path)) for path in paths]
        registry_files = [f for f in files if tabular.is_registry_file(*f)]
        if registry_files and len(registry_files) < len(files):
            raise CommandError(_("Import registry files and tables separately."))
        if registry_files:
            result = import_files(files, dry_run=dry_run, create_themes=create_themes, user=importer)
        else:
            result = self._tables(files, table, dry_run, create_themes, importer)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"{problem.filename}: {problem}" if problem.filename else str(problem))
            count = len(result.problems)
            raise CommandError(ngettext(
                "{count} problem; nothing was written.", "{count} problems; nothing was written.", count
            ).format(count=count))
        self._summary(result)
        if result.new_themes:
            self.stdout.write(_("New themes: {names}").format(names=", ".join(sorted(result.new_themes))))
        for warning in result.near_duplicates:
            self.stdout.write(_("Possible duplicate: {warning}").format(warning=warning))
        if dry_run:
            self._changes(result)
            self.stdout.write(_("Dry run: the files are valid; nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported {files}.").format(files=", ".join(f for f, _t in files))))

    def _user(self, username: str) -> Any:
        if not username:
            return None
        found = get_user_model()._default_manager.filter(username=username).first()
        if found is None:
            raise CommandError(_('No user "{name}".').format(name=username))
        return found

    def _tables(self, files: list[tuple[str, bytes]], table: str, dry_run: bool, create_themes: bool,
                user: Any) -> ImportResult:
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

        return tabular.import_tables(sheets, dry_run=dry_run, progress=progress, create_themes=create_themes,
                                     user=user)

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

    def _changes(self, result: ImportResult) -> None:
        """What the updates change, field by field, the emptied and shortened texts first."""
        if not result.changes:
            return
        flagged = result.flagged
        if flagged:
            self.stdout.write(self.style.WARNING(ngettext(
                "Warning: {count} change empties or shortens existing text:",
                "Warning: {count} changes empty or shorten existing text:", len(flagged)).format(count=len(flagged))))
            for change in flagged[:SHOWN_CHANGES]:
                self.stdout.write("  " + str(change))
        self.stdout.write(_("Changes:"))
        for change in result.changes[:SHOWN_CHANGES]:
            self.stdout.write("  " + str(change))
        if len(result.changes) > SHOWN_CHANGES:
            self.stdout.write(_("  … and {count} more").format(count=len(result.changes) - SHOWN_CHANGES))
