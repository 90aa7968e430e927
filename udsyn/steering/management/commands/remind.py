"""``udsyn remind [--dry-run]``: send the reminders that are due (run it once a day, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from udsyn.steering.reminders import send


class Command(BaseCommand):
    help = "E-mail reminders of reviews falling due, late indicators and frameworks due for revision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; send nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        for message in send(dry_run=dry_run):
            self.stdout.write(f"{'(dry run) ' if dry_run else ''}{', '.join(message.recipients)}: {message.subject}")
