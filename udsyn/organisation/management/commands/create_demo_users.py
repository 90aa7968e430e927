"""Create the demo accounts: an administrator, a coordinator for each seeded municipality, one editor per
Copenhagen department and a reader.

Only ``make demo`` runs this; nothing like these accounts exists outside the demo.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from udsyn.organisation.models import Department, Municipality, Role

DEMO_MUNICIPALITY = "0101"
# The other seeded municipalities get a coordinator each, when they are loaded.
OTHER_COORDINATORS = {"0461": "koordinator-odense", "0169": "koordinator-htk"}


class Command(BaseCommand):
    help = (
        "Create demo accounts (admin/admin, coordinators, one editor per Copenhagen department, a reader) "
        "and print them."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        municipality = Municipality.objects.filter(code=DEMO_MUNICIPALITY).first()
        if municipality is None:
            raise CommandError("Load Copenhagen's registry (data/seed/0101-koebenhavn.yaml) first.")
        rows: list[tuple[str, str, str, Municipality | None, Department | None]] = [
            ("admin", "admin", Role.Kind.ADMINISTRATOR, None, None)
        ]
        rows.append(("koordinator", "koordinator", Role.Kind.COORDINATOR, municipality, None))
        for other in Municipality.objects.filter(code__in=OTHER_COORDINATORS).order_by("code"):
            username = OTHER_COORDINATORS[other.code]
            rows.append((username, username, Role.Kind.COORDINATOR, other, None))
        for department in Department.objects.filter(municipality=municipality).order_by("code"):
            code = department.code.lower().replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
            username = "redaktoer-" + code
            rows.append((username, username, Role.Kind.EDITOR, municipality, department))
        rows.append(("laeser", "laeser", Role.Kind.READER, municipality, None))
        self.stdout.write("Demo logins (username / password):")
        for username, password, kind, mun, dept in rows:
            user, _created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = kind == Role.Kind.ADMINISTRATOR
            user.is_superuser = kind == Role.Kind.ADMINISTRATOR
            user.save()
            Role.objects.update_or_create(user=user, defaults={
                "kind": kind, "municipality": mun, "department": dept,
            })
            scope = dept.code if dept else (mun.name if mun else "")
            self.stdout.write("  {:<18} / {:<18} {}{}".format(
                username, password, Role.Kind(kind).label, f" ({scope})" if scope else ""
            ))
