"""What refers to a record, and deleting only what nothing uses.

A record's *parts* go with it: the relations whose foreign key to it says ``CASCADE`` (an engagement's
representatives, links and goal links; a department's inquiry settings). Every other reference is a *use*
(an engagement naming a partner city, a funding line naming a programme, a person representing the
municipality): while one exists the record is not deleted, and the page lists who uses it. Foreign keys
between records are ``PROTECT`` or ``SET_NULL``, never a cascade into another record; this module refuses
even a ``SET_NULL`` reference so that nothing is silently unlinked.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.deletion import CASCADE
from django.utils.translation import gettext as _

from udsyn.core.policy import allows


@dataclass(frozen=True)
class Use:
    """One record that refers to the record in question."""

    record: models.Model
    kind: str  # e.g. "engagement"
    relation: str  # e.g. "partner cities"
    municipality: str
    department: str

    @property
    def url(self) -> str | None:
        get_url = getattr(self.record, "get_absolute_url", None)
        try:
            return str(get_url()) if get_url else None
        except Exception:  # noqa: BLE001 - a record without a page of its own
            return None


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") or model.__name__.startswith("Historical")


def _first(record: Any, paths: tuple[str, ...]) -> Any:
    for path in paths:
        value: Any = record
        for attr in path.split("."):
            value = getattr(value, attr, None)
        if value is not None:
            return value
    return None


def municipality_of(record: Any) -> Any:
    """The municipality a record belongs to, itself or through its department, engagement, inquiry,
    strategy or indicator; None for a shared record."""
    return _first(record, ("municipality", "department.municipality", "engagement.municipality",
                           "inquiry.municipality", "strategy.municipality", "indicator.municipality"))


def department_of(record: Any) -> Any:
    return _first(record, ("lead_department", "department", "engagement.lead_department",
                           "inquiry.lead_department"))


def _describe(record: Any) -> tuple[str, str]:
    """The municipality and department a referring record belongs to, as far as it says."""
    municipality, department = municipality_of(record), department_of(record)
    return (str(municipality) if municipality else "", str(department) if department else "")


def uses(obj: models.Model, limit: int = 50) -> list[Use]:
    """The records that refer to ``obj`` (at most ``limit``), its own parts left out."""
    found: list[Use] = []
    for rel in obj._meta.related_objects:
        model = rel.related_model
        if not isinstance(model, type) or _is_history(model):
            continue
        if not rel.many_to_many and getattr(rel, "on_delete", None) is CASCADE:
            continue  # a part of the record: it goes with it, and history brings it back with it
        relation = str(rel.field.verbose_name)
        rows = model._base_manager.filter(**{rel.field.name: obj})[: limit - len(found)]
        for record in rows:
            municipality, department = _describe(record)
            found.append(Use(record, str(model._meta.verbose_name), relation, municipality, department))
        if len(found) >= limit:
            break
    return found


class InUse(Exception):
    """The record is referred to and was not deleted."""

    def __init__(self, obj: models.Model, found: list[Use]) -> None:
        self.obj = obj
        self.uses = found
        super().__init__(_("“{obj}” is used by {n} other records and was not deleted.").format(
            obj=obj, n=len(found)))


class NotAllowed(PermissionDenied):
    """The user may not do this: a 403 wherever it is not caught (an action refused, nothing written)."""


def do_delete(obj: models.Model, user: Any, reason: str = "") -> None:
    """Delete a record nothing uses: checked, written in one transaction, kept in history (with its parts)
    so that it can be restored."""
    if not allows(user, "delete", obj):
        raise NotAllowed(_("You may not delete “{obj}”.").format(obj=obj))
    with transaction.atomic():
        found = uses(obj)
        if found:
            raise InUse(obj, found)
        obj._history_user = user  # type: ignore[attr-defined]  # read by simple-history
        if reason:
            obj._change_reason = reason  # type: ignore[attr-defined]
        obj.delete()
