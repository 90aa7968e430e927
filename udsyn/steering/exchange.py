"""Steering's part of the import/export registry: an engagement's goal links (``serves:`` in the registry file,
the ``goal_links`` table), registered as a section nested in the engagements (docs/import-format.md)."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import FileImport, Rec
from udsyn.core.exchange.sections import Col, Section, Table, columns, ref, register
from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Municipality
from udsyn.steering.models import Alignment


def _read(job: FileImport, rec: Rec) -> list[list[Any]]:
    """[record, (goal | focus_area, the record it names) once resolved] for each goal link."""
    return [[sub, None] for sub in job.nested(rec, "serves")]


def _resolve(job: FileImport, rec: Rec, items: list[list[Any]]) -> None:
    for item in items:
        item[1] = _served(job, item[0])


def _served(job: FileImport, rec: Rec) -> tuple[str, Any] | None:
    """The goal or focus area a ``serves`` entry names, as ("goal" | "focus_area", record)."""
    given = [key for key in ("goal", "focus_area") if rec.refs.get(key)]
    if len(given) != 1:
        rec.problem("goal", _("Name either a goal or a focus_area."))
        return None
    key = given[0]
    table = job.table("goals" if key == "goal" else "focus_areas")
    found = job.find(rec, key, table, v.key(rec.refs[key]), _('No {kind} "{title}" in {municipality}.').format(
        kind=key.replace("_", " "), title=rec.refs[key], municipality=job.municipality.name))
    return (key, found) if found is not None else None


def _write(job: FileImport, rec: Rec, engagement: Engagement, items: list[list[Any]]) -> None:
    existing = {(a.goal_id, a.focus_area_id): a for a in Alignment.objects.filter(engagement=engagement)}
    for sub, target in items:
        if sub.ok and target is not None:
            key, record = target
            ids = (record.pk, None) if key == "goal" else (None, record.pk)
            job.upsert(sub, Alignment, existing.pop(ids, None), {
                "engagement": engagement, key: record, "justification": sub.values.get("justification", "")})
    for alignment in existing.values():
        job.delete(alignment)


def _rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Alignment.objects.select_related("engagement__municipality", "goal", "focus_area")
    if municipality is not None:
        queryset = queryset.filter(engagement__municipality=municipality)
    for a in queryset.order_by("engagement__municipality__code", "engagement__title", "pk"):
        yield {"municipality": a.engagement.municipality.code, "engagement": a.engagement.title,
               "goal": a.goal.title if a.goal else "", "focus_area": a.focus_area.title if a.focus_area else "",
               "justification": a.justification}


register(
    Section("serves", 104, {"goal": ref("goal"), "focus_area": ref("focus_area"),
                            "justification": Col("justification")}, "goal",
            models=(Alignment,), parent="engagements", read=_read, resolve=_resolve, write_nested=_write),
    Table("goal_links", Alignment, columns("goal", "focus_area", "justification"), _rows, 104, section="serves",
          parent="engagement", parent_section="engagements"),
)
