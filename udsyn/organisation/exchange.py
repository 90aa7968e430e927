"""The organisation's part of the import/export registry: regions, municipalities, a file's municipality and
source, departments and their units, people, committees and stated figures, as registry-file sections and as
tables; and how other apps' sections refer to a department, a unit or a person (docs/import-format.md)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import FileImport, Rec
from udsyn.core.exchange.sections import Col, Column, Section, Table, columns, ref, register
from udsyn.core.exchange.values import choice, decimal, floating
from udsyn.organisation.models import Committee, Department, Municipality, Person, Region, StatedFigure, Unit

# --- References other sections make ----------------------------------------------------------------


def department(job: FileImport, rec: Rec, key: str, code: str, line: int | None = None) -> Department | None:
    """The file's municipality's department with that code."""
    missing = _('No department with code "{code}" in {municipality}.').format(
        code=code, municipality=job.municipality.name)
    return job.find(rec, key, job.table("departments"), v.key(code), missing, line)


def departments_of(job: FileImport, rec: Rec, key: str) -> list[Department]:
    found = (department(job, rec, key, code, rec.item_line(key, index))
             for index, code in enumerate(rec.refs.get(key, [])))
    return [one for one in found if one is not None]


def optional_department(job: FileImport, rec: Rec, values: dict[str, Any]) -> Department | None:
    """The record's department (key "department"), put into ``values`` when the record gives one."""
    code = rec.refs.get("department")
    if code is not None:
        values["department"] = department(job, rec, "department", code) if code else None
    return values.get("department")


def person(job: FileImport, rec: Rec, key: str, name: str, line: int | None = None) -> Person | None:
    return job.find(rec, key, job.table("people"), v.key(name), _('No person "{name}" in {municipality}.').format(
        name=name, municipality=job.municipality.name), line)


def unit(job: FileImport, rec: Rec, key: str, name: str, of: Department | None) -> Unit | None:
    """A unit of the department or, when no department is given, the one unit of that name."""
    units = job.table("units")
    if of is not None:
        return job.find(rec, key, units, (v.key(of.code), v.key(name)), _(
            'No unit "{name}" in department {code}.').format(name=name, code=of.code))
    matches = {found for (_code, unit_key), found in units.saved.items() if unit_key == v.key(name)}
    if len(matches) == 1:
        return matches.pop()
    if matches:
        rec.problem(key, _('Several departments have a unit "{name}"; give the department.').format(name=name))
    elif any(unit_key == v.key(name) for (_code, unit_key) in units.declared):
        rec.blocked = True
    else:
        rec.problem(key, _('No unit "{name}" in {municipality}.').format(name=name, municipality=job.municipality.name))
    return None


def scoped_values(job: FileImport, rec: Rec) -> dict[str, Any] | None:
    """The record's values with the file's municipality, or None (the record blocked) when the file has none."""
    if job.scope(rec) is None:
        return None
    return {**rec.values, "municipality": job.municipality}


# --- Regions and municipalities ---------------------------------------------------------------------


def _load_reference(job: FileImport, _municipality: Any) -> None:
    for region in Region.objects.all():
        job.table("regions").add(region, v.key(region.code))
    for municipality in Municipality.objects.select_related("region"):
        job.table("municipalities").add(municipality, v.key(municipality.code))


def _write_regions(job: FileImport) -> None:
    for rec in job.records("regions"):
        job.put(rec, Region, job.table("regions"), rec.natural("code"), rec.values)


def _upsert_municipality(job: FileImport, rec: Rec) -> Municipality | None:
    values = dict(rec.values)
    code = rec.refs.get("region")
    if code is not None:
        values["region"] = job.find(rec, "region", job.table("regions"), v.key(code), _(
            'No region with code "{code}".').format(code=code)) if code else None
    if "code" in values:
        job.result.municipality_codes.add(values["code"])
    return job.put(rec, Municipality, job.table("municipalities"), rec.natural("code"), values)


def _write_municipalities(job: FileImport) -> None:
    for rec in job.records("municipalities"):
        _upsert_municipality(job, rec)


def _write_municipality(job: FileImport) -> None:
    """The file's own municipality: its records belong to it."""
    data = job.doc.get("municipality")
    municipality = None
    if data is not None:
        rec = Rec(job, data, "municipality", MUNICIPALITY.schema, job.doc.line_of("municipality"))
        municipality = _upsert_municipality(job, rec)
    job.load_scoped(municipality)


def _write_source(job: FileImport) -> None:
    if "source" in job.doc:
        source = Rec(job, job.doc["source"], "source", SOURCE.schema, job.doc.line_of("source"))
        job.source_title = v.label(source.data, "title") if source.ok else ""


