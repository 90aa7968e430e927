"""Merging two shared records into one, and undoing it.

A merge moves every relation pointing to the record merged away (found through ``_meta.related_objects``,
so foreign keys and many-to-many relations of any app) to the record kept, adds the other's names to the
kept record's aliases (so that later imports match them), deletes the other, and keeps a ``Merge`` row
listing what it moved. Undoing restores the deleted record from its history row, moves exactly those
relations back and takes the added aliases off. Each step is recorded in history with its reason and user.
"""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.engagements.models import Merge

MERGEABLE = ("engagements.ExternalOrganisation", "engagements.City", "engagements.Theme",
             "engagements.FundingProgramme")


class MergeError(Exception):
    """A merge or undo that cannot be done, with the reason for the user."""


@dataclass
class Use:
    """Records of one kind that point at a record through one relation."""

    label: str  # e.g. "engagements (partner organisations)"
    objects: list[Any]


def _relations(model: type[models.Model]) -> list[Any]:
    """The relations that point at records of ``model``: reverse foreign keys and many-to-many fields.

    A many-to-many relation with its own through model is moved through that model's foreign key.
    """
    result = []
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            through = rel.field.remote_field.through  # type: ignore[union-attr,attr-defined]
            if not through._meta.auto_created:
                continue
        result.append(rel)
    return result


def uses(obj: models.Model) -> list[Use]:
    """Everything that points at ``obj``, relation by relation (for the confirm page)."""
    found = []
    for rel in _relations(type(obj)):
        related = rel.related_model
        rows = list(related._base_manager.filter(**{rel.field.name: obj.pk}).order_by("pk")[:200])
        if rows:
            found.append(Use(f"{related._meta.verbose_name_plural} ({rel.field.verbose_name})", rows))
    return found


def _names(obj: Any) -> list[str]:
    names = [obj.name, getattr(obj, "name_en", "") or "", *(getattr(obj, "aliases", None) or [])]
    return [n for n in names if n]


def _mark(obj: Any, user: Any, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


@transaction.atomic
def merge(keep: Any, drop: Any, user: Any) -> Merge:
    """Merge ``drop`` into ``keep``; the ``Merge`` row returned lets it be undone."""
    model = type(keep)
    if type(drop) is not model or model._meta.label not in MERGEABLE:
        raise MergeError(_("Only two records of the same shared kind can be merged."))
    if keep.pk == drop.pk:
        raise MergeError(_("A record cannot be merged into itself."))
    manager = model._default_manager
    locked = {o.pk: o for o in manager.select_for_update().filter(pk__in=[keep.pk, drop.pk])}
    if len(locked) != 2:
        raise MergeError(_("One of the records no longer exists."))
    keep, drop = locked[keep.pk], locked[drop.pk]
    reason = _("Merged “{merged}” into “{kept}”").format(merged=drop.name, kept=keep.name)
    moved: list[dict[str, Any]] = []
    for rel in _relations(model):
        related = rel.related_model
        field = rel.field
        rows = related._base_manager.filter(**{field.name: drop.pk}).order_by("pk")
        for row in rows:
            _mark(row, user, reason)
            if rel.many_to_many:
                relation = getattr(row, field.name)
                had = relation.filter(pk=keep.pk).exists()
                relation.remove(drop)
                if not had:
                    relation.add(keep)
                moved.append({"model": related._meta.label, "field": field.name, "pk": row.pk, "had": had})
            else:
                setattr(row, field.name, keep)
                row.save()
                moved.append({"model": related._meta.label, "field": field.name, "pk": row.pk})
    known = {n.casefold() for n in _names(keep)}
    added = []
    for name in _names(drop):
        if name.casefold() not in known:
            known.add(name.casefold())
            added.append(name)
    keep.aliases = [*(keep.aliases or []), *added]
    _mark(keep, user, reason)
    keep.save()
    merged_id, merged_name = drop.pk, drop.name
    _mark(drop, user, reason)
    drop.delete()
    deletion = model.history.filter(id=merged_id, history_type="-").order_by("-history_id").first()  # type: ignore[attr-defined]
    return Merge.objects.create(
        content_type=ContentType.objects.get_for_model(model), survivor_id=keep.pk, merged_id=merged_id,
        survivor_name=keep.name, merged_name=merged_name, history_id=deletion.history_id,
        aliases_added=added, moved=moved, user=user if getattr(user, "pk", None) else None,
    )


@transaction.atomic
def undo(record: Merge, user: Any) -> tuple[Any, list[str]]:
    """Undo a merge: the merged-away record back, its relations back, the added aliases off.

    Returns the restored record and what could not be moved back (a row deleted since, or pointed
    elsewhere since), which is left as it is.
    """
    record = Merge.objects.select_for_update().get(pk=record.pk)
    if record.undone is not None:
        raise MergeError(_("This merge has already been undone."))
    model: Any = record.content_type.model_class()
    manager = model._default_manager
    keep = manager.select_for_update().filter(pk=record.survivor_id).first()
    if keep is None:
        raise MergeError(_("The record kept, “{name}”, no longer exists.").format(name=record.survivor_name))
    if manager.filter(pk=record.merged_id).exists():
        raise MergeError(_("“{name}” exists again; there is nothing to undo.").format(name=record.merged_name))
    reason = _("Undid the merge of “{merged}” into “{kept}”").format(merged=record.merged_name, kept=keep.name)
    deletion = model.history.get(history_id=record.history_id)
    restored = deletion.instance
    try:
        restored.validate_unique()
        restored.validate_constraints()
    except ValidationError as error:
        raise MergeError(" ".join(error.messages)) from error
    _mark(restored, user, reason)
    restored.save(force_insert=True)
    skipped = []
    for move in record.moved:
        related = apps.get_model(move["model"])
        row = related._base_manager.filter(pk=move["pk"]).first()
        field = related._meta.get_field(move["field"])
        if row is None:
            skipped.append(_("{kind} #{pk} no longer exists").format(kind=related._meta.verbose_name, pk=move["pk"]))
            continue
        _mark(row, user, reason)
        if field.many_to_many:
            relation = getattr(row, field.name)
            relation.add(restored)
            if not move.get("had"):
                relation.remove(keep)
        elif getattr(row, field.attname) == keep.pk:
            setattr(row, field.name, restored)
            row.save()
        else:
            skipped.append(_("{obj} points elsewhere now").format(obj=row))
    added = set(record.aliases_added)
    keep.aliases = [a for a in (keep.aliases or []) if a not in added]
    _mark(keep, user, reason)
    keep.save()
    record.undone = timezone.now()
    record.undone_by = user if getattr(user, "pk", None) else None
    record.save(update_fields=["undone", "undone_by"])
    return restored, skipped
