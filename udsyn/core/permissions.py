"""Names the importer's views still use, answered by the one policy in ``udsyn.core.policy``."""

from typing import Any

from django.db import models

from udsyn.core.policy import ADMIN, actor, allows


def role_of(user: Any) -> Any:
    """The user's role record (loaded with the actor), or None."""
    actor(user)
    return getattr(user, "_udsyn_role", None)


def kind_of(user: Any) -> str:
    return actor(user).kind


def is_admin(user: Any) -> bool:
    return actor(user).kind == ADMIN


def can_create(user: Any, model: type[models.Model]) -> bool:
    return allows(user, "add", model)


def can_edit(user: Any, obj: models.Model) -> bool:
    return allows(user, "add" if obj.pk is None else "change", obj)
