"""Reading, reverting and restoring the change history kept by django-simple-history.

A record's history page shows its own rows, its many-to-many relations (recorded by simple-history's
``m2m_fields``) as "added …"/"removed …", and the changes of its child records (an engagement's
representatives, links, goal links and funding lines) in one timeline. One save is one entry. An entry
can be reverted; the state after an entry can be restored; a deleted record is restored with the
relations it had (kept at deletion time in ``DeletedRelations``)."""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import CharField, Value
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history import utils as history_utils
from simple_history.signals import post_create_historical_record

# Never shown as changes and never restored: bookkeeping of the record itself.
EXCLUDED = {"id", "created", "updated", "version"}
SAME_SAVE_SECONDS = 5

# Child records whose changes show on their parent's history, as (model, field pointing to the parent).
# The field is a foreign key, or a many-to-many relation of the child (a funding line's engagements).
CHILDREN: dict[str, list[tuple[str, str]]] = {
    "engagements.engagement": [
        ("engagements.representative", "engagement"), ("engagements.engagementlink", "engagement"),
        ("steering.alignment", "engagement"), ("engagements.funding", "engagements"),
    ],
    "strategy.strategy": [("strategy.strategyelement", "strategy")],
}
# One item of a many-to-many relation, as in "added partner city: Trondheim".
SINGULAR = {
    "participating_departments": gettext_lazy("participating department"),
    "contributing_departments": gettext_lazy("contributing department"),
    "contacts": gettext_lazy("contact person"),
    "themes": gettext_lazy("theme"),
    "partner_organisations": gettext_lazy("partner organisation"),
    "partner_cities": gettext_lazy("partner city"),
    "departments": gettext_lazy("department"),
    "engagements": gettext_lazy("engagement"),
}


