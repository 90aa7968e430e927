"""Who may write what an import writes: one small function the importer asks before every write.

Every import path (the registry file and tables, on the web and from the command line) asks
``may_write(user, obj, action)`` before it creates, changes or deletes a record, and ``why_not`` for the
message when the answer is no. They follow ``udsyn.core.permissions`` and are the one place to repoint
when that module's rules move (``Model.objects.restrict(user, action)``). ``user`` None is the command
line's operator, who may write everything.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from udsyn.core import permissions
from udsyn.organisation.models import Municipality, Role

ACTIONS = ("add", "change", "delete")


def may_write(user: Any, obj: models.Model | type[models.Model], action: str) -> bool:
    """May the user ``add``, ``change`` or ``delete`` this record (as it is given: a new or changed record
    with its new values) or, given a model, records of that kind at all?"""
    assert action in ACTIONS
    if user is None:
        return True
    if isinstance(obj, type):
        return permissions.can_create(user, obj) if action == "add" else permissions.kind_of(user) != Role.Kind.READER
    if action == "add" and not permissions.can_create(user, type(obj)):
        return False
    return permissions.can_edit(user, obj)


def why_not(user: Any, obj: models.Model, action: str) -> str:
    """Why the user may not write this record, for the import's list of problems."""
    kind = obj._meta.verbose_name
    verb = {"add": _("create"), "change": _("change"), "delete": _("delete")}[action]
    role = permissions.role_of(user)
    user_kind = permissions.kind_of(user)
    if user_kind == Role.Kind.READER:
        return _("Readers may not change the registry, so this {kind} cannot be written.").format(kind=kind)
    owner_id = permissions.municipality_id_of(obj)
    if role is not None and owner_id is not None and owner_id != role.municipality_id:
        owner = Municipality.objects.filter(pk=owner_id).first()
        return _("You may {verb} only your own municipality's records; this {kind} belongs to {municipality}.").format(
            verb=verb, kind=kind, municipality=f"{owner.name} ({owner.code})" if owner else "?")
    if user_kind == Role.Kind.EDITOR:
        return _("A department editor may not {verb} this {kind}: it is not one of your department's.").format(
            verb=verb, kind=kind)
    return _("You may not {verb} this {kind}.").format(verb=verb, kind=kind)
