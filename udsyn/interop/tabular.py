"""The registry as tables: every record type as rows of CSV, XLSX, JSON or YAML, out and back in.

One table per record type (``TABLES``), one column per key of the registry file format
(docs/import-format.md), so that a row means what the same record means in a registry file:

- References are natural keys: a department by its code, an engagement by its title, a city as
  ``Name|CC``. Lists in one cell are separated by ``;`` (an international element's texts by new lines).
- A row with an ``id`` updates that record, so its natural key (title, code, name) may change; a row
  without one is matched on its natural key, and created when nothing matches.
- A column the file leaves out leaves that field as it is; an empty cell empties it.
- Unknown columns are refused; every problem is reported with its table, row and column; and the
  rows are written through the registry importer in one transaction: all of them or none.
- A table of nested records (units, representatives, links, goal links) replaces the nested records
  of every department or engagement named in it, or listed in that table's parent table of the same
  import, so that a row deleted from an exported sheet is deleted on re-import.

Exports come in two kinds. The **internal** export holds everything the import can read, so that it
re-imports to an identical state. The **open** export (the default) leaves out people, contact
persons, representatives, internal notes, source references and every field a record marks internal.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from udsyn.engagements.models import (
    City,
    Engagement,
    EngagementLink,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Representative,
    Theme,
)
from udsyn.interop import limits, registry
from udsyn.interop.registry import ImportProblem, ImportResult, YamlList, YamlMap
from udsyn.organisation.models import Committee, Department, Municipality, Person, Region, StatedFigure, Unit
from udsyn.steering.models import Alignment
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy

FORMATS = ("csv", "xlsx", "json", "yaml")
LIST_SEPARATOR = "; "


# --- The tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column: its name (the registry file's key), how its cells are read, and whether it is open data.

    ``field`` names the model field whose "internal" marking blanks the cell in open exports.
    """

    name: str
    kind: str = "text"  # text | list | lines | bool | int | number | date | year
    internal: bool = False
    field: str = ""


