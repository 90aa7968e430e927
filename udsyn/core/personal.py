"""Personal data held on one person, found, exported and erased across the apps that hold it (the rights of
access and erasure of the GDPR, articles 15 and 17).

Each app registers a *holder* for the personal data it keeps (the organisation app its people and user
accounts, the inquiries app its requesters, …): ``find`` lists what it holds on a subject, as plain data for
the export, and ``erase`` replaces it with "deleted person", in the records and in their history. The kernel
knows no app; ``udsyn.organisation.personal`` runs the holders for a person.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Subject:
    """Whom the data is about: a person record (optional), names, and the e-mail addresses that identify them."""

    name: str
    emails: frozenset[str] = frozenset()
    person_id: int | None = None
    municipality_id: int | None = None


@dataclass
class Held:
    """What one holder keeps on the subject: records as plain data, and whether the user may erase them."""

    label: str
    records: list[dict[str, Any]] = field(default_factory=list)
    erasable: bool = True
    note: str = ""


@dataclass(frozen=True)
class Holder:
    key: str
    find: Callable[[Subject, Any], Held | None]  # (subject, user) -> None when it holds nothing on them
    erase: Callable[[Subject, Any, str], int] | None = None  # (subject, user, replacement) -> records erased
    order: int = 100


_holders: dict[str, Holder] = {}


def register(holder: Holder) -> None:
    _holders[holder.key] = holder


def holders() -> list[Holder]:
    return sorted(_holders.values(), key=lambda holder: (holder.order, holder.key))


def deleted_person() -> str:
    """What replaces an erased name, in the installation's language (the records are not per language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Deleted person")


def find(subject: Subject, user: Any) -> list[Held]:
    return [held for holder in holders() if (held := holder.find(subject, user)) is not None and held.records]


def plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def record(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a record, labelled with their verbose names, plus its type and id."""
    data: dict[str, Any] = {_("record type"): str(obj._meta.verbose_name), "id": obj.pk}
    for name in names:
        model_field = obj._meta.get_field(name)
        label = str(getattr(model_field, "verbose_name", name))
        shown = getattr(obj, f"get_{name}_display", None) if getattr(model_field, "choices", None) else None
        data[label] = plain(shown() if shown else getattr(obj, name))
    return data


def history_of(model: type[models.Model], pk: Any, names: Iterable[str]) -> list[dict[str, Any]]:
    """The rows of a record's history (django-simple-history), oldest first, with the named fields."""
    names = list(names)
    rows = model.history.model.objects.filter(**{model._meta.pk.attname: pk}).order_by("history_date")  # type: ignore[attr-defined]
    return [{"when": plain(row.history_date), "change": row.get_history_type_display(),
             "by": str(row.history_user) if row.history_user_id else "",
             **{name: plain(getattr(row, name)) for name in names}} for row in rows]


def erase_history(model: type[models.Model], pks: Iterable[Any], values: dict[str, Any]) -> int:
    """Put the erased values in every history row of the records: the old values are gone from the history too."""
    history = model.history.model  # type: ignore[attr-defined]
    present = {f.name for f in history._meta.concrete_fields}
    return int(history.objects.filter(**{model._meta.pk.attname + "__in": list(pks)}).update(
        **{name: value for name, value in values.items() if name in present}))


def erase_in_change_reasons(names: Iterable[str], replacement: str) -> int:
    """Replace a name quoted in the reasons of history rows (“Person “Mette Hansen” deleted”, written on the
    records that were linked to it) in every history table."""
    from django.apps import apps
    from django.db.models import Value
    from django.db.models.functions import Replace

    count = 0
    for model in apps.get_models():
        if not any(f.name == "history_change_reason" for f in model._meta.concrete_fields):
            continue
        for name in {n for n in names if n}:
            quoted = f"“{name}”"
            count += model._default_manager.filter(history_change_reason__contains=quoted).update(
                history_change_reason=Replace("history_change_reason", Value(quoted), Value(f"“{replacement}”")))
    return count


def erase_in_admin_log(model: type[models.Model], pk: Any, replacement: str) -> None:
    """The Django admin's log names the records changed through it."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id=str(pk)).update(
        object_repr=replacement)
