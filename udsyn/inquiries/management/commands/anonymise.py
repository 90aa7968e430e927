"""``udsyn anonymise``: remove the requester details of inquiries finished longer ago than
``UDSYN_ANONYMISE_INQUIRIES_MONTHS`` (run daily, e.g. from a systemd timer; see docs/privacy.md)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from udsyn.inquiries.personal import anonymise_closed_inquiries, due_for_anonymising


class Command(BaseCommand):
    help = ("Anonymise the requester details (name, e-mail, messages) of inquiries held, declined or closed "
            "more than UDSYN_ANONYMISE_INQUIRIES_MONTHS months ago (default 24), in the inquiries and their history.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count the inquiries due.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        months = settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS
        if dry_run:
            self.stdout.write(f"{due_for_anonymising().count()} inquiries are due for anonymising ({months} months).")
            return
        count = anonymise_closed_inquiries()
        self.stdout.write(f"Anonymised {count} inquiries finished more than {months} months ago.")
