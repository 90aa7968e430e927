"""``udsyn generate``: fill the database with a realistic national data set, for benchmarks."""

import datetime
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from udsyn.generate.generator import Generator
from udsyn.organisation.models import Municipality

REFERENCE = Path(settings.BASE_DIR).parent / "data" / "reference" / "dk-municipalities.yaml"


class Command(BaseCommand):
    help = (
        "Fill the municipalities that keep no registry yet with generated engagements, inquiries and the rest, "
        "drawn from real names; the same --seed gives the same data. For measuring speed, not for production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipalities", type=int, default=98,
                            help="How many municipalities to fill (those without a registry, by code).")
        parser.add_argument("--engagements", type=int, default=300, help="Engagements per municipality.")
        parser.add_argument("--inquiries", type=int, default=1000, help="Inquiries per municipality.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                            help="The day dates are drawn around (YYYY-MM-DD; default today).")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("municipalities", "engagements", "inquiries"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if Municipality.objects.count() < 98:
            if not REFERENCE.exists():
                raise CommandError("Import Denmark's municipalities first: udsyn import dk-municipalities.yaml")
            call_command("import", str(REFERENCE), verbosity=0, stdout=io.StringIO())
        verbose = options["verbosity"] > 0

        def progress(message: str) -> None:
            if verbose:
                self.stderr.write(f"\r{message:<60}", ending="")

        generator = Generator(seed=options["seed"], engagements=options["engagements"],
                              inquiries=options["inquiries"], today=options["today"], progress=progress)
        counts = generator.run(options["municipalities"])
        if verbose:
            self.stderr.write("")
        self.stdout.write(
            f"Generated {counts.municipalities} municipalities, {counts.engagements} engagements and "
            f"{counts.inquiries} inquiries ({counts.rows} rows with history and search index) "
            f"in {counts.seconds:.0f} s."
        )
