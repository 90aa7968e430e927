"""Who may do what. Checked where data is read and written, not only on buttons.

- administrator (or superuser): everything.
- coordinator: every record of their municipality, and the shared reference records.
- department editor: creates and edits only engagements and funding their department leads or joins,
  and the shared reference records (organisations, cities, themes, programmes).
- reader: reads.
Every signed-in user may read the whole registry; anonymous visitors see none of it.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from udsyn.organisation.models import Role

SHARED_MODELS = {
    "engagements.externalorganisation",
    "engagements.city",
    "engagements.theme",
    "engagements.fundingprogramme",
}
INSTALLATION_MODELS = {"organisation.municipality", "organisation.region"}
DEPARTMENT_SCOPED = {"engagements.engagement", "engagements.funding"}

User = Any


def role_of(user: User) -> Role | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_udsyn_role"):
        user._udsyn_role = Role.objects.filter(user=user).select_related("department", "municipality").first()
    role: Role | None = user._udsyn_role
    return role


def is_admin(user: User) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    role = role_of(user)
    return bool(user.is_superuser or (role and role.kind == Role.Kind.ADMINISTRATOR))


def kind_of(user: User) -> str:
    if is_admin(user):
        return Role.Kind.ADMINISTRATOR
    role = role_of(user)
    return role.kind if role else Role.Kind.READER


def home_municipality_id(user: User) -> int | None:
    role = role_of(user)
    return role.municipality_id if role else None


def coordinates(user: User, municipality_id: int | None) -> bool:
    """Administrators, and the coordinators of that municipality: they steer it as a whole."""
    if is_admin(user):
        return True
    role = role_of(user)
    return bool(role and role.kind == Role.Kind.COORDINATOR and municipality_id is not None
                and role.municipality_id == municipality_id)


def editor_department(user: User) -> Any:
    """The department a department editor works in; None for everyone else (they see all departments)."""
    role = role_of(user)
    if role is not None and kind_of(user) == Role.Kind.EDITOR:
        return role.department
    return None


def _key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def municipality_id_of(obj: models.Model) -> int | None:
    """The municipality a record belongs to, following its parent where it has none itself."""
    for path in ("municipality_id", "department.municipality_id", "engagement.municipality_id",
                 "strategy.municipality_id"):
        value: Any = obj
        for attr in path.split("."):
            value = getattr(value, attr, None)
            if value is None:
                break
        if value is not None:
            return value
    if _key(type(obj)) == "organisation.municipality":
        return obj.pk
    return None


def can_create(user: User, model: type[models.Model]) -> bool:
    kind = kind_of(user)
    if kind == Role.Kind.ADMINISTRATOR:
        return True
    key = _key(model)
    if key in INSTALLATION_MODELS or kind == Role.Kind.READER:
        return False
    if kind == Role.Kind.COORDINATOR:
        return True
    return key in SHARED_MODELS or key in DEPARTMENT_SCOPED or key in {
        "engagements.representative", "engagements.engagementlink"
    }


def can_edit(user: User, obj: models.Model) -> bool:
    """May the user change (or delete) this record, as it stands?"""
    kind = kind_of(user)
    if kind == Role.Kind.ADMINISTRATOR:
        return True
    if kind == Role.Kind.READER:
        return False
    key = _key(type(obj))
    if key in INSTALLATION_MODELS:
        return False
    if key in SHARED_MODELS:
        return True
    role = role_of(user)
    assert role is not None
    if municipality_id_of(obj) != role.municipality_id:
        return False
    if kind == Role.Kind.COORDINATOR:
        return True
    # Department editor.
    return role.department_id in department_ids_of(obj)


def department_ids_of(obj: models.Model) -> set[int]:
    key = _key(type(obj))
    if key == "engagements.engagement":
        pending = getattr(obj, "_pending_department_ids", None)
        if pending is not None:
            return {obj.lead_department_id, *pending}  # type: ignore[attr-defined]
        if obj.pk is None:
            return {obj.lead_department_id}  # type: ignore[attr-defined]
        return obj.department_ids()  # type: ignore[attr-defined]
    if key == "engagements.funding":
        return {obj.department_id}  # type: ignore[attr-defined]
    if key in {"engagements.representative", "engagements.engagementlink"}:
        return department_ids_of(obj.engagement)  # type: ignore[attr-defined]
    return set()


def editable_engagements(user: User, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The engagements of ``queryset`` this user may change."""
    kind = kind_of(user)
    if kind == Role.Kind.ADMINISTRATOR:
        return queryset
    role = role_of(user)
    if kind == Role.Kind.READER or role is None:
        return queryset.none()
    queryset = queryset.filter(municipality_id=role.municipality_id)
    if kind == Role.Kind.COORDINATOR or role.department_id is None:
        return queryset
    return queryset.filter(
        models.Q(lead_department_id=role.department_id) | models.Q(participating_departments=role.department_id)
    ).distinct()


def editable_departments(user: User) -> models.QuerySet[Any]:
    """Departments the user may name on an engagement or a funding line they edit."""
    from udsyn.organisation.models import Department

    kind = kind_of(user)
    qs = Department.objects.select_related("municipality")
    if kind == Role.Kind.ADMINISTRATOR:
        return qs
    role = role_of(user)
    if role is None or kind == Role.Kind.READER:
        return qs.none()
    return qs.filter(municipality=role.municipality)


def is_anonymous(user: User) -> bool:
    return isinstance(user, AnonymousUser) or not getattr(user, "is_authenticated", False)