def _key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def tracked(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute") and hasattr(model, "history")


def _history_model(model: type[models.Model]) -> Any:
    return model.history.model  # type: ignore[attr-defined]


def _m2m_fields(model: type[models.Model]) -> list[Any]:
    return list(getattr(_history_model(model), "_history_m2m_fields", []))


def _fields(model: type[models.Model]) -> list[Any]:
    """The recorded fields a user may see change."""
    recorded = {f.attname for f in _history_model(model)._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.name not in EXCLUDED and f.attname in recorded]


def _singular(model: type[models.Model], name: str) -> str:
    if name in SINGULAR:
        return str(SINGULAR[name])
    related = model._meta.get_field(name).related_model
    return str(related._meta.verbose_name) if related is not None else name  # type: ignore[union-attr]


# ---- one change, one entry ------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class Step:
    """What one entry did to one record: its row before the entry (None: created in it) and its last row
    in the entry (None: deleted in it)."""

    model: type[models.Model]
    object_id: int
    before: Any
    after: Any
    own: bool  # the record of the page, not a child


@dataclass
class HistoryEntry:
    """One save as a user sees it. Saving a form writes several history rows (one for the record, one per
    changed many-to-many relation, one per changed child record); rows of one user within a few seconds
    form one entry."""

    record: Any  # the newest row of the save
    kind: str  # "+", "~" or "-"
    changes: list[FieldChange]
    reason: str = ""
    relations: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    child_labels: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Names the entry in a form: the model and history id of its newest row."""
        return f"{_key(self.record.instance_type)}:{self.record.history_id}"

    @property
    def summary(self) -> str:
        if self.kind == "+":
            return _("Created")
        if self.kind == "-":
            return _("Deleted")
        if not self.changes and not self.relations:
            return _("Saved without changes")
        return _("Changed {fields}").format(fields=", ".join(self.child_labels))

    @property
    def can_revert(self) -> bool:
        return self.kind == "~" and bool(self.changes or self.relations)


class _Names:
    """The names of related records, looked up in one query per model (and one more for deleted ones,
    named from their history)."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.found: dict[type[models.Model], dict[Any, Any]] = {}
        self.gone: dict[type[models.Model], set[Any]] = {}

    def want(self, model: Any, ids: Any) -> None:
        self.wanted.setdefault(model, set()).update(i for i in ids if i is not None)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            found = {o.pk: o for o in model._default_manager.filter(pk__in=ids)}
            missing = ids - found.keys()
            if missing and tracked(model):
                for row in _history_model(model).objects.filter(id__in=missing).order_by("history_date"):
                    found[row.id] = row.instance
            self.found[model] = found
            self.gone[model] = missing

    def obj(self, model: Any, pk: Any) -> Any:
        return self.found.get(model, {}).get(pk)

    def name(self, model: Any, pk: Any) -> str:
        obj = self.obj(model, pk)
        label = _safe_str(obj) if obj is not None else f"#{pk}"
        if pk in self.gone.get(model, ()):
            label = _("{name} (deleted)").format(name=label)
        return label


def _safe_str(obj: Any) -> str:
    try:
        return str(obj)
    except Exception:  # noqa: BLE001 - a name that needs a record no longer there
        return f"#{obj.pk}"


def _value(names: _Names, model: type[models.Model], f: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation and f.related_model is not None:
        return names.name(f.related_model, value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _label(model: type[models.Model], f: Any) -> str:
    return str(getattr(f, "verbose_name", f.name))


# ---- loading rows -------------------------------------------------------------------------------------


def _load(model: type[models.Model], queryset: Any, newest: int | None) -> tuple[list[Any], bool]:
    """The rows, oldest first, with their many-to-many snapshots (one query for all relations)."""
    queryset = queryset.select_related("history_user")
    truncated = False
    if newest:
        rows = list(queryset.order_by("-history_date", "-history_id")[: newest + 1])
        truncated = len(rows) > newest
        rows = list(reversed(rows[:newest]))
    else:
        rows = list(queryset.order_by("history_date", "history_id"))
    for row in rows:
        row.udsyn_m2m = {}
    m2m = _m2m_fields(model)
    if rows and m2m:
        ids = [row.history_id for row in rows]
        by_id = {row.history_id: row for row in rows}
        for row in rows:
            row.udsyn_m2m = {f.name: set() for f in m2m}
        parts = []
        for f in m2m:
            through = getattr(_history_model(model), f.name).model
            target = history_utils.get_m2m_reverse_field_name(f) + "_id"
            parts.append(through.objects.filter(history_id__in=ids).annotate(
                udsyn_field=Value(f.name, output_field=CharField())
            ).values_list("history_id", target, "udsyn_field"))
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for history_id, target_id, name in union:
            by_id[history_id].udsyn_m2m[name].add(target_id)
    for row in rows:
        row.udsyn_model = model
    return rows, truncated


def _child_rows(parent: type[models.Model], pk: int, newest: int | None) -> list[tuple[Any, str, list[Any], bool]]:
    result = []
    for label, name in CHILDREN.get(_key(parent), []):
        child = apps.get_model(label)
        f = child._meta.get_field(name)
        history_model = _history_model(child)
        if f.many_to_many:
            through = getattr(history_model, name).model
            source = history_utils.get_m2m_reverse_field_name(f) + "_id"
            ids = through.objects.filter(**{source: pk}).values("history__id")
            queryset = history_model.objects.filter(id__in=ids)
        else:
            queryset = history_model.objects.filter(**{f.attname: pk})
        rows, truncated = _load(child, queryset, newest)
        result.append((child, name, rows, truncated))
    return result


def _same_save(group: list[Any], row: Any, own: type[models.Model]) -> bool:
    last = group[-1]
    if row.history_user_id != last.history_user_id:
        return False
    if (row.history_date - last.history_date).total_seconds() > SAME_SAVE_SECONDS:
        return False
    if (row.history_change_reason or "") != (last.history_change_reason or ""):
        return False  # a revert or restore right after a save is an entry of its own
    if any(r.udsyn_model is own and r.history_type == "-" for r in group):
        return False
    if row.udsyn_model is own:
        if row.history_type == "+":
            return False
        if row.history_type == "-":  # children deleted along with it come just before
            return all(r.udsyn_model is not own and r.history_type == "-" for r in group)
    return True


def timeline(model: type[models.Model], pk: int, limit: int | None = None, children: bool = True,
             records: Any = None) -> list[HistoryEntry]:
    """Newest first: each save with its field-by-field and relation changes against the state before."""
    newest = (limit + 1) * 12 if limit else None
    own_rows, truncated = _load(model, records if records is not None else model.history.filter(id=pk),  # type: ignore[attr-defined]
                                newest)
    sources: list[tuple[type[models.Model], str, list[Any], bool]] = [(model, "", own_rows, truncated)]
    if children:
        sources += _child_rows(model, pk, newest)
    merged = sorted((row for _m, _n, rows, _t in sources for row in rows),
                    key=lambda r: (r.history_date, r.udsyn_model is not model, r.history_id))
    previous: dict[tuple[Any, int], Any] = {}
    groups: list[list[Any]] = []
    for row in merged:
        if groups and _same_save(groups[-1], row, model):
            groups[-1].append(row)
        else:
            groups.append([row])
    via = {child: name for child, name, _rows, _t in sources[1:]}
    entries: list[HistoryEntry] = []
    for group in groups:
        steps: dict[tuple[Any, int], Step] = {}
        for row in group:
            k = (row.udsyn_model, row.id)
            if k not in steps:
                before = None if row.history_type == "+" else previous.get(k)
                steps[k] = Step(row.udsyn_model, row.id, before, row, row.udsyn_model is model)
            steps[k].after = None if row.history_type == "-" else row
            previous[k] = row
        own_types = [r.history_type for r in group if r.udsyn_model is model]
        kind = "+" if "+" in own_types else "-" if "-" in own_types else "~"
        reason = next((r.history_change_reason for r in reversed(group) if r.history_change_reason), "")
        entries.append(HistoryEntry(record=group[-1], kind=kind, changes=[], reason=reason,
                                    steps=list(steps.values())))
    if any(t for _m, _n, _r, t in sources) and entries:
        entries = entries[1:]  # the oldest save may have started before the rows read
    entries.reverse()
    if limit:
        entries = entries[:limit]
    _describe(entries, model, pk, via, names_needed=not limit)
    # A funding line's changes while it was not linked to the record are not the record's history.
    return [e for e in entries if e.changes or e.relations or any(s.own for s in e.steps)]


def entries(records: Any, model: type[models.Model], limit: int | None = None) -> list[HistoryEntry]:
    """The record's own history (no child records), newest first: what its detail page summarises."""
    return timeline(model, 0, limit=limit, children=False, records=records)


def _describe(entries: list[HistoryEntry], model: type[models.Model], pk: int, via: dict[Any, str],
              names_needed: bool) -> None:
    """Fill in the changes and relation lines of each entry, with names looked up all at once."""
    names = _Names()
    if names_needed:
        for entry in entries:
            for step in entry.steps:
                for row in (step.before, step.after):
                    if row is None:
                        continue
                    for f in _fields(step.model):
                        if f.is_relation and f.related_model is not None:
                            names.want(f.related_model, [getattr(row, f.attname)])
                    for f in _m2m_fields(step.model):
                        names.want(f.related_model, row.udsyn_m2m.get(f.name, ()))
        names.load()
    for entry in entries:
        labels: list[str] = []
        for step in entry.steps:
            _describe_step(entry, step, model, pk, via, names, labels)
        entry.child_labels = labels


def _add_label(labels: list[str], label: str) -> None:
    if label not in labels:
        labels.append(label)


def _child_name(step: Step, names: _Names) -> str:
    row = step.after or step.before
    instance = row.instance
    for f in step.model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None:
            obj = names.obj(f.related_model, getattr(instance, f.attname))
            if obj is not None:
                f.set_cached_value(instance, obj)  # type: ignore[attr-defined]
            elif getattr(instance, f.attname) is not None:
                return _safe_str(row)
    target = getattr(instance, "target", None)  # a goal link is named by its goal or focus area
    return _safe_str(target if target is not None else instance)


def _describe_step(entry: HistoryEntry, step: Step, model: type[models.Model], pk: int, via: dict[Any, str],
                   names: _Names, labels: list[str]) -> None:
    m = step.model
    verbose = str(m._meta.verbose_name)
    if not step.own:
        link = via.get(m, "")
        linked_field = m._meta.get_field(link) if link else None
        if linked_field is not None and linked_field.many_to_many:
            was = step.before is not None and pk in step.before.udsyn_m2m.get(link, ())
            now = step.after is not None and pk in step.after.udsyn_m2m.get(link, ())
            if not was and not now:
                return
            if was != now:
                _add_label(labels, str(m._meta.verbose_name_plural))
                line = _("added {what}: {name}") if now else _("removed {what}: {name}")
                entry.relations.append(line.format(what=verbose, name=_child_name(step, names)))
                return
        elif step.before is None or step.after is None:
            if step.before is None and step.after is None:
                return
            _add_label(labels, str(m._meta.verbose_name_plural))
            line = _("added {what}: {name}") if step.before is None else _("removed {what}: {name}")
            entry.relations.append(line.format(what=verbose, name=_child_name(step, names)))
            return
    if step.own and entry.kind == "+" and step.before is None and step.after is not None:
        for f in _fields(m):
            value = getattr(step.after, f.attname, None)
            if value not in (None, "", [], False) and f.name not in {"internal_fields"}:
                entry.changes.append(FieldChange(_label(m, f), "", _value(names, m, f, value)))
        for f in _m2m_fields(m):
            for target in sorted(step.after.udsyn_m2m.get(f.name, ()), key=lambda t: names.name(f.related_model, t)):
                entry.relations.append(_("added {what}: {name}").format(
                    what=_singular(m, f.name), name=names.name(f.related_model, target)))
        return
    if step.before is None or step.after is None:
        return
    prefix = "" if step.own else f"{verbose} {_child_name(step, names)}: "
    for f in _fields(m):
        old, new = getattr(step.before, f.attname, None), getattr(step.after, f.attname, None)
        if old != new:
            _add_label(labels, _label(m, f) if step.own else str(m._meta.verbose_name_plural))
            entry.changes.append(FieldChange(prefix + _label(m, f), _value(names, m, f, old), _value(names, m, f, new)))
    for f in _m2m_fields(m):
        old_ids, new_ids = step.before.udsyn_m2m.get(f.name, set()), step.after.udsyn_m2m.get(f.name, set())
        if old_ids == new_ids:
            continue
        _add_label(labels, _label(m, f) if step.own else str(m._meta.verbose_name_plural))
        what = _singular(m, f.name)
        for target in sorted(new_ids - old_ids, key=lambda t: names.name(f.related_model, t)):
            entry.relations.append(prefix + _("added {what}: {name}").format(
                what=what, name=names.name(f.related_model, target)))
        for target in sorted(old_ids - new_ids, key=lambda t: names.name(f.related_model, t)):
            entry.relations.append(prefix + _("removed {what}: {name}").format(
                what=what, name=names.name(f.related_model, target)))


def find_entry(model: type[models.Model], pk: int, key: str) -> HistoryEntry | None:
    return next((e for e in timeline(model, pk) if e.key == key), None)


# ---- deleted records ----------------------------------------------------------------------------------


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


@receiver(pre_delete)
def _keep_relations(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before Django removes them without a word to the history: note what the record is linked to, and
    unlink the records that link to it through their own many-to-many relations, so that their history
    shows it."""
    if not tracked(sender) or instance.pk is None:
        return
    relations: dict[str, dict[str, list[Any]]] = {"m2m": {}, "children": {}, "referrers": {}, "nulled": {}}
    for f in sender._meta.many_to_many:
        relations["m2m"][f.name] = sorted(getattr(instance, f.name).values_list("pk", flat=True))
    for rel in sender._meta.related_objects:
        other = rel.related_model
        if not tracked(other):
            continue
        if rel.many_to_many:
            through = rel.field.remote_field.through  # type: ignore[attr-defined]
            if not through._meta.auto_created:
                continue  # a through model with its own history is a child record
            ids = sorted(getattr(instance, rel.get_accessor_name()).values_list("pk", flat=True))
            if not ids:
                continue
            relations["referrers"][f"{_key(other)}.{rel.field.name}"] = ids
            for referrer in other._default_manager.filter(pk__in=ids):
                if hasattr(instance, "_history_user"):
                    referrer._history_user = instance._history_user
                referrer._change_reason = _("{what} “{name}” deleted").format(
                    what=str(sender._meta.verbose_name).capitalize(), name=_safe_str(instance))[:100]
                getattr(referrer, rel.field.name).remove(instance)
        elif rel.one_to_many or rel.one_to_one:
            on_delete = rel.on_delete
            group = "children" if on_delete is models.CASCADE else "nulled" if on_delete is models.SET_NULL else ""
            if not group:
                continue
            ids = sorted(other._default_manager.filter(**{rel.field.name: instance}).values_list("pk", flat=True))
            if ids:
                relations[group][f"{_key(other)}.{rel.field.name}"] = ids
    instance._udsyn_relations = relations


@receiver(post_create_historical_record)
def _store_relations(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    relations = getattr(instance, "_udsyn_relations", None)
    if history_instance.history_type == "-" and relations is not None:
        from udsyn.core.models import DeletedRelations

        DeletedRelations.objects.create(content_type=ContentType.objects.get_for_model(type(instance)),
                                        history_id=history_instance.history_id, relations=relations)


def _name_of(model: Any, pk: Any) -> str:
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None and tracked(model):
        row = _history_model(model).objects.filter(id=pk).order_by("-history_date").first()
        obj = row.instance if row is not None else None
    return _safe_str(obj) if obj is not None else f"#{pk}"


def _gone(what: str, model: Any, pk: Any) -> str:
    return _("{what} {name} no longer exists and was not restored").format(what=what, name=_name_of(model, pk))


def _mark(obj: Any, user: Any, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason[:100]


def _relations_at_deletion(record: Any) -> dict[str, dict[str, list[Any]]]:
    from udsyn.core.models import DeletedRelations

    model = record.instance_type
    kept = DeletedRelations.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                           history_id=record.history_id).first()
    if kept is not None:
        return kept.relations  # type: ignore[no-any-return]
    # Deleted before relations were kept: the many-to-many snapshot of the row before the deletion.
    source = record.prev_record or record
    m2m: dict[str, list[Any]] = {}
    for f in _m2m_fields(model):
        target = history_utils.get_m2m_reverse_field_name(f) + "_id"
        m2m[f.name] = list(getattr(source, f.name).values_list(target, flat=True))
    return {"m2m": m2m}


def _check_foreign_keys(instance: Any, notes: list[str]) -> None:
    """A record whose foreign key target is gone: cleared where it may be empty, refused otherwise."""
    for f in type(instance)._meta.concrete_fields:
        if not f.is_relation or f.related_model is None:
            continue
        value = getattr(instance, f.attname)
        if value is None or f.related_model._default_manager.filter(pk=value).exists():
            continue
        what = _label(type(instance), f)
        if f.null:
            setattr(instance, f.attname, None)
            notes.append(_gone(what, f.related_model, value))
        else:
            raise ValueError(_("{what} {name} no longer exists; restore it first.").format(
                what=what.capitalize(), name=_name_of(f.related_model, value)))


@transaction.atomic
def restore(record: Any, user: Any, reason: str = "", notes: list[str] | None = None) -> models.Model:
    """Bring a deleted record back as it was when deleted, with its many-to-many relations, the child
    records deleted along with it and the links other records had to it. What no longer exists is named
    in ``notes`` and left out."""
    notes = notes if notes is not None else []
    model = record.instance_type
    if model._default_manager.filter(pk=record.id).exists():
        raise ValueError(_("This record exists; there is nothing to restore."))
    reason = reason or _("Restored from history")
    instance = record.instance
    _check_foreign_keys(instance, notes)
    _mark(instance, user, reason)
    instance.save(force_insert=True)
    relations = _relations_at_deletion(record)
    for name, ids in relations.get("m2m", {}).items():
        try:
            f = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a relation since removed from the model
            continue
        related = f.related_model
        existing = list(related._default_manager.filter(pk__in=ids))  # type: ignore[union-attr]
        for pk in sorted(set(ids) - {o.pk for o in existing}):
            notes.append(_gone(_singular(model, name), related, pk))
        if existing:
            _mark(instance, user, reason)
            getattr(instance, name).set(existing)
    for label, ids in relations.get("children", {}).items():
        child_model = apps.get_model(label.rsplit(".", 1)[0])
        present = set(child_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
        for pk in ids:
            if pk in present:
                continue
            row = _history_model(child_model).objects.filter(id=pk, history_type="-").order_by("-history_date").first()
            if row is None:
                continue
            try:
                with transaction.atomic():
                    restore(row, user, reason, notes)
            except Exception as error:  # noqa: BLE001 - named to the user, the rest restored
                notes.append(_("{what} {name} was not restored: {error}").format(
                    what=str(child_model._meta.verbose_name).capitalize(), name=_name_of(child_model, pk),
                    error=error))
    for label, ids in relations.get("referrers", {}).items():
        app_model, name = label.rsplit(".", 1)
        other = apps.get_model(app_model)
        found = {o.pk: o for o in other._default_manager.filter(pk__in=ids)}
        for pk in ids:
            if pk not in found:
                notes.append(_("{what} {name} no longer exists and was not linked again").format(
                    what=str(other._meta.verbose_name), name=_name_of(other, pk)))
                continue
            _mark(found[pk], user, reason)
            getattr(found[pk], name).add(instance)
    for label, ids in relations.get("nulled", {}).items():
        app_model, name = label.rsplit(".", 1)
        other = apps.get_model(app_model)
        f = other._meta.get_field(name)
        for obj in other._default_manager.filter(pk__in=ids, **{f"{name}__isnull": True}):
            setattr(obj, f.attname, instance.pk)  # type: ignore[union-attr]
            _mark(obj, user, reason)
            obj.save()
    return instance


# ---- revert one change, restore a version ----------------------------------------------------------


def _row_value(row: Any, f: Any) -> Any:
    return getattr(row, f.attname, None)


def _current_m2m(obj: Any, f: Any) -> set[Any]:
    return set(getattr(obj, f.name).values_list("pk", flat=True))


@dataclass
class Outcome:
    """What a revert or restore did, and what it left alone and why (shown to the user)."""

    done: bool = False
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def describe_entry(entry: HistoryEntry) -> str:
    user = entry.record.history_user
    return _("Reverted change of {date} by {user}").format(
        date=formats.date_format(timezone.localtime(entry.record.history_date), "SHORT_DATETIME_FORMAT"),
        user=user if user is not None else _("system"),
    )


def linked_records(entry: HistoryEntry, model: type[models.Model]) -> list[Any]:
    """The records an entry touched that are not the page's record or one of its own children, but
    linked to it through their many-to-many relation (a funding line): reverting needs their rights too."""
    via = {apps.get_model(label): name for label, name in CHILDREN.get(_key(model), [])}
    result = []
    for step in entry.steps:
        if not step.own and step.model._meta.get_field(via[step.model]).many_to_many:
            obj = step.model._default_manager.filter(pk=step.object_id).first()
            if obj is not None:
                result.append(obj)
    return result


@transaction.atomic
def revert(entry: HistoryEntry, user: Any, model: type[models.Model], pk: int) -> Outcome:
    """Put back what one entry changed, field by field and link by link. A field changed again since
    is left as it is and named in ``skipped``."""
    outcome = Outcome()
    reason = describe_entry(entry)
    via = {apps.get_model(label): name for label, name in CHILDREN.get(_key(model), [])}
    for step in entry.steps:
        m = step.model
        current = m._default_manager.filter(pk=step.object_id).first()
        linked = not step.own and m._meta.get_field(via[m]).many_to_many
        if step.before is None and step.after is not None:  # created in the entry: take it away again
            if step.own or current is None:
                continue
            if linked:  # a funding line made for the engagement: unlink it, keep the line
                if getattr(current, via[m]).filter(pk=pk).exists():
                    _mark(current, user, reason)
                    getattr(current, via[m]).remove(pk)
                    outcome.done = True
                continue
            if any(_row_value(step.after, f) != getattr(current, f.attname) for f in _fields(m)):
                outcome.skipped.append(_("{what} {name} (changed since)").format(
                    what=m._meta.verbose_name, name=_safe_str(current)))
                continue
            _mark(current, user, reason)
            current.delete()
            outcome.done = True
        elif step.after is None and step.before is not None:  # deleted in the entry: bring it back
            if current is not None:
                continue
            row = _history_model(m).objects.filter(id=step.object_id, history_type="-").order_by(
                "-history_date").first()
            if row is None:
                continue
            try:
                with transaction.atomic():
                    restore(row, user, reason, outcome.missing)
                outcome.done = True
            except ValueError as error:
                outcome.missing.append(str(error))
        elif step.before is not None and current is not None:
            _revert_record(step, current, user, reason, outcome)
        elif step.before is not None:
            outcome.missing.append(_gone(str(m._meta.verbose_name), m, step.object_id))
    return outcome


def _target_gone(model: type[models.Model], f: Any, value: Any, outcome: Outcome) -> bool:
    """Whether ``value`` names a related record that no longer exists (then named in ``outcome``)."""
    if value is None or not f.is_relation or f.related_model is None:
        return False
    if f.related_model._default_manager.filter(pk=value).exists():
        return False
    outcome.missing.append(_gone(_label(model, f), f.related_model, value))
    return True


def _revert_record(step: Step, current: Any, user: Any, reason: str, outcome: Outcome) -> None:
    m = step.model
    changed = False
    prefix = "" if step.own else f"{m._meta.verbose_name} {_safe_str(current)}: "
    for f in _fields(m):
        old, new = _row_value(step.before, f), _row_value(step.after, f)
        if old == new:
            continue
        if getattr(current, f.attname) != new:
            outcome.skipped.append(prefix + _label(m, f))
            continue
        if _target_gone(m, f, old, outcome):
            continue
        setattr(current, f.attname, old)
        changed = True
    if changed:
        _mark(current, user, reason)
        current.save()
        outcome.done = True
    for f in _m2m_fields(m):
        old_ids, new_ids = step.before.udsyn_m2m.get(f.name, set()), step.after.udsyn_m2m.get(f.name, set())
        if old_ids == new_ids:
            continue
        now = _current_m2m(current, f)
        remove = (new_ids - old_ids) & now
        add_ids = (old_ids - new_ids) - now
        existing = list(f.related_model._default_manager.filter(pk__in=add_ids))
        for pk in sorted(add_ids - {o.pk for o in existing}):
            outcome.missing.append(_gone(_singular(m, f.name), f.related_model, pk))
        if remove:
            _mark(current, user, reason)
            getattr(current, f.name).remove(*remove)
            outcome.done = True
        if existing:
            _mark(current, user, reason)
            getattr(current, f.name).add(*existing)
            outcome.done = True


@transaction.atomic
def restore_version(model: type[models.Model], pk: int, entry: HistoryEntry, user: Any) -> Outcome:
    """Bring the record back to how it was right after ``entry``: its fields, its many-to-many relations
    and its child records (representatives, links, goal links). What no longer exists is named."""
    outcome = Outcome()
    reason = _("Restored version of {date}").format(
        date=formats.date_format(timezone.localtime(entry.record.history_date), "SHORT_DATETIME_FORMAT"))
    obj = model._default_manager.get(pk=pk)
    own_rows, _t = _load(model, model.history.filter(id=pk, history_date__lte=entry.record.history_date), None)  # type: ignore[attr-defined]
    own_rows = [r for r in own_rows if r.history_type != "-"]
    if not own_rows:
        raise ValueError(_("There is no version of this record at that time."))
    version = own_rows[-1]
    changed = False
    for f in _fields(model):
        value = _row_value(version, f)
        if getattr(obj, f.attname) == value:
            continue
        if _target_gone(model, f, value, outcome):
            continue
        setattr(obj, f.attname, value)
        changed = True
    if changed:
        _mark(obj, user, reason)
        obj.save()
        outcome.done = True
    for f in _m2m_fields(model):
        wanted = version.udsyn_m2m.get(f.name, set())
        existing = list(f.related_model._default_manager.filter(pk__in=wanted))
        for target in sorted(wanted - {o.pk for o in existing}):
            outcome.missing.append(_gone(_singular(model, f.name), f.related_model, target))
        if {o.pk for o in existing} != _current_m2m(obj, f):
            _mark(obj, user, reason)
            getattr(obj, f.name).set(existing)
            outcome.done = True
    for label, name in CHILDREN.get(_key(model), []):
        child = apps.get_model(label)
        f = child._meta.get_field(name)
        if f.many_to_many:
            continue
        rows = list(_history_model(child).objects.filter(**{f.attname: pk}).order_by("history_date", "history_id"))
        state: dict[int, Any] = {}
        for row in rows:
            if row.history_date <= entry.record.history_date:
                state[row.id] = row
            else:
                state.setdefault(row.id, None)
        for child_id, row in state.items():
            current = child._default_manager.filter(pk=child_id).first()
            if row is None or row.history_type == "-":
                if current is not None and getattr(current, f.attname) == pk:
                    _mark(current, user, reason)
                    current.delete()
                    outcome.done = True
                continue
            if current is None:
                instance = row.instance
                try:
                    _check_foreign_keys(instance, outcome.missing)
                except ValueError as error:
                    outcome.missing.append(_("{what} {name} was not restored: {error}").format(
                        what=str(child._meta.verbose_name).capitalize(), name=_safe_str(row), error=error))
                    continue
                _mark(instance, user, reason)
                instance.save(force_insert=True)
                outcome.done = True
                continue
            dirty = False
            for cf in _fields(child):
                if getattr(current, cf.attname) != _row_value(row, cf):
                    setattr(current, cf.attname, _row_value(row, cf))
                    dirty = True
            if dirty:
                _mark(current, user, reason)
                current.save()
                outcome.done = True
    return outcome