# --- Departments, units, people, committees ---------------------------------------------------------


def _load_scoped(job: FileImport, municipality: Municipality) -> None:
    for department_ in Department.objects.filter(municipality=municipality):
        job.table("departments").add(department_, v.key(department_.code))
    for unit_ in Unit.objects.filter(department__municipality=municipality).select_related("department"):
        job.table("units").add(unit_, (v.key(unit_.department.code), v.key(unit_.name)))
    for person_ in Person.objects.filter(municipality=municipality):
        job.table("people").add(person_, v.key(person_.name))
    for committee in Committee.objects.filter(municipality=municipality):
        job.table("committees").add(committee, v.key(committee.name))
    for figure in StatedFigure.objects.filter(municipality=municipality):
        job.table("stated_figures").add(figure, v.key(figure.key))


def _declare_departments(job: FileImport) -> None:
    job.declare_items("departments", "code")
    for index, item in job.items("departments"):
        if not isinstance(item, v.YamlMap):
            continue
        code = v.key(v.label(item, "code"))
        for unit_index, one in v.list_items(item.get("units")):
            job.declare_one(job.table("units"), (code, v.key(v.label(one, "name"))), one,
                            f"departments[{index}], units", unit_index, "name")


def _write_departments(job: FileImport) -> None:
    for rec in job.records("departments"):
        children = job.read_children(rec)
        saved = None
        values = scoped_values(job, rec)
        if values is not None:
            job.resolve_children(rec, children)
            saved = job.put(rec, Department, job.table("departments"), rec.natural("code"), values)
        job.write_children(rec, saved, children)


def _read_units(job: FileImport, rec: Rec) -> list[Rec]:
    return job.nested(rec, "units")


def _write_units(job: FileImport, rec: Rec, saved: Department | None, units: list[Rec]) -> None:
    for unit_rec in units:
        if saved is None:
            unit_rec.blocked = True
        else:
            key = (v.key(saved.code), unit_rec.natural("name"))
            job.put(unit_rec, Unit, job.table("units"), key, {**unit_rec.values, "department": saved})


def _write_people(job: FileImport) -> None:
    for rec in job.records("people"):
        values = scoped_values(job, rec)
        if values is None:
            continue
        of = optional_department(job, rec, values)
        unit_name = rec.refs.get("unit")
        if unit_name is not None and ("department" not in rec.refs or of is not None):
            values["unit"] = unit(job, rec, "unit", unit_name, of) if unit_name else None
        job.put(rec, Person, job.table("people"), rec.natural("name"), values)


def _write_committees(job: FileImport) -> None:
    for rec in job.records("committees"):
        values = scoped_values(job, rec)
        if values is not None:
            optional_department(job, rec, values)
            job.put(rec, Committee, job.table("committees"), rec.natural("name"), values)


def _write_stated_figures(job: FileImport) -> None:
    for rec in job.records("stated_figures"):
        values = scoped_values(job, rec)
        if values is None:
            continue
        optional_department(job, rec, values)
        reference = v.label(rec.data, "source_reference")
        if job.source_title or reference:
            values["source"] = ", ".join(part for part in (job.source_title, reference) if part)
        job.put(rec, StatedFigure, job.table("stated_figures"), rec.natural("key"), values)


MUNICIPALITY = Section("municipality", 30, {
    "code": Col("code", required=True), "name": Col("name", required=True), "region": ref("region"),
}, "code", scoped=False, listed=False, write=_write_municipality)
SOURCE = Section("source", 40, {"title": Col("", required=True)}, "title", scoped=False, listed=False,
                 write=_write_source)


# --- Tables -----------------------------------------------------------------------------------------


def _scope(queryset: QuerySet[Any], municipality: Municipality | None, path: str = "municipality") -> QuerySet[Any]:
    return queryset if municipality is None else queryset.filter(**{path: municipality})


