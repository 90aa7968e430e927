"""``udsyn report --municipality CODE --format html|pdf|docx --lang da|en -o FILE``: the mapping report."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from udsyn.organisation.models import Department, Municipality
from udsyn.reports.render import FORMATS, make


class Command(BaseCommand):
    help = "Write the mapping report of a municipality (or one of its departments) from the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="Official municipality code, e.g. 0101.")
        parser.add_argument("--department", help="A department's short code, e.g. TMF, for its own report.")
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="pdf")
        parser.add_argument("--lang", choices=["da", "en"], default="da")
        parser.add_argument("--since", type=int, help="First year of the funding headline (default: as stated).")
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: a name of its own).")

    def handle(self, *args: Any, municipality: str, department: str | None, fmt: str, lang: str,
               since: int | None, output: Path | None, **options: Any) -> None:
        code = municipality.zfill(4)
        found = Municipality.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"No municipality with code {code}; load it with `udsyn import` first.")
        dept = None
        if department:
            dept = Department.objects.filter(municipality=found, code__iexact=department).first()
            if dept is None:
                codes = ", ".join(found.departments.order_by("code").values_list("code", flat=True))
                raise CommandError(f"{found.name} has no department {department!r}; it has {codes}.")

        def progress(percent: int, message: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{percent:3d}% {message}")

        made = make(found, fmt, lang, dept, since, progress)
        target = output or Path(made.filename)
        target.write_bytes(made.data)
        self.stdout.write(f"{target} ({len(made.data) // 1024} KB)")
