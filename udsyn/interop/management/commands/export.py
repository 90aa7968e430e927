"""``udsyn export --format FORMAT -o PATH [--municipality CODE] [--internal] [--table NAME]``."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from udsyn.interop import exports
from udsyn.organisation.models import Municipality


class Command(BaseCommand):
    help = (
        "Export the registry: as tables (csv: a zip of one file per table, or one .csv with --table; xlsx; "
        "json; yaml), as a Frictionless Data Package (datapackage: a zip), or in an open standard (popolo: "
        "Popolo JSON; iati: IATI 2.03 activity XML; ics: iCalendar of events and visits). Open data unless "
        "--internal; the open standards are always open data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=exports.FORMATS)
        parser.add_argument("-o", "--output", required=True, type=Path, help="The file to write ('-' for stdout).")
        parser.add_argument("--municipality", default="", help="Only this municipality (its code, e.g. 0101).")
        parser.add_argument(
            "--internal", action="store_true",
            help="Tables with everything: people, contacts, internal notes and internal fields. Not open data.",
        )
        parser.add_argument("--table", default="", help="Only this table (tables formats), e.g. engagements.")

    def handle(self, *args: Any, format: str, output: Path, municipality: str, internal: bool, table: str,
               **options: Any) -> None:
        scope = None
        if municipality:
            scope = Municipality.objects.filter(code=municipality).first()
            if scope is None:
                raise CommandError(_("No municipality with code {code}.").format(code=municipality))
        try:
            content = exports.export(format, scope, internal=internal, table=table)
        except exports.ExportError as error:
            raise CommandError(str(error)) from error
        if str(output) == "-":
            sys.stdout.buffer.write(content)
            return
        output.write_bytes(content)
        self.stderr.write(_("Wrote {path} ({size} bytes).").format(path=output, size=len(content)))