def _regions(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for region in Region.objects.order_by("code"):
        yield {"id": region.pk, "code": region.code, "name": region.name, "nuts2": region.nuts2}


def _municipalities(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Municipality.objects.select_related("region").order_by("code")
    if municipality is not None:
        queryset = queryset.filter(pk=municipality.pk)
    for m in queryset:
        yield {"id": m.pk, "code": m.code, "name": m.name, "region": m.region.code if m.region else "",
               "latitude": m.latitude, "longitude": m.longitude}


def _departments(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for d in _scope(Department.objects.select_related("municipality"), municipality).order_by(
            "municipality__code", "code"):
        yield {"id": d.pk, "municipality": d.municipality.code, "code": d.code, "name": d.name,
               "name_en": d.name_en, "international_work": d.international_work,
               "delegation_handling": d.delegation_handling}


def _units(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Unit.objects.select_related("department__municipality")
    for one in _scope(queryset, municipality, "department__municipality").order_by(
            "department__municipality__code", "department__code", "name"):
        yield {"id": one.pk, "municipality": one.department.municipality.code, "department": one.department.code,
               "name": one.name, "international_role": one.international_role}


def _people(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Person.objects.select_related("municipality", "department", "unit")
    for p in _scope(queryset, municipality).order_by("municipality__code", "name"):
        yield {"id": p.pk, "municipality": p.municipality.code, "name": p.name, "kind": p.kind, "title": p.title,
               "party": p.party, "department": p.department.code if p.department else "",
               "unit": p.unit.name if p.unit else "", "email": p.email, "phone": p.phone}


def _committees(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Committee.objects.select_related("municipality", "department")
    for c in _scope(queryset, municipality).order_by("municipality__code", "name"):
        yield {"id": c.pk, "municipality": c.municipality.code, "name": c.name, "name_en": c.name_en,
               "department": c.department.code if c.department else "",
               "international_treatment": c.international_treatment}


def _stated_figures(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = StatedFigure.objects.select_related("municipality", "department")
    for s in _scope(queryset, municipality).order_by("municipality__code", "key"):
        yield {"id": s.pk, "municipality": s.municipality.code, "key": s.key, "label": s.label, "value": s.value,
               "unit": s.unit, "qualifier": s.qualifier, "period": s.period,
               "department": s.department.code if s.department else "", "source_reference": s.source}


register(
    Section("regions", 10, {
        "code": Col("code", required=True), "name": Col("name", required=True), "nuts2": Col("nuts2"),
    }, "code", models=(Region,), scoped=False, load=_load_reference, write=_write_regions),
    Section("municipalities", 20, {
        "code": Col("code", required=True), "name": Col("name", required=True), "region": ref("region"),
        "latitude": Col("latitude", floating), "longitude": Col("longitude", floating),
    }, "code", models=(Municipality,), scoped=False, write=_write_municipalities),
    MUNICIPALITY,
    SOURCE,
    Section("departments", 60, {
        "code": Col("code", required=True), "name": Col("name", required=True), "name_en": Col("name_en"),
        "international_work": Col("international_work"), "delegation_handling": Col("delegation_handling"),
    }, "code", models=(Department,), load=_load_scoped, declare=_declare_departments, write=_write_departments),
    Section("units", 62, {"name": Col("name", required=True), "international_role": Col("international_role")},
            "name", models=(Unit,), parent="departments", read=_read_units, write_nested=_write_units),
    Section("people", 70, {
        "name": Col("name", required=True), "kind": Col("kind", choice(Person.Kind)), "party": Col("party"),
        "title": Col("title"), "department": ref("department"), "unit": ref("unit"), "email": Col("email"),
        "phone": Col("phone"),
    }, "name", models=(Person,), write=_write_people),
    Section("committees", 75, {
        "name": Col("name", required=True), "name_en": Col("name_en"), "department": ref("department"),
        "international_treatment": Col("international_treatment"),
    }, "name", models=(Committee,), write=_write_committees),
    Section("stated_figures", 120, {
        "key": Col("key", required=True), "label": Col("label", required=True),
        "value": Col("value", decimal, required=True), "unit": Col("unit", choice(StatedFigure.Unit)),
        "qualifier": Col("qualifier", choice(StatedFigure.Qualifier)), "period": Col("period"),
        "department": ref("department"), "source_reference": Col(""),
    }, "key", models=(StatedFigure,), write=_write_stated_figures),
    Table("regions", Region, columns("code", "name", "nuts2"), _regions, 10, scoped=False),
    Table("municipalities", Municipality, columns(
        "code", "name", "region", Column("latitude", "number"), Column("longitude", "number")),
        _municipalities, 20, scoped=False),
    Table("departments", Department, columns(
        "code", "name", "name_en", "international_work", "delegation_handling"), _departments, 60),
    Table("units", Unit, columns("name", "international_role"), _units, 62, parent="department",
          parent_section="departments", replaces=False),
    Table("people", Person, columns("name", "kind", "title", "party", "department", "unit", "email", "phone"),
          _people, 70, personal=True),
    Table("committees", Committee, columns("name", "name_en", "department", "international_treatment"),
          _committees, 75),
    Table("stated_figures", StatedFigure, columns(
        "key", "label", Column("value", "number"), "unit", "qualifier", "period", "department",
        Column("source_reference", internal=True)), _stated_figures, 120),
)
