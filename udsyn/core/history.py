"""Reading and restoring the change history kept by django-simple-history."""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One save as a user sees it. Saving a form writes several history rows (one for the record, one per
    changed many-to-many relation); rows of one user within a few seconds form one entry."""

    record: Any  # the newest row of the save
    kind: str  # "+", "~" or "-"
    changes: list[FieldChange]
    reason: str = ""

    @property
    def summary(self) -> str:
        if self.kind == "+":
            return _("Created")
        if self.kind == "-":
            return _("Deleted")
        if not self.changes:
            return _("Saved without changes")
        return _("Changed {fields}").format(fields=", ".join(c.field for c in self.changes))


SAME_SAVE_SECONDS = 5


def _label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field may no longer exist
        return name
    return str(getattr(field, "verbose_name", name))


def _render(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        return str(value)
    if isinstance(field, models.ManyToManyField):
        related = field.related_model
        ids = [row[field.m2m_reverse_field_name()] if isinstance(row, dict) else row for row in value]
        return ", ".join(str(o) for o in related._default_manager.filter(pk__in=ids)) or "—"  # type: ignore[union-attr]
    if field.is_relation and field.related_model is not None:
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else f"#{value}"
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


def entries(history: Any, model: type[models.Model], limit: int | None = None) -> list[HistoryEntry]:
    """Newest first, each with its field-by-field changes against the state before it."""
    newest_first = history.select_related("history_user").order_by("-history_date", "-history_id")
    rows = list(reversed(newest_first[: (limit + 1) * 12] if limit else newest_first))
    groups: list[list[Any]] = []
    for row in rows:
        if groups and _same_save(groups[-1], row):
            groups[-1].append(row)
        else:
            groups.append([row])
    result = []
    for i, group in enumerate(groups):
        first, last = group[0], group[-1]
        kind = "+" if first.history_type == "+" else last.history_type
        if kind == "~":
            before = groups[i - 1][-1] if i else first.prev_record
            changes = _diff(model, last, before) if before is not None else []
        elif kind == "+":
            changes = _initial(model, last)
        else:
            changes = []
        reason = next((r.history_change_reason for r in group if r.history_change_reason), "")
        result.append(HistoryEntry(record=last, kind=kind, changes=changes, reason=reason))
    result.reverse()
    return result[:limit] if limit else result


def _same_save(group: list[Any], row: Any) -> bool:
    last = group[-1]
    return (
        row.history_type == "~" and last.history_type != "-"
        and row.history_user_id == last.history_user_id
        and (row.history_date - last.history_date).total_seconds() <= SAME_SAVE_SECONDS
    )


def _diff(model: type[models.Model], new: Any, old: Any) -> list[FieldChange]:
    return [
        FieldChange(field=_label(model, change.field), old=_render(model, change.field, change.old),
                    new=_render(model, change.field, change.new))
        for change in new.diff_against(old).changes
        if change.field not in {"updated", "created", "version"}
    ]


def _initial(model: type[models.Model], record: Any) -> list[FieldChange]:
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in {"id", "created", "updated", "version"}:
            continue
        value = getattr(record, field.attname, None)
        if value not in (None, "", [], False):
            changes.append(FieldChange(field=str(field.verbose_name), old="", new=_render(model, field.name, value)))
    return changes


def deleted_records(model: type[models.Model]) -> list[Any]:
    """The last history row of each record of ``model`` that was deleted and not restored."""
    history = model.history  # type: ignore[attr-defined]
    existing = model._default_manager.values("pk")
    latest: dict[int, Any] = {}
    for record in (
        history.filter(history_type="-").exclude(id__in=existing).select_related("history_user")
        .order_by("history_date")
    ):
        latest[record.id] = record
    return sorted(latest.values(), key=lambda r: r.history_date, reverse=True)


@transaction.atomic
def restore(record: Any, user: Any) -> models.Model:
    """Bring a deleted record back as it was when deleted, with its many-to-many relations."""
    model = record.instance_type
    if model._default_manager.filter(pk=record.id).exists():
        raise ValueError(_("This record exists; there is nothing to restore."))
    # The state just before deletion is kept on the deletion row itself.
    instance = record.instance
    instance._history_user = user
    instance._change_reason = _("Restored from history")
    instance.save(force_insert=True)
    # Django removes many-to-many rows before the deletion is recorded: take them from the row before.
    source = record.prev_record or record
    for field in model._meta.many_to_many:
        through_rows = getattr(source, field.name, None)
        if through_rows is None or not hasattr(through_rows, "all"):
            continue
        ids = [getattr(row, field.m2m_reverse_field_name() + "_id") for row in through_rows.all()]
        related = field.related_model._default_manager.filter(pk__in=ids)  # type: ignore[union-attr]
        getattr(instance, field.name).set(related)
    return instance
