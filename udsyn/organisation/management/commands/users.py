"""``udsyn users list|add|set-role|deactivate``: administer users and roles from scripts, through the same
actions as the users page (udsyn/organisation/accounts.py). Whoever runs it has the installation's shell
and acts as an administrator; the role's history says "command line".

    udsyn users list [--municipality 0101]
    udsyn users add NAME --email a@b.dk --role editor --municipality 0101 --department TMF --department ØKF
                        [--password-env VAR | --invite]
    udsyn users set-role NAME --role coordinator --municipality 0101
    udsyn users deactivate NAME [--reactivate]
"""

import os
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from udsyn.organisation import accounts
from udsyn.organisation.models import Department, Municipality, Role

KINDS = ", ".join(Role.Kind.values)


def _role_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--role", required=True, help=f"One of: {KINDS}.")
    parser.add_argument("--municipality", default="", help="The municipality's code, e.g. 0101.")
    parser.add_argument("--department", action="append", default=[],
                        help="A department's short code (editors; repeat for several, the first is the main one).")


class Command(BaseCommand):
    help = "List users, add one, set a user's role, or deactivate an account."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="command", metavar="list|add|set-role|deactivate")
        commands.required = True
        listing = commands.add_parser("list", help="List users with role, departments, active flag, last login.")
        listing.add_argument("--municipality", default="", help="Only this municipality's users (its code).")
        add = commands.add_parser("add", help="Add a user with a role, or invite them by e-mail.")
        add.add_argument("username")
        add.add_argument("--email", default="")
        _role_arguments(add)
        how = add.add_mutually_exclusive_group()
        how.add_argument("--password-env", default="", metavar="VAR",
                         help="Take the password from this environment variable (none: the user cannot log in "
                              "by password until one is set).")
        how.add_argument("--invite", action="store_true",
                         help="Send an invitation to --email instead of making the account now.")
        set_role = commands.add_parser("set-role", help="Set a user's role.")
        set_role.add_argument("username")
        _role_arguments(set_role)
        deactivate = commands.add_parser("deactivate", help="Deactivate an account (or reactivate it).")
        deactivate.add_argument("username")
        deactivate.add_argument("--reactivate", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "list":
            self.list_users(options["municipality"])
        elif command == "add":
            self.add(options)
        elif command == "set-role":
            user = self._user(options["username"])
            self._apply(lambda: accounts.do_set_role(user, None, self._spec(options)))
            self.stdout.write(f"{user.get_username()}: {self._describe(user)}")
        else:
            user = self._user(options["username"])
            action = accounts.do_reactivate if options["reactivate"] else accounts.do_deactivate
            self._apply(lambda: action(user, None))
            state = "active" if options["reactivate"] else "deactivated"
            self.stdout.write(f"{user.get_username()}: {state}")

    # -- helpers --

    def _apply(self, action: Any) -> Any:
        try:
            return action()
        except accounts.AccountError as error:
            raise CommandError(f"--{error.field.replace('_', '-')}: {error.message}" if error.field
                               else error.message) from None

    def _user(self, username: str) -> Any:
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r} (see: udsyn users list).")
        return user

    def _municipality(self, code: str) -> Municipality | None:
        if not code:
            return None
        found = Municipality.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"--municipality: no municipality has the code {code!r}.")
        return found

    def _spec(self, options: dict[str, Any]) -> accounts.RoleSpec:
        kind = options["role"]
        if kind not in Role.Kind.values:
            raise CommandError(f"--role: {kind!r} is not a role; use one of: {KINDS}.")
        municipality = self._municipality(options["municipality"])
        departments = []
        for code in options["department"]:
            if municipality is None:
                raise CommandError("--department needs --municipality (department codes repeat across municipalities).")
            found = Department.objects.filter(municipality=municipality, code=code).first()
            if found is None:
                known = ", ".join(Department.objects.filter(municipality=municipality).values_list("code", flat=True))
                raise CommandError(f"--department: {municipality.name} has no department {code!r} (it has: {known}).")
            departments.append(found)
        if kind == Role.Kind.EDITOR and not departments:
            raise CommandError("--department: a department editor needs at least one department.")
        return accounts.RoleSpec(kind, municipality, departments[0] if departments else None, tuple(departments[1:]))

    def _describe(self, user: Any) -> str:
        role = Role.objects.filter(user=user).select_related("municipality").first()
        if role is None:
            return "administrator (superuser)" if user.is_superuser else "no role"
        parts = [str(role.get_kind_display())]
        if role.municipality:
            parts.append(role.municipality.name)
        departments = accounts.names(accounts.departments_of(role))
        if departments:
            parts.append(departments)
        return ", ".join(parts)

    def list_users(self, code: str) -> None:
        municipality = self._municipality(code)
        users = get_user_model()._default_manager.order_by("username")
        if municipality is not None:
            users = users.filter(udsyn_role__municipality=municipality)
        for user in users:
            self.stdout.write("{:<24} {:<32} {:<6} {:<17} {}".format(
                user.get_username(), user.email or "-", "active" if user.is_active else "off",
                user.last_login.strftime("%Y-%m-%d %H:%M") if user.last_login else "never", self._describe(user)))

    def add(self, options: dict[str, Any]) -> None:
        spec = self._spec(options)
        if options["invite"]:
            if not options["email"]:
                raise CommandError("--invite needs --email.")
            invitation, link = self._apply(lambda: accounts.do_invite(None, options["email"], spec))
            self.stdout.write(f"Invited {invitation.email}: {link}")
            return
        User = get_user_model()
        username = options["username"]
        if User._default_manager.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} exists already; use set-role.")
        password = None
        if options["password_env"]:
            password = os.environ.get(options["password_env"])
            if not password:
                raise CommandError(f"--password-env: the environment variable {options['password_env']} is empty.")
            try:
                validate_password(password, User(username=username, email=options["email"]))
            except ValidationError as error:
                raise CommandError("--password-env: " + " ".join(error.messages)) from None
        with transaction.atomic():
            user = User(username=username, email=options["email"])
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            self._apply(lambda: accounts.do_set_role(user, None, spec))
        self.stdout.write(f"Added {username}: {self._describe(user)}")
