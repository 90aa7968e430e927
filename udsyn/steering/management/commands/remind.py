"""``udsyn remind [--dry-run]``: the daily steering run, by hand (the workers run it daily by themselves:
``udsyn.steering.tasks``). Computed indicators record their value when their publication period has passed,
then the reminders that are due are queued for a worker to send."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from udsyn.steering.observe import observe
from udsyn.steering.reminders import send


class Command(BaseCommand):
    help = ("Run once a day: records the values of computed indicators that are due, then e-mails reminders "
            "of reviews falling due, late indicators and frameworks due for revision.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="List the values to record and the reminders to send; store and send nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        prefix = "(dry run) " if dry_run else ""
        for recorded in observe(dry_run=dry_run):
            self.stdout.write(f"{prefix}{recorded.indicator.municipality.code} {recorded.indicator.name}: "
                              f"{recorded.value} on {recorded.date.isoformat()}")
        for message in send(dry_run=dry_run):
            self.stdout.write(f"{prefix}{', '.join(message.recipients)}: {message.subject}")
