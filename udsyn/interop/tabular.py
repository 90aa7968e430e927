"""The registry as tables: every record type as rows of CSV, XLSX, JSON or YAML, out and back in.

One table per record type, registered by the app that owns it (``udsyn/<app>/exchange.py``), one column
per key of the registry file format (docs/import-format.md), so that a row means what the same record
means in a registry file:

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
from django.utils.translation import gettext as _

from udsyn.core.exchange import limits, sections
from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import ImportProblem, ImportResult, import_documents
from udsyn.core.exchange.sections import Column, Table
from udsyn.core.exchange.values import YamlList, YamlMap
from udsyn.organisation.models import Municipality

__all__ = ["Column", "Table", "export", "export_rows", "import_tables", "read", "tables", "tables_for"]

FORMATS = ("csv", "xlsx", "json", "yaml")
LIST_SEPARATOR = "; "


# --- The tables: each app registers its own (udsyn/<app>/exchange.py) ----------------------------------


def tables() -> list[Table]:
    """Every table, in the order of the exports and of an import's reading."""
    return sections.tables()


def by_name() -> dict[str, Table]:
    return {table.name: table for table in tables()}


def _parent(table: Table) -> tuple[str, str]:
    """A nested table's parent: the section of its department or engagement, and the key naming one there."""
    return table.parent_section, sections.section(table.parent_section).label


def tables_for(internal: bool) -> list[Table]:
    return [table for table in tables() if internal or not table.personal]


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
        writer.writerow([_csv_text(neutral(cell(row[name], columns.get(name)))) for name in names])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


# A spreadsheet takes a cell that starts with one of these for a formula (=HYPERLINK(...), @SUM(...), +1+1, or
# after a tab or carriage return). Every cell written to CSV or XLSX that starts with one is written with a
# leading apostrophe, as OWASP's guidance on CSV injection says, so that a spreadsheet shows it as text and
# never runs it; the readers take the apostrophe off again, so an export re-imports to the same values.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Any) -> Any:
    """A cell's value as written to CSV or XLSX: text a spreadsheet would read as a formula gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _unneutral(value: Any) -> Any:
    """A cell as read from CSV or XLSX: the apostrophe the exports put before formula-like text taken off."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


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
            # Never a formula: text that starts like one gets its apostrophe (a plain string cell then).
            sheet.append([neutral(cell(row[name], columns.get(name))) for name in names])
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
    named = [table for table in tables() if f"_{table.name}_" in words]
    return max(named, key=lambda table: len(table.name)) if named else None


def read(filename: str, content: bytes, table: str = "") -> list[Sheet]:
    """The tables in a file, by its extension: .csv, .xlsx, .json, .yaml/.yml or .zip (of CSV files).

    Unreadable, with the row where it can be told, for a file cut short (a row with fewer cells than the
    header, an unterminated quote, a YAML file ending mid-line, JSON ending mid-structure) and for one that
    breaks a limit of udsyn.core.exchange.limits.
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
            sheet.rows.append((number, dict(zip(header, map(_unneutral, values), strict=True))))
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
                    sheet.rows.append((number, dict(zip(header, map(_unneutral, values), strict=False))))
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
    ordered = sorted(sheets, key=lambda s: s.table.order if s.table else -1)
    for sheet in ordered:
        table = sheet.table
        if table is None:
            problems.append(_problem(sheet, 0, "", _('"{name}" is not a table of the registry. Tables: {tables}.')
                                     .format(name=sheet.name, tables=", ".join(t.name for t in tables()))))
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
                section, key = _parent(table)
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
                    named[(code, table.key, v.key(str(record[label])))] = record
    _replace_nested(scoped, present)
    documents = [("", shared)] if len(shared) else []
    documents += [(code, scoped[code]) for code in sorted(scoped)]
    return Conversion(documents, problems, count)


def registry_label(table: Table) -> str:
    """The key naming a record of a parent table (a department's code, an engagement's title), or ""."""
    parents = {t.parent_section for t in tables() if t.parent_section}
    return sections.section(table.key).label if table.key in parents else ""


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
    lookup = (code, section, v.key(value))
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
    for table in tables():
        if not table.parent or table.name not in present or not table.replaces:
            continue  # units are added and updated, never deleted by an import
        section, _label = _parent(table)
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
    result = import_documents(
        [(filename, doc) for _code, doc in conversion.documents], user=user, dry_run=dry_run,
        section_names={table.key: table.name for table in tables()}, progress=tick, create_themes=create_themes,
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
    return set(data) <= set(sections.section_names()) and not any("id" in row or "municipality" in row for row in rows)
