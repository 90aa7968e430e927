"""The organisation app's permission rules (municipalities, departments, people, committees, roles), and
how a user's role becomes the actor every rule is asked about."""

from typing import Any

from udsyn.core import policy as p
from udsyn.organisation.models import (
    Committee,
    Department,
    Invitation,
    Municipality,
    Person,
    Region,
    Role,
    StatedFigure,
    Unit,
)

KIND = {
    Role.Kind.ADMINISTRATOR: p.ADMIN, Role.Kind.COORDINATOR: p.COORDINATOR,
    Role.Kind.EDITOR: p.EDITOR, Role.Kind.READER: p.READER,
}


def role_of(user: Any) -> Role | None:
    """The user's role; RoleBackend loads it with the user, so this costs no query on a page."""
    if not hasattr(user, "_udsyn_role"):
        user._udsyn_role = Role.objects.filter(user=user).select_related("department", "municipality").first()
    role: Role | None = user._udsyn_role
    return role


def own_department(user: Any) -> Department | None:
    """A department editor's main department (loaded with the role); None for everyone else."""
    role = role_of(user) if p.actor(user).kind == p.EDITOR else None
    return role.department if role is not None else None


def own_departments(user: Any) -> list[Department]:
    """Every department a department editor edits, the main one first; empty for everyone else."""
    main = own_department(user)
    if main is None:
        return []
    others = Department.objects.filter(pk__in=p.actor(user).departments - {main.pk}).order_by("code")
    return [main, *others]


def load_actor(user: Any) -> p.Actor:
    role = role_of(user)
    if user.is_superuser or (role is not None and role.kind == Role.Kind.ADMINISTRATOR):
        return p.Actor(p.ADMIN, role.municipality_id if role else None, None, user.pk)
    if role is None:
        return p.Actor(p.READER, None, None, user.pk)
    return p.Actor(KIND[Role.Kind(role.kind)], role.municipality_id, role.department_id, user.pk,
                   role.department_ids())


p.register_actor_loader(load_actor)

INSTALLATION = p.Policy(view=p.EVERYONE, summary="Installation-wide: administrators only change it.")
p.register(Region, INSTALLATION)
p.register(Municipality, INSTALLATION)
p.register(Department, p.Policy(
    view=p.EVERYONE, add=p.coordinator(), change=p.coordinator(),
    summary="The municipality's coordinators."))
p.register(Unit, p.Policy(
    add=p.coordinator("department__municipality"), change=p.coordinator("department__municipality"),
    scope="department__municipality", summary="The municipality's coordinators."))
for model in (Committee, StatedFigure):
    p.register(model, p.Policy(add=p.coordinator(), change=p.coordinator(),
                               summary="The municipality's coordinators."))
# "erase": export and erase the personal data held on a person (udsyn.organisation.personal).
# People are personal data: read only within their municipality (need-to-know; docs/permissions.md).
p.register(Person, p.Policy(view=p.need_to_know(), add=p.coordinator(), change=p.coordinator(),
                            extra={"erase": p.coordinator()},
                            summary="Read in their municipality only; changed by its coordinators."))
# Coordinators give, change and take away the roles of their municipality, but never an administrator's
# (the record as it stands and as it would be saved are both judged, so nobody is made administrator).
NOT_ADMINISTRATOR = p.OneOf("kind", (Role.Kind.COORDINATOR, Role.Kind.EDITOR, Role.Kind.READER))
MANAGES = p.coordinator() & NOT_ADMINISTRATOR
p.register(Role, p.Policy(
    view=p.coordinator(), add=MANAGES, change=MANAGES, delete=MANAGES,
    extra={"deactivate": MANAGES, "erase": p.coordinator()},
    summary="Coordinators give their municipality's roles, except administrator; administrators all."))
p.register(Invitation, p.Policy(
    view=p.coordinator(), add=MANAGES, change=MANAGES,
    summary="Coordinators invite to their municipality, except as administrator; administrators anywhere."))
