"""``udsyn privacy export|erase (--person ID | --email ADDRESS)``: the personal data held on one person,
exported as a JSON file or erased (replaced by "deleted person", history included); see docs/privacy.md."""

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from udsyn.organisation import personal
from udsyn.organisation.models import Person


class Command(BaseCommand):
    help = ("Export (to a JSON file) or erase the personal data held on a person: a person record (--person), "
            "or anyone known by an e-mail address (--email): user accounts and inquiry requesters.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--person", type=int, help="The id of a person record (in its address: /people/ID/).")
        who.add_argument("--email", help="An e-mail address: user accounts and inquiries sent from it.")
        parser.add_argument("--output", "-o", default="-", help="export: the file to write (default: standard output).")
        parser.add_argument("--user", default="", help="Act as this user (username): their permissions apply and "
                                                        "the history names them. Default: the operator, unchecked.")
        parser.add_argument("--yes", action="store_true",
                            help="erase: do it (without it, only what would be erased is listed).")

    def handle(self, *args: Any, action: str, person: int | None, email: str | None, output: str, user: str,
               yes: bool, **options: Any) -> None:
        actor = None
        if user:
            actor = get_user_model()._default_manager.filter(username=user).first()
            if actor is None:
                raise CommandError(f'No user "{user}".')
        record = None
        if person is not None:
            record = Person.objects.filter(pk=person).first()
            if record is None:
                raise CommandError(f"No person with id {person}.")
        subject = personal.subject_of(record) if record else personal.subject_for_email(email or "")
        try:
            if action == "export":
                data = personal.export_person(record, actor) if record else personal.export_file(subject, actor)
                if output == "-":
                    sys.stdout.buffer.write(data + b"\n")
                else:
                    with open(output, "wb") as out:
                        out.write(data)
                    self.stdout.write(f"Wrote {output}.")
                return
            found = personal.personal.find(subject, actor)
            for held in found:
                self.stdout.write(f"{held.label}: {len(held.records)}")
            if not yes:
                self.stdout.write("Nothing erased: add --yes to erase it.")
                return
            erased = (personal.do_erase_person(record, actor) if record
                      else personal.do_erase_subject(subject, actor))
        except PermissionDenied as error:
            raise CommandError(f"Not allowed: {error or 'the user may not handle the data of this person.'}") from error
        done = ", ".join(f"{n} {key}" for key, n in erased.items()) or "nothing"
        self.stdout.write(f"Erased: {done}.")
