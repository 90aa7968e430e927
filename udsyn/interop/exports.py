"""Every export of the registry by format name, as bytes: tables, a Data Package and the open standards.

The tables (csv, xlsx, json, yaml) are open data unless asked for internally (tabular.py); the Data
Package, Popolo, IATI and iCalendar exports are always open data.
"""

import io
import json
import zipfile
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.interop import tabular
from udsyn.interop.tabular import Table
from udsyn.organisation.models import Municipality

FORMATS = ("csv", "xlsx", "json", "yaml", "datapackage", "popolo", "iati", "ics")
EXTENSIONS = {"datapackage": "zip", "popolo": "json", "iati": "xml", "ics": "ics", "xlsx": "xlsx", "json": "json",
              "yaml": "yaml"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8", "zip": "application/zip", "json": "application/json",
    "yaml": "application/yaml; charset=utf-8", "xml": "application/xml",
    "ics": "text/calendar; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportError(Exception):
    """An export that cannot be made as asked; the message says why."""


def export(fmt: str, municipality: Municipality | None = None, *, internal: bool = False, table: str = "") -> bytes:
    return export_file(fmt, municipality, internal=internal, table=table)[0]


def export_file(fmt: str, municipality: Municipality | None = None, *, internal: bool = False,
                table: str = "") -> tuple[bytes, str]:
    """(content, file extension) of the export in that format."""
    if fmt in tabular.FORMATS:
        tables = None
        if table:
            chosen = tabular.by_name().get(table)
            if chosen is None or (chosen.personal and not internal):
                raise ExportError(_('No table "{name}". Tables: {tables}.').format(
                    name=table, tables=", ".join(t.name for t in tabular.tables_for(internal))))
            tables = [chosen]
        return tabular.export(fmt, municipality, internal=internal, tables=tables)
    if internal or table:
        raise ExportError(_("--internal and --table are for the table formats (csv, xlsx, json, yaml)."))
    if fmt == "datapackage":
        return datapackage(municipality), "zip"
    if fmt == "popolo":
        from udsyn.interop.popolo import popolo

        return json.dumps(popolo(municipality), ensure_ascii=False, indent=1).encode("utf-8"), "json"
    if fmt == "iati":
        from udsyn.interop.iati import iati_activities

        document = iati_activities(municipality)
        if b"<iati-activity" not in document:
            raise ExportError(_("There are no dated projects to export as IATI activities."))
        return document, "xml"
    if fmt == "ics":
        from udsyn.interop.ical import open_calendar

        return open_calendar(municipality), "ics"
    raise ExportError(_("Unknown format {format}.").format(format=fmt))


# --- Frictionless Data Package ----------------------------------------------------------------------

FIELD_TYPES = {"text": "string", "list": "string", "lines": "string", "bool": "boolean", "int": "integer",
               "number": "number", "date": "date", "year": "year"}


def _schema(table: Table) -> dict[str, Any]:
    kinds = {column.name: column.kind for column in table.columns}
    fields: list[dict[str, Any]] = []
    for name in table.column_names(internal=False):
        kind = "int" if name == "id" else kinds.get(name, "text")
        spec: dict[str, Any] = {"name": name, "type": FIELD_TYPES[kind]}
        if kind == "list":
            spec["description"] = "A list; entries are separated by '; '."
        elif kind == "bool":
            spec.update(trueValues=["true"], falseValues=["false"])
        if name == "id":
            spec["constraints"] = {"required": True, "unique": True}
        fields.append(spec)
    schema: dict[str, Any] = {"fields": fields}
    if table.has_id:
        schema["primaryKey"] = ["id"]
    if table.scoped:
        schema["foreignKeys"] = [{"fields": ["municipality"], "reference": {"resource": "municipalities",
                                                                             "fields": ["code"]}}]
    return schema


def datapackage(municipality: Municipality | None = None) -> bytes:
    """The open data as a Frictionless Data Package: a zip of ``datapackage.json`` and one CSV per table.

    Paths in the descriptor are relative, so the unpacked directory validates with
    ``frictionless validate datapackage.json``.
    """
    name = f"udsyn-{municipality.code}" if municipality else "udsyn"
    title = (_("International work of {municipality}").format(municipality=municipality.official_name)
             if municipality else _("International work of Danish municipalities"))
    resources = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tabular.tables_for(internal=False):
            path = f"data/{table.name}.csv"
            rows = tabular.export_rows(table, municipality, internal=False)
            archive.writestr(path, tabular.write_csv(table, rows, internal=False, bom=False))
            resources.append({
                "name": table.name, "path": path, "profile": "tabular-data-resource", "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8", "schema": _schema(table),
            })
        descriptor = {
            "profile": "tabular-data-package", "name": name, "title": title,
            "description": _("Open data from Udsyn: memberships, partnerships, projects and funding. "
                             "People, contact persons, internal notes and fields marked internal are left out."),
            "created": timezone.now().replace(microsecond=0).isoformat(),
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=1))
    return buffer.getvalue()


def filename(municipality: Municipality | None, extension: str, table: str = "") -> str:
    stem = "-".join(part for part in ("udsyn", municipality.code if municipality else "", table,
                                      timezone.localdate().isoformat()) if part)
    return f"{stem}.{extension}"