Rows = Callable[[Municipality | None], Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    rows: Rows
    section: str = ""  # the registry file's section (or nested key) the rows go to; the name by default
    scoped: bool = True  # rows belong to a municipality (a "municipality" column)
    parent: str = ""  # for nested records: the column naming the department or engagement they belong to
    personal: bool = False  # the whole table is personal data: internal exports only

    @property
    def key(self) -> str:
        return self.section or self.name

    def column_names(self, internal: bool) -> list[str]:
        names = ["id"] if self.has_id else []
        if self.scoped:
            names.append("municipality")
        if self.parent:
            names.append(self.parent)
        return names + [c.name for c in self.columns if internal or self.is_open(c)]

    def is_open(self, column: Column) -> bool:
        """Open data: a column not marked internal here, and, for a model that declares its open fields
        (``OPEN_FIELDS``), one of those."""
        declared = getattr(self.model, "OPEN_FIELDS", ())
        if column.internal:
            return False
        return not (declared and column.field) or column.field in declared

    @property
    def all_columns(self) -> list[str]:
        return self.column_names(internal=True)

    @property
    def has_id(self) -> bool:
        return not self.parent or self.name == "units"


def _codes(items: Iterable[Any], attr: str = "code") -> list[str]:
    return [getattr(item, attr) for item in items]


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


def _engaged(queryset: QuerySet[Any], municipality: Municipality | None, path: str) -> QuerySet[Any]:
    """Shared records (themes, organisations ...): all of them, or those the municipality's records use."""
    if municipality is None:
        return queryset
    return queryset.filter(**{path: municipality}).distinct()


def _themes(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for theme in _engaged(Theme.objects.all(), municipality, "engagements__municipality"):
        yield {"id": theme.pk, "name": theme.name, "name_en": theme.name_en}


def _programmes(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for programme in _engaged(FundingProgramme.objects.all(), municipality, "funding__municipality"):
        yield {"id": programme.pk, "name": programme.name, "name_en": programme.name_en,
               "source": programme.source, "aliases": programme.aliases}


def _organisations(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for org in _engaged(ExternalOrganisation.objects.all(), municipality, "engagements__municipality"):
        yield {"id": org.pk, "name": org.name, "kind": org.kind, "country": org.country, "aliases": org.aliases,
               "website": org.website, "description": org.description}


def _cities(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for city in _engaged(City.objects.all(), municipality, "engagements__municipality"):
        yield {"id": city.pk, "name": city.name, "country": city.country, "latitude": city.latitude,
               "longitude": city.longitude, "aliases": city.aliases}


def _departments(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for d in _scope(Department.objects.select_related("municipality"), municipality).order_by(
            "municipality__code", "code"):
        yield {"id": d.pk, "municipality": d.municipality.code, "code": d.code, "name": d.name,
               "name_en": d.name_en, "international_work": d.international_work,
               "delegation_handling": d.delegation_handling}


def _units(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Unit.objects.select_related("department__municipality")
    for unit in _scope(queryset, municipality, "department__municipality").order_by(
            "department__municipality__code", "department__code", "name"):
        yield {"id": unit.pk, "municipality": unit.department.municipality.code, "department": unit.department.code,
               "name": unit.name, "international_role": unit.international_role}


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


def _strategies(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Strategy.objects.select_related("municipality").prefetch_related("departments", "elements")
    for s in _scope(queryset, municipality).order_by("municipality__code", "name"):
        yield {"id": s.pk, "municipality": s.municipality.code, "name": s.name, "kind": s.kind,
               "departments": _codes(s.departments.all()), "adopted": s.adopted_year, "start": s.start_year,
               "end": s.end_year, "politically_approved": s.politically_approved, "revision_due": s.revision_due,
               "description": s.description, "source_reference": s.source_reference,
               "elements": [e.text for e in sorted(s.elements.all(), key=lambda e: (e.order, e.pk))]}


def _statements(model: type[Goal | Principle | FocusArea]) -> Rows:
    def rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
        queryset = model._default_manager.select_related("municipality", "strategy")
        for s in _scope(queryset, municipality).order_by("municipality__code", "order", "title"):
            yield {"id": s.pk, "municipality": s.municipality.code, "title": s.title,
                   "strategy": s.strategy.name if s.strategy else "", "description": s.description}
    return rows


def _engagement_queryset(municipality: Municipality | None) -> QuerySet[Engagement]:
    queryset = Engagement.objects.select_related("municipality", "lead_department", "responsible_unit", "parent")
    return _scope(queryset, municipality).order_by("municipality__code", "title")


def _lists(municipality: Municipality | None, name: str, *values: str) -> dict[int, list[Any]]:
    """An engagement many-to-many list for every engagement at once, read from its link table in one query.
    (A prefetch filters on every engagement id: SQLite then probes all 28,000 for each person or city.)"""
    through = getattr(Engagement, name).through
    found: dict[int, list[Any]] = {}
    for engagement_id, *value in _scope(through.objects.all(), municipality, "engagement__municipality").order_by(
            ).values_list("engagement_id", *values):
        found.setdefault(engagement_id, []).append(value[0] if len(value) == 1 else tuple(value))
    return found


def _engagements(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    departments = _lists(municipality, "participating_departments", "department_id", "department__code")
    themes = _lists(municipality, "themes", "theme__name")
    organisations = _lists(municipality, "partner_organisations", "externalorganisation__name")
    cities = _lists(municipality, "partner_cities", "city__name", "city__country")
    contacts = _lists(municipality, "contacts", "person__name")
    for e in _engagement_queryset(municipality):
        yield {
            "id": e.pk, "municipality": e.municipality.code, "title": e.title, "kind": e.kind,
            "partnership_type": e.partnership_type, "parent": e.parent.title if e.parent else "",
            "lead": e.lead_department.code,
            "departments": sorted(code for pk, code in departments.get(e.pk, []) if pk != e.lead_department_id),
            "unit": e.responsible_unit.name if e.responsible_unit else "", "status": e.status,
            "termination_reason": e.termination_reason, "start": e.start_date, "end": e.end_date,
            "annual_fee": e.annual_fee, "co_financing": e.co_financing,
            "themes": sorted(themes.get(e.pk, [])),
            "organisations": sorted(organisations.get(e.pk, [])),
            "cities": sorted(f"{name}|{country}" for name, country in cities.get(e.pk, [])),
            "description": e.description, "contacts": sorted(contacts.get(e.pk, [])),
            "source_reference": e.source_reference, "notes": e.notes, "internal_fields": e.internal_fields,
            "_internal": e.internal_fields,
        }


def _representatives(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Representative.objects.select_related("engagement__municipality", "person")
    for r in _scope(queryset, municipality, "engagement__municipality").order_by(
            "engagement__municipality__code", "engagement__title", "person__name"):
        yield {"municipality": r.engagement.municipality.code, "engagement": r.engagement.title,
               "person": r.person.name, "role": r.role}


def _links(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = EngagementLink.objects.select_related("engagement__municipality")
    for link in _scope(queryset, municipality, "engagement__municipality").order_by(
            "engagement__municipality__code", "engagement__title", "url"):
        yield {"municipality": link.engagement.municipality.code, "engagement": link.engagement.title,
               "url": link.url, "title": link.title}


def _goal_links(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Alignment.objects.select_related("engagement__municipality", "goal", "focus_area")
    for a in _scope(queryset, municipality, "engagement__municipality").order_by(
            "engagement__municipality__code", "engagement__title", "pk"):
        yield {"municipality": a.engagement.municipality.code, "engagement": a.engagement.title,
               "goal": a.goal.title if a.goal else "", "focus_area": a.focus_area.title if a.focus_area else "",
               "justification": a.justification}


def _funding(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Funding.objects.select_related("municipality", "department", "programme").prefetch_related(
        Prefetch("engagements", queryset=Engagement.objects.only("id", "title").order_by()))  # sorted below
    for f in _scope(queryset, municipality).order_by("municipality__code", "title"):
        yield {
            "id": f.pk, "municipality": f.municipality.code, "title": f.title, "department": f.department.code,
            "programme": f.programme.name, "engagements": sorted(e.title for e in f.engagements.all()),
            "amount": f.amount, "currency": f.currency, "amount_dkk": f.amount_dkk, "approximate": f.approximate,
            "start": f.start_date, "end": f.end_date, "status": f.status, "description": f.description,
            "source_reference": f.source_reference, "internal_fields": f.internal_fields,
            "_internal": f.internal_fields,
        }


def _stated_figures(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = StatedFigure.objects.select_related("municipality", "department")
    for s in _scope(queryset, municipality).order_by("municipality__code", "key"):
        yield {"id": s.pk, "municipality": s.municipality.code, "key": s.key, "label": s.label, "value": s.value,
               "unit": s.unit, "qualifier": s.qualifier, "period": s.period,
               "department": s.department.code if s.department else "", "source_reference": s.source}


def _cols(*specs: str | Column) -> tuple[Column, ...]:
    return tuple(Column(spec) if isinstance(spec, str) else spec for spec in specs)


_STATEMENT = _cols("title", "strategy", "description")

TABLES: tuple[Table, ...] = (
    Table("regions", Region, _cols("code", "name", "nuts2"), _regions, scoped=False),
    Table("municipalities", Municipality, _cols(
        "code", "name", "region", Column("latitude", "number"), Column("longitude", "number")),
        _municipalities, scoped=False),
    Table("themes", Theme, _cols("name", "name_en"), _themes, scoped=False),
    Table("programmes", FundingProgramme, _cols("name", "name_en", "source", Column("aliases", "list")),
          _programmes, scoped=False),
    Table("organisations", ExternalOrganisation, _cols(
        "name", "kind", "country", Column("aliases", "list"), "website", "description"), _organisations, scoped=False),
    Table("cities", City, _cols(
        "name", "country", Column("latitude", "number"), Column("longitude", "number"), Column("aliases", "list")),
        _cities, scoped=False),
    Table("departments", Department, _cols(
        "code", "name", "name_en", "international_work", "delegation_handling"), _departments),
    Table("units", Unit, _cols("name", "international_role"), _units, parent="department"),
    Table("people", Person, _cols("name", "kind", "title", "party", "department", "unit", "email", "phone"),
          _people, personal=True),
    Table("committees", Committee, _cols("name", "name_en", "department", "international_treatment"), _committees),
    Table("strategies", Strategy, _cols(
        "name", "kind", Column("departments", "list"), Column("adopted", "year"), Column("start", "year"),
        Column("end", "year"), Column("politically_approved", "bool"), Column("revision_due", "date"),
        "description", Column("source_reference", internal=True), Column("elements", "lines")), _strategies),
    Table("goals", Goal, _STATEMENT, _statements(Goal)),
    Table("principles", Principle, _STATEMENT, _statements(Principle)),
    Table("focus_areas", FocusArea, _STATEMENT, _statements(FocusArea)),
    Table("engagements", Engagement, _cols(
        "title", "kind", "partnership_type", Column("parent", field="parent"), "lead",
        Column("departments", "list", field="participating_departments"), "unit", "status",
        Column("termination_reason", field="termination_reason"), Column("start", "date", field="start_date"),
        Column("end", "date", field="end_date"), Column("annual_fee", "number", field="annual_fee"),
        Column("co_financing", "number", field="co_financing"), Column("themes", "list", field="themes"),
        Column("organisations", "list", field="partner_organisations"),
        Column("cities", "list", field="partner_cities"), Column("description", field="description"),
        Column("contacts", "list", internal=True), Column("source_reference", internal=True),
        Column("notes", internal=True), Column("internal_fields", "list", internal=True)), _engagements),
    Table("representatives", Representative, _cols("person", "role"), _representatives, parent="engagement",
          personal=True),
    Table("links", EngagementLink, _cols("url", "title"), _links, parent="engagement"),
    Table("goal_links", Alignment, _cols("goal", "focus_area", "justification"), _goal_links, section="serves",
          parent="engagement"),
    Table("funding", Funding, _cols(
        "title", "department", "programme", Column("engagements", "list", field="engagements"),
        Column("amount", "number", field="amount"), "currency", Column("amount_dkk", "number", field="amount_dkk"),
        Column("approximate", "bool"), Column("start", "date", field="start_date"),
        Column("end", "date", field="end_date"), "status", Column("description", field="description"),
        Column("source_reference", internal=True), Column("internal_fields", "list", internal=True)), _funding),
    Table("stated_figures", StatedFigure, _cols(
        "key", "label", Column("value", "number"), "unit", "qualifier", "period", "department",
        Column("source_reference", internal=True)), _stated_figures),
)
BY_NAME = {table.name: table for table in TABLES}
# Nested tables: the section of their parent and the key naming it there.
PARENTS = {"department": ("departments", "code"), "engagement": ("engagements", "title")}


def tables_for(internal: bool) -> list[Table]:
    return [table for table in TABLES if internal or not table.personal]


# --- Export -----------------------------------------------------------------------------------------


def export_rows(table: Table, municipality: Municipality | None = None,
                internal: bool = False) -> Iterator[dict[str, Any]]:
    """The table's rows with their values as Python values (lists, dates, decimals); open data unless
    ``internal``: then the cells of fields a record marks internal are left empty."""
    names = table.column_names(internal)
    masked = {c.name: c.field for c in table.columns if c.field}
    for row in table.rows(municipality):
        hidden = set() if internal else set(row.get("_internal") or [])
        yield {name: (_empty(row[name]) if masked.get(name) in hidden else row[name]) for name in names}


def _empty(value: Any) -> Any:
    return [] if isinstance(value, list) else None


def cell(value: Any, column: Column | None) -> Any:
    """A value as one spreadsheet cell: lists joined, decimals as numbers, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ("\n" if column is not None and column.kind == "lines" else LIST_SEPARATOR).join(str(v) for v in value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def plain(value: Any) -> Any:
    """A value for JSON or YAML: lists stay lists, decimals become numbers and dates ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _column_map(table: Table) -> dict[str, Column]:
    return {c.name: c for c in table.columns}


def write_csv(table: Table, rows: Iterable[dict[str, Any]], internal: bool, bom: bool = True) -> bytes:
    """One table as CSV, comma-separated, UTF-8 with a byte-order mark (so that Excel reads Æ, Ø and Å)."""
    out = io.StringIO()
    names = table.column_names(internal)
    columns = _column_map(table)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_text(cell(row[name], columns.get(name))) for name in names])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def export(fmt: str, municipality: Municipality | None = None, internal: bool = False,
           tables: Sequence[Table] | None = None) -> tuple[bytes, str]:
    """The tables in one file: (content, file extension). CSV comes as a zip of one file per table."""
    chosen = list(tables) if tables is not None else tables_for(internal)
    if fmt == "csv" and len(chosen) == 1:
        return write_csv(chosen[0], export_rows(chosen[0], municipality, internal), internal), "csv"
    if fmt == "csv":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in chosen:
                archive.writestr(f"{table.name}.csv",
                                 write_csv(table, export_rows(table, municipality, internal), internal))
        return buffer.getvalue(), "zip"
    if fmt == "xlsx":
        return _write_xlsx(chosen, municipality, internal), "xlsx"
    data = {table.name: [{k: plain(v) for k, v in row.items()} for row in export_rows(table, municipality, internal)]
            for table in chosen}
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), "json"
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8"), "yaml"
    raise ValueError(fmt)


def _write_xlsx(tables: Sequence[Table], municipality: Municipality | None, internal: bool) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        names = table.column_names(internal)
        columns = _column_map(table)
        sheet.append(names)
        for row in export_rows(table, municipality, internal):
            sheet.append([cell(row[name], columns.get(name)) for name in names])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading files into rows ------------------------------------------------------------------------


@dataclass
class Sheet:
    """One table as read: its rows (row number, cells by column name) and where they came from."""

    table: Table | None
    name: str  # the table name as given
    source: str  # the file (and sheet)
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    header_row: int = 1


class Unreadable(Exception):
    """A file that cannot be read as tables; the message says why."""


def table_named(name: str) -> Table | None:
    """The table a file, sheet or key names: ``engagements``, ``0101-engagements.csv``, ``goal links (2)``."""
    words = "_" + "_".join(re.findall(r"\w+", Path(name).stem.casefold())) + "_"
    named = [table for table in TABLES if f"_{table.name}_" in words]
    return max(named, key=lambda table: len(table.name)) if named else None


def read(filename: str, content: bytes, table: str = "") -> list[Sheet]:
    """The tables in a file, by its extension: .csv, .xlsx, .json, .yaml/.yml or .zip (of CSV files).

    Unreadable, with the row where it can be told, for a file cut short (a row with fewer cells than the
    header, an unterminated quote, a YAML file ending mid-line, JSON ending mid-structure) and for one that
    breaks a limit of udsyn.interop.limits.
    """
    try:
        return _read(filename, content, table)
    except limits.LimitExceeded as error:
        raise Unreadable(f"{filename}: {error}") from None


def _read(filename: str, content: bytes, table: str) -> list[Sheet]:
    suffix = Path(filename).suffix.casefold()
    if suffix == ".csv":
        return [_read_csv(filename, content, table or filename)]
    if suffix == ".zip":
        return _read_zip(filename, content)
    if suffix == ".xlsx":
        return _read_xlsx(filename, content)
    if suffix in (".json", ".yaml", ".yml"):
        return _read_document(filename, content, table)
    raise Unreadable(_("{filename}: give a .csv, .xlsx, .json, .yaml or .zip file.").format(filename=filename))


def _read_csv(source: str, content: bytes, name: str) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Unreadable(_("{filename} is not UTF-8 text.").format(filename=source)) from error
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise Unreadable(_("{filename}: line {line} holds a NUL character; the file is not a CSV text file.").format(
            filename=source, line=line))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 1  # the row being read
    try:
        header = [h.strip() for h in next(reader, [])]
        sheet = Sheet(table_named(name), Path(name).stem, source, header)
        row = 2
        for number, values in enumerate(reader, start=2):
            row = number + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise Unreadable(_(
                    "{filename}: row {row} has {cells} cells, but the header has {columns} columns. The file may "
                    "have been cut short, or a cell holds an unquoted separator.").format(
                    filename=source, row=number, cells=len(values), columns=len(header)))
            if any(len(v) > limits.MAX_CELL for v in values):
                # Checked here too: the csv module's own limit is per process, and another library (frictionless)
                # may have raised it.
                raise Unreadable(_("{filename}: row {row} has a cell longer than {count} characters.").format(
                    filename=source, row=number, count=limits.MAX_CELL))
            sheet.rows.append((number, dict(zip(header, values, strict=True))))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            message = _("{filename}: row {row} has a cell longer than {count} characters.").format(
                filename=source, row=row, count=limits.MAX_CELL)
        elif "unexpected end of data" in str(error):
            message = _("{filename}: row {row} has a quote that is never closed, so the file may have been cut "
                        "short.").format(filename=source, row=row)
        else:
            message = _("{filename}: row {row} cannot be read as CSV: {error}").format(
                filename=source, row=row, error=error)
        raise Unreadable(message) from None
    if sheet.rows and not text.endswith(("\n", "\r", '"')):
        raise Unreadable(_(
            "{filename}: the file ends in the middle of row {row}, so it may have been cut short. If it is "
            "complete, end it with a line break.").format(filename=source, row=sheet.rows[-1][0]))
    return sheet



def _read_zip(source: str, content: bytes) -> list[Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        limits.check_zip(archive, source)
        budget = [limits.MAX_UNPACKED]
        sheets = []
        for info in archive.infolist():
            if info.filename.casefold().endswith(".csv") and not info.is_dir():
                name = Path(info.filename).name
                sheets.append(_read_csv(f"{source}: {name}", limits.read_member(archive, info, budget, source), name))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, RuntimeError) as error:
        raise Unreadable(_("{filename} is not a zip file that can be read.").format(filename=source)) from error
    if not sheets:
        raise Unreadable(_("{filename} holds no CSV files.").format(filename=source))
    return sheets


def _read_xlsx(source: str, content: bytes) -> list[Sheet]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            limits.check_zip(archive, source)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except limits.LimitExceeded:
        raise
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise Unreadable(_("{filename} is not an Excel workbook (.xlsx).").format(filename=source)) from error
    sheets = []
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        while header and not header[-1]:
            header.pop()
        sheet = Sheet(table_named(worksheet.title), worksheet.title, f"{source}: {worksheet.title}", header)
        try:
            for number, values in enumerate(rows, start=2):
                if any(v not in (None, "") for v in values):
                    sheet.rows.append((number, dict(zip(header, values, strict=False))))
        except Exception as error:  # a damaged sheet: openpyxl raises many kinds
            workbook.close()
            raise Unreadable(_("{filename}: the sheet {sheet} cannot be read.").format(
                filename=source, sheet=worksheet.title)) from error
        sheets.append(sheet)
    workbook.close()
    return sheets


def _read_document(source: str, content: bytes, table: str) -> list[Sheet]:
    is_json = source.casefold().endswith(".json")
    if not is_json and content.strip() and not content.endswith((b"\n", b"\r")):
        raise Unreadable(_(
            "{filename}: the file ends in the middle of line {line}, so it may have been cut short. If it is "
            "complete, end it with a line break.").format(filename=source, line=content.count(b"\n") + 1))
    try:
        data = limits.load_json(content) if is_json else limits.load_yaml(content)
    except limits.LimitExceeded:
        raise
    except (ValueError, yaml.YAMLError) as error:
        raise Unreadable(_("{filename} cannot be read: {error}").format(filename=source, error=error)) from error
    if isinstance(data, list):
        data = {table or Path(source).stem: data}
    if not isinstance(data, dict):
        raise Unreadable(_("{filename} must hold a mapping of table names to lists of rows.").format(filename=source))
    sheets = []
    for name, rows in data.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise Unreadable(_("{filename}: {table} must be a list of rows (mappings).").format(
                filename=source, table=name))
        columns = list(dict.fromkeys(key for row in rows for key in row))
        sheet = Sheet(table_named(str(name)), str(name), f"{source}: {name}", columns, header_row=0)
        sheet.rows = [(number, row) for number, row in enumerate(rows, start=1)]
        sheets.append(sheet)
    return sheets


# --- Rows into registry documents -------------------------------------------------------------------

_TRUE = {"true", "yes", "ja", "1", "x", "sand"}
_FALSE = {"false", "no", "nej", "0", "", "falsk"}


def _value(raw: Any, column: Column | None) -> tuple[Any, str | None]:
    """A cell as the registry importer reads a YAML value: (value, its source text)."""
    kind = column.kind if column is not None else "text"
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, float) and raw.is_integer() and kind in ("text", "int", "year"):
        raw = int(raw)
    if kind in ("list", "lines"):
        return _list(raw, "\n" if kind == "lines" else ";"), None
    text = raw.strip() if isinstance(raw, str) else raw
    if text == "" or text is None:
        return (False, "") if kind == "bool" else (None, None)
    if kind == "bool" and isinstance(text, str):
        folded = text.casefold()
        return (True if folded in _TRUE else False if folded in _FALSE else text), text
    if kind == "int" and isinstance(text, str) and text.isdecimal():
        return int(text), text
    return text, None if isinstance(text, str) else str(text)


def _list(raw: Any, separator: str) -> YamlList:
    items: list[Any]
    if raw is None:
        items = []
    elif isinstance(raw, list):
        items = raw
    else:
        items = [part for part in str(raw).split(separator) if part.strip()]
    result = YamlList(0)
    for item in items:
        text = item.strip() if isinstance(item, str) else item
        result.append(text)
        result.lines.append(0)
        result.raw.append(str(text) if text is not None else None)
    return result


@dataclass
class Conversion:
    """The documents to import (one per municipality, shared tables first) and the problems found on the way."""

    documents: list[tuple[str, YamlMap]]
    problems: list[ImportProblem]
    rows: int


def _problem(sheet: Sheet, row: int, column: str, message: str) -> ImportProblem:
    return ImportProblem(row or None, sheet.name, column, message, sheet.source, row=True)


def convert(sheets: Sequence[Sheet]) -> Conversion:
    """Check the tables' columns and turn their rows into registry documents."""
    problems: list[ImportProblem] = []
    shared = YamlMap(0)
    scoped: dict[str, YamlMap] = {}
    named: dict[tuple[str, str, str], YamlMap] = {}  # (municipality, section, folded key) -> record
    present: set[str] = set()
    count = 0
    ordered = sorted(sheets, key=lambda s: TABLES.index(s.table) if s.table else -1)
    for sheet in ordered:
        table = sheet.table
        if table is None:
            problems.append(_problem(sheet, 0, "", _('"{name}" is not a table of the registry. Tables: {tables}.')
                                     .format(name=sheet.name, tables=", ".join(BY_NAME))))
            continue
        if not _header_ok(sheet, table, problems):
            continue
        present.add(table.name)
        columns = _column_map(table)
        for number, cells in sheet.rows:
            count += 1
            record = YamlMap(number)
            record.keep_internal = "internal_fields" in columns and "internal_fields" not in sheet.columns
            for name, raw in cells.items():
                if name in ("id", "municipality") or name == table.parent:
                    continue
                value, text = _value(raw, columns.get(name))
                record[name] = value
                if text is not None:
                    record.raw[name] = text
                if isinstance(value, YamlList):
                    value.line = number
                    value.lines = [number] * len(value)
            if not _identify(sheet, table, number, cells, record, problems):
                continue
            code = str(cells.get("municipality") or "").strip() if table.scoped else ""
            if table.scoped and not code:
                problems.append(_problem(sheet, number, "municipality", _("This field is required.")))
                continue
            doc = shared if not table.scoped else scoped.setdefault(code, _municipality_doc(code, number))
            if table.parent:
                section, key = PARENTS[table.parent]
                parent = _parent_record(doc, named, code, section, key, str(cells.get(table.parent) or ""), number)
                if parent is None:
                    problems.append(_problem(sheet, number, table.parent, _("This field is required.")))
                    continue
                nested = parent.setdefault(table.key, YamlList(number))
                nested.append(record)
                nested.lines.append(number)
            else:
                rows = doc.setdefault(table.key, YamlList(number))
                rows.append(record)
                rows.lines.append(number)
                label = registry_label(table)
                if label and isinstance(record.get(label), str | int):
                    named[(code, table.key, registry._key(str(record[label])))] = record
    _replace_nested(scoped, present)
    documents = [("", shared)] if len(shared) else []
    documents += [(code, scoped[code]) for code in sorted(scoped)]
    return Conversion(documents, problems, count)


def registry_label(table: Table) -> str:
    """The key naming a record of a parent table (a department's code, an engagement's title), or ""."""
    return dict(PARENTS.values()).get(table.key, "")


def _header_ok(sheet: Sheet, table: Table, problems: list[ImportProblem]) -> bool:
    allowed = table.column_names(internal=True)
    unknown = [name for name in sheet.columns if name not in allowed]
    for name in unknown:
        problems.append(_problem(sheet, sheet.header_row, name, _(
            'Unknown column "{name}". Columns of {table}: {allowed}.').format(
            name=name or "?", table=table.name, allowed=", ".join(allowed))))
    return not unknown


def _identify(sheet: Sheet, table: Table, number: int, cells: dict[str, Any], record: YamlMap,
              problems: list[ImportProblem]) -> bool:
    raw = cells.get("id")
    if raw in (None, ""):
        return True
    text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
    if not text.isdecimal():
        problems.append(_problem(sheet, number, "id", _('"{value}" is not an id (a whole number).').format(
            value=text)))
        return False
    record.record_id = int(text)
    return True


def _municipality_doc(code: str, row: int) -> YamlMap:
    doc = YamlMap(row)
    municipality = YamlMap(row)
    municipality["code"] = code
    municipality.raw["code"] = code
    municipality.existing_only = True
    doc["municipality"] = municipality
    return doc


def _parent_record(doc: YamlMap, named: dict[tuple[str, str, str], YamlMap], code: str, section: str, key: str,
                   value: str, row: int) -> YamlMap | None:
    """The department or engagement a nested row belongs to: its row in this import, or one naming it."""
    value = value.strip()
    if not value:
        return None
    lookup = (code, section, registry._key(value))
    record = named.get(lookup)
    if record is None:
        record = YamlMap(row)
        record[key] = value
        record.existing_only = True
        rows = doc.setdefault(section, YamlList(row))
        rows.append(record)
        rows.lines.append(row)
        named[lookup] = record
    return record


def _replace_nested(docs: dict[str, YamlMap], present: set[str]) -> None:
    """Records of a parent table imported with one of its nested tables get that table's (maybe empty) list."""
    for table in TABLES:
        if not table.parent or table.name not in present or table.name == "units":
            continue  # units are added and updated, never deleted by an import
        section, _key = PARENTS[table.parent]
        for doc in docs.values():
            for record in doc.get(section, []):
                if not record.existing_only and table.key not in record:
                    record[table.key] = YamlList(record.line)


def import_tables(sheets: Sequence[Sheet], *, user: Any = None, dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None, create_themes: bool = False) -> ImportResult:
    """Import the tables: all their rows or, if any has a problem, none.

    ``progress(done, total)`` is called as rows are read, about a hundred times in all.
    """
    conversion = convert(sheets)
    if conversion.problems:
        result = ImportResult()
        result.problems = conversion.problems
        return result
    tick = None
    if progress is not None:
        report = progress
        total, step, done = conversion.rows, max(1, conversion.rows // 100), [0]

        def tick() -> None:
            done[0] += 1
            if done[0] % step == 0 and done[0] < total:
                report(done[0], total)

    filename = _sources(sheets)
    result = registry.import_documents(
        [(filename, doc) for _code, doc in conversion.documents], user=user, dry_run=dry_run,
        section_names={table.key: table.name for table in TABLES}, progress=tick, create_themes=create_themes,
    )
    if progress is not None:
        progress(conversion.rows, conversion.rows)
    return result


def _sources(sheets: Sequence[Sheet]) -> str:
    """The file or files the sheets came from (a workbook's sheets and a zip's files name their file)."""
    return ", ".join(dict.fromkeys(sheet.source.split(": ")[0] for sheet in sheets))


def is_registry_file(filename: str, content: bytes) -> bool:
    """Whether a file is a registry file (docs/import-format.md) rather than tables.

    A YAML file is a registry file when it has a ``municipality:`` or ``source:`` section, or when all
    its sections are registry sections and none of its rows carries an ``id`` or a ``municipality``
    (then both readings agree, and the registry's reading reports problems by line).
    """
    if Path(filename).suffix.casefold() not in (".yaml", ".yml"):
        return False
    if re.search(rb"^(municipality|source):", content, re.MULTILINE):
        return True
    try:
        data = limits.load_yaml(content)
    except (yaml.YAMLError, ValueError):
        return True  # the registry importer reports where the YAML breaks, with its line
    if not isinstance(data, dict):
        return True
    if "municipality" in data or "source" in data:
        return True
    rows = [row for value in data.values() if isinstance(value, list) for row in value if isinstance(row, dict)]
    return set(data) <= set(registry.SECTIONS) and not any("id" in row or "municipality" in row for row in rows)
