"""Who may write what an import writes: the importer asks ``may_write`` before every write, and ``why_not``
for the message when the answer is no. Both ask the one permission policy (``udsyn.core.policy``).
``user`` None is the command line's operator, who may write everything.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from udsyn.core.policy import EDITOR, READER, actor, allows
from udsyn.core.usage import municipality_of

ACTIONS = ("add", "change", "delete")


def may_write(user: Any, obj: models.Model | type[models.Model], action: str) -> bool:
    """May the user ``add``, ``change`` or ``delete`` this record (as it is given: a new or changed record
    with its new values) or, given a model, records of that kind at all?"""
    assert action in ACTIONS
    if user is None:
        return True
    return allows(user, action, obj)


def why_not(user: Any, obj: models.Model, action: str) -> str:
    """Why the user may not write this record, for the import's list of problems."""
    kind = obj._meta.verbose_name
    verb = {"add": _("create"), "change": _("change"), "delete": _("delete")}[action]
    who = actor(user)
    if who.kind == READER:
        return _("Readers may not change the registry, so this {kind} cannot be written.").format(kind=kind)
    owner = municipality_of(obj)
    if owner is not None and who.municipality_id is not None and owner.pk != who.municipality_id:
        return _("You may {verb} only your own municipality's records; this {kind} belongs to {municipality}.").format(
            verb=verb, kind=kind, municipality=f"{owner.name} ({owner.code})")
    if who.kind == EDITOR:
        return _("A department editor may not {verb} this {kind}: it is not one of your department's.").format(
            verb=verb, kind=kind)
    return _("You may not {verb} this {kind}.").format(verb=verb, kind=kind)
