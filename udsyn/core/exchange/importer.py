"""The importer, kernel of the import/export registry: checks and writes registry files and spreadsheet rows.

A registry file (docs/import-format.md) is read with the line of every mapping and key. Its records are
then checked and written section by section, in the order the apps registered them (udsyn.core.exchange.
sections: what is referred to before what refers to it), inside one transaction. Every problem is collected
with its line, place and field; if there is any, or on a dry run, the transaction is rolled back, so either
the whole file is written or none of it, and a dry run's counts are the real ones.

Records are matched on their natural key and only saved when something differs, so importing the same
file twice changes nothing. A key the file leaves out leaves that field as it is (a new record gets the
field's default); a list the file gives (departments, themes, representatives, links, elements ...) is
made exactly that list. Before every write the user's right to it is asked of the permission policy
(udsyn.core.exchange.scope), as the record is and as it will be.

This module is generic: what a section's records mean is in the apps' ``exchange.py``, which call the
``FileImport`` methods (``records``, ``put``, ``find``, ``upsert``, ``delete`` ...).
"""

import datetime
import difflib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from udsyn.core.database import private_copy
from udsyn.core.exchange import scope, sections
from udsyn.core.exchange import values as v
from udsyn.core.exchange.sections import Schema
from udsyn.core.exchange.values import Source, YamlList, YamlMap

M = TypeVar("M", bound=models.Model)


# --- The result -------------------------------------------------------------------------------------


@dataclass
class ImportProblem:
    line: int | None
    where: str
    field: str
    message: str
    filename: str = ""
    row: bool = False  # the place is a spreadsheet row, not a line of text
    refused: bool = False  # the user may not write the record

    def __post_init__(self) -> None:
        self.where, self.field = str(self.where), str(self.field)  # a key may be a number

    def __str__(self) -> str:
        place = _("row {row}").format(row=self.line) if self.row else _("line {line}").format(line=self.line)
        parts = [place] if self.line else []
        parts += [part for part in (self.where, self.field) if part]
        return "{}: {}".format(", ".join(parts), self.message) if parts else self.message


@dataclass
class Change:
    """One field an import changes on a record that exists: the check step lists them, field by field.

    ``flag`` warns of an update that empties (``blanked``) or shortens (``shortened``) existing text, as a
    file cut short would.
    """

    kind: str
    record: str
    field: str
    old: str
    new: str
    flag: str = ""
    line: int | None = None
    filename: str = ""

    def __str__(self) -> str:
        warning = {"blanked": _(" (EMPTIED)"), "shortened": _(" (SHORTENED)")}.get(self.flag, "")
        return _("{kind} {record}, {field}: {old} → {new}{warning}").format(
            kind=self.kind, record=self.record, field=self.field, old=_shown(self.old), new=_shown(self.new),
            warning=warning)


def _shown(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return '"{}"'.format(text if len(text) <= length else text[:length - 1] + "…")


@dataclass
class ImportResult:
    """What an import did (or, on a dry run or with problems, would have done), by model name."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)
    municipality_codes: set[str] = field(default_factory=set)
    changes: list[Change] = field(default_factory=list)
    new_themes: dict[str, int | None] = field(default_factory=dict)  # themes named but not there, by name
    near_duplicates: list[str] = field(default_factory=list)  # new shared records like existing ones
    # The near-duplicate finder of each model, for all the files of one import (see FileImport.finder).
    finders: dict[type[models.Model], Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused(self) -> bool:
        """Whether the user may not write some record of the import."""
        return any(problem.refused for problem in self.problems)

    @property
    def flagged(self) -> list[Change]:
        """The changes that empty or shorten existing text."""
        return [change for change in self.changes if change.flag]

    @property
    def summary_rows(self) -> list[tuple[str, int, int, int, int]]:
        """(record type, created, updated, unchanged, deleted) for each model the files touch."""
        rows = []
        for model in sections.written_models():
            name = model._meta.model_name or ""
            counts = (self.created[name], self.updated[name], self.unchanged[name], self.deleted[name])
            if any(counts):
                rows.append((capfirst(str(model._meta.verbose_name_plural)), *counts))
        return rows



def import_registry(source: Source, *, filename: str, user: Any = None, dry_run: bool = False,
                    create_themes: bool = False) -> ImportResult:
    """Check one registry file and, if it has no problems and this is not a dry run, write all of it."""
    return import_files([(filename, source)], user=user, dry_run=dry_run, create_themes=create_themes)


class _RollBack(Exception):
    """Raised to undo a dry run or an import with problems."""


def import_files(files: Sequence[tuple[str, Source]], *, user: Any = None, dry_run: bool = False,
                 create_themes: bool = False) -> ImportResult:
    """Import several files in order in one transaction: all of them, or (on any problem) none.

    Every record is checked, its user's right to write it included, before it is written; a theme an
    engagement names that neither the database nor the files hold is created only with ``create_themes``
    (else it is a problem), and is listed in the result's ``new_themes`` either way.
    """
    def job(name: str, source: Source) -> Callable[[ImportResult], None]:
        return lambda result: FileImport(result, name, user, create_themes=create_themes).run(source)

    return _in_one_transaction([job(name, source) for name, source in files], dry_run)


def import_documents(documents: Sequence[tuple[str, YamlMap]], *, user: Any = None, dry_run: bool = False,
                     section_names: dict[str, str] | None = None,
                     progress: Callable[[], None] | None = None, create_themes: bool = False) -> ImportResult:
    """Import documents already read (from spreadsheet rows, whose places are rows) in one transaction.

    ``section_names`` names sections as the user knows them (a table's name); ``progress()`` is called
    for each record read.
    """
    def job(name: str, doc: YamlMap) -> Callable[[ImportResult], None]:
        def run(result: ImportResult) -> None:
            FileImport(result, name, user, rows=True, names=section_names, progress=progress,
                        create_themes=create_themes).run_document(doc)
        return run

    return _in_one_transaction([job(name, doc) for name, doc in documents], dry_run)


def _in_one_transaction(jobs: Sequence[Callable[["ImportResult"], None]], dry_run: bool) -> ImportResult:
    """Run the jobs in one transaction, kept only if this is no dry run and they found no problem.

    A dry run on SQLite runs on a private copy of the database (udsyn.core.database), so that the check holds
    no write lock that other requests would wait for; its writes are rolled back there all the same.
    """
    result = ImportResult()
    try:
        with private_copy() if dry_run else nullcontext(), transaction.atomic():
            for job in jobs:
                job(result)
            if dry_run or not result.ok:
                raise _RollBack
    except _RollBack:
        pass
    except DatabaseError as error:
        result.problems.append(ImportProblem(
            None, "", "", _("The database refused the import: {error}").format(error=error),
        ))
    result.finders.clear()
    return result



def display(value: Any) -> str:
    """A field's value as the check step shows it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return reference(value)
    return str(value)


def reference(obj: models.Model) -> str:
    """A record as a file names it: a department by its code, a city as Name|CC, others by name or title."""
    named = sections.reference_of(type(obj))
    if named is not None:
        return named(obj)
    return str(getattr(obj, "code", None) or getattr(obj, "name", None) or getattr(obj, "title", None) or obj)


def snapshot(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in ("id", "created", "updated")}




# --- One record of the file ----------------------------------------------------------------------


class Rec:
    """One record (mapping) of the file: where it is, its values as read, and whether it can be written."""

    def __init__(self, job: "FileImport", data: Any, where: str, schema: Schema, line: int,
                 section: str = "") -> None:
        self.job = job
        self.schema = schema
        self.section = section  # the section's name (a nested one's key), for the sections nested in it
        self.data = data if isinstance(data, YamlMap) else YamlMap(line)
        if job.progress is not None:
            job.progress()
        label = v.label(self.data, schema.label)
        self.where = f'{where} "{label}"' if label else where
        self.failed = False  # it has a problem of its own
        self.blocked = False  # it refers to a record of the file that has a problem
        self.problem_keys: set[str] = set()
        self.values: dict[str, Any] = {}
        self.refs: dict[str, Any] = {}
        if not isinstance(data, YamlMap):
            self.problem("", _("Give a mapping of keys and values here."))
            self.blocked = True  # nothing more to say of it: its model's checks would only repeat this
            return
        self._check_keys()
        self._read()

    @property
    def ok(self) -> bool:
        return not (self.failed or self.blocked)

    def problem(self, key: str, message: str, line: int | None = None) -> None:
        self.failed = True
        self.problem_keys.add(key)
        self.job.problem(line or (self.data.line_of(key) if key else self.data.line), self.where, key, message)

    def item_line(self, key: str, index: int) -> int:
        value = self.data.get(key)
        if isinstance(value, YamlList) and index < len(value.lines):
            return value.lines[index]
        return self.data.line_of(key)

    def natural(self, field_name: str) -> str:
        """The natural key the record gives in one of its fields ("" when it gives none)."""
        return v.key(self.values.get(field_name, ""))

    def bad_fields(self) -> list[str]:
        """The model fields whose keys already have a problem, so that model validation leaves them out."""
        return [col.field for key, col in self.schema.cols.items() if key in self.problem_keys and col.field]

    def model_errors(self, error: ValidationError, excluded: list[str]) -> None:
        for name, messages in error.message_dict.items():
            if name not in excluded:
                for message in messages:
                    self.problem(self.schema.key_for(name), message)

    def _check_keys(self) -> None:
        allowed = list(self.schema.cols)
        for key in self.data:
            if key not in self.schema.cols:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = _(' Did you mean "{key}"?').format(key=close[0]) if close else ""
                self.problem(str(key), _('Unknown key "{key}".{hint} Allowed: {allowed}.').format(
                    key=key, hint=hint, allowed=", ".join(allowed)))
        for key in self.data.repeated:
            self.problem(str(key), _('The key "{key}" is given more than once.').format(key=key))

    def _read(self) -> None:
        for key, col in self.schema.cols.items():
            if key not in self.data:
                if col.required and not self.data.existing_only:
                    self.problem(key, _("This field is required."))
                continue
            try:
                value = col.parse(self.data[key], self.data.raw.get(key))
            except v.Bad as bad:
                self.problem(key, str(bad))
                continue
            if col.required and value in ("", None, []):
                self.problem(key, _("This field is required."))
            elif col.ref:
                self.refs[key] = value
            elif col.field:
                self.values[col.field] = value


class KeyTable(Generic[M]):
    """Records of one kind by natural key: those saved (before or by this import) and those the file lists.

    A record renamed by this import (a row updating it by id) keeps its former key for references only,
    so that other rows may still name it as they did.
    """

    def __init__(self) -> None:
        # Keys are folded texts, or (folded text, text) pairs for units and cities.
        self.saved: dict[Any, M] = {}
        self.declared: dict[Any, int] = {}
        self.former: dict[Any, M] = {}
        self.ids: dict[Any, M] = {}
        self.key_of: dict[Any, Hashable] = {}

    def add(self, obj: M, key: Hashable, aliases: Iterable[Hashable] = ()) -> None:
        old = self.key_of.get(obj.pk)
        if old is not None and old != key and getattr(self.saved.get(old), "pk", None) == obj.pk:
            self.former[old] = self.saved.pop(old)
        self.saved[key] = obj
        self.ids[obj.pk] = obj
        self.key_of[obj.pk] = key
        for alias in aliases:
            self.saved.setdefault(alias, obj)

    def get(self, key: Hashable) -> M | None:
        return self.saved.get(key)

    def get_ref(self, key: Hashable) -> M | None:
        """The record a reference names: by its key, or by the key it had before this import renamed it."""
        return self.saved.get(key) or self.former.get(key)

    def first(self, keys: Iterable[Hashable]) -> M | None:
        return next((self.saved[key] for key in keys if key in self.saved), None)




# --- Importing one file -----------------------------------------------------------------------------


class FileImport:
    """Check and write one file, adding its problems and counts to the result."""

    def __init__(self, result: ImportResult, filename: str, user: Any, rows: bool = False,
                 names: dict[str, str] | None = None, progress: Callable[[], None] | None = None,
                 create_themes: bool = False) -> None:
        self.result = result
        self.create_themes = create_themes
        self.filename = filename
        self.user = user
        self.rows = rows
        self.names = names or {}
        self.progress = progress
        self.reason = _("Import from {filename}").format(filename=filename)
        self.doc = YamlMap(1)
        self.problems: list[ImportProblem] = []
        self.duplicates: set[int] = set()
        self.municipality: Any = None  # the file's municipality, once its section is written
        self.source_title = ""
        self.tables: dict[str, KeyTable[Any]] = {}  # records by natural key, per section (see table())
        self.state: dict[str, Any] = {}  # what one section's writer leaves for another's

    def run(self, source: Source) -> None:
        doc = self._parse(source)
        if doc is not None:
            self.run_document(doc)
        else:
            self._finish()

    def run_document(self, doc: YamlMap) -> None:
        self.doc = doc
        self._check_sections()
        self._declare()
        self._load(None)
        for section in sections.sections():
            if section.write is not None:
                section.write(self)
        self._finish()

    def _finish(self) -> None:
        self.problems.sort(key=lambda problem: problem.line or 0)
        self.result.problems.extend(self.problems)

    def problem(self, line: int | None, where: str, key: str, message: str) -> None:
        self.problems.append(ImportProblem(line, where, key, message, self.filename, self.rows))

    def already_listed(self, line: int) -> str:
        if self.rows:
            return _("Already listed in row {row}.").format(row=line)
        return _("Already listed at line {line}.").format(line=line)

    def place(self, section: str, index: int) -> str:
        """How a record is named in messages: by its index in a file's list, or by its table for a row."""
        return self.names.get(section, section) if self.rows else f"{section}[{index}]"

    def _parse(self, source: Source) -> YamlMap | None:
        try:
            text = v.text_of(source)
        except UnicodeDecodeError:
            self.problem(None, "", "", _("The file is not UTF-8 text."))
            return None
        if text.strip() and not text.endswith(("\n", "\r")):
            self.problem(text.count("\n") + 1, "", "", _(
                "The file ends in the middle of a line, so it may have been cut short. If it is complete, end it "
                "with a line break."))
            return None
        doc, problem = v.load(text)
        if problem is not None:
            self.problem(problem[0], "", "", problem[1])
            return None
        if doc is None:
            self.problem(None, "", "", _("The file is empty."))
            return None
        if not isinstance(doc, YamlMap):
            self.problem(1, "", "", _("The file must be a mapping of sections such as municipality: and engagements:."))
            return None
        return doc

    def _check_sections(self) -> None:
        names = sections.section_names()
        for key in self.doc:
            if key not in names:
                close = difflib.get_close_matches(str(key), names, n=1)
                hint = _(' Did you mean "{key}"?').format(key=close[0]) if close else ""
                message = _('Unknown section "{key}".{hint} Allowed: {allowed}.').format(
                    key=key, hint=hint, allowed=", ".join(names))
                self.problem(self.doc.line_of(key), "", str(key), message)
        for key in self.doc.repeated:
            self.problem(self.doc.line_of(key), "", str(key), _('The section "{key}" is given more than once.')
                         .format(key=key))
        scoped = [section.name for section in sections.sections() if section.scoped]
        if sections.SCOPE not in self.doc and any(name in self.doc for name in scoped):
            self.problem(None, "", "municipality", _("The file needs a municipality: section for its records."))

    # Which records the file lists, so that references may point forward and duplicates are found.

    def _declare(self) -> None:
        for section in sections.sections():
            if section.declare is not None:
                section.declare(self)
            elif section.listed:
                self.declare_items(section.name, section.label)

    def declare_items(self, section: str, label_key: str, aliases: bool = False) -> None:
        """Declare the records a section lists by their label (and, with ``aliases``, their aliases too)."""
        table = self.table(section)
        for index, item in self.items(section):
            names = v.aliases(item) if aliases else []
            self.declare_one(table, v.key(v.label(item, label_key)), item, section, index, label_key,
                             [v.key(name) for name in names])

    def declare_one(self, table: KeyTable[Any], key: Hashable, item: Any, section: str, index: int,
                     label_key: str, aliases: Iterable[Hashable] = ()) -> None:
        if not isinstance(item, YamlMap) or not key or key == ("", ""):
            return
        first = table.declared.get(key)
        if first is not None:
            self.duplicates.add(id(item))
            self.problem(item.line_of(label_key), f'{self.place(section, index)} "{v.label(item, label_key)}"',
                         label_key, self.already_listed(first))
            return
        table.declared[key] = item.line
        for alias in aliases:
            table.declared.setdefault(alias, item.line)

    def items(self, section: str) -> Iterator[tuple[int, Any]]:
        value = self.doc.get(section)
        if isinstance(value, YamlList):
            yield from enumerate(value)

    def records(self, section: str, schema: Schema | None = None) -> Iterator[Rec]:
        """The records of a top-level section, read with its schema (or the one given)."""
        schema = schema or sections.section(section).schema
        value = self.doc.get(section)
        if value is None:
            return
        if not isinstance(value, YamlList):
            self.problem(self.doc.line_of(section), "", section, _("Give a list of entries here."))
            return
        for index, item in enumerate(value):
            if id(item) not in self.duplicates:
                yield Rec(self, item, self.place(section, index), schema, value.lines[index], section)

    def nested(self, rec: Rec, key: str, schema: Schema | None = None) -> list[Rec]:
        """The records of a list nested in a record, read with the nested section's schema (or the one given)."""
        schema = schema or sections.section(key, rec.section).schema
        items: YamlList = rec.refs.get(key, YamlList(0))
        return [
            Rec(self, item, f"{rec.where}, {self.place(key, index)}", schema, items.lines[index], key)
            for index, item in enumerate(items) if id(item) not in self.duplicates
        ]

    # Loading what the database holds.

    def table(self, name: str) -> KeyTable[Any]:
        """The records of a kind by natural key (a section's name, or another name two sections share)."""
        return self.tables.setdefault(name, KeyTable())

    def _load(self, municipality: Any) -> None:
        """What the database holds, by natural key: shared records (``municipality`` None), or a municipality's."""
        for section in sections.all_sections():
            if section.load is not None and section.scoped == (municipality is not None):
                section.load(self, municipality)

    def load_scoped(self, municipality: Any) -> None:
        """Once the file's municipality is known (its section's writer calls this): its records."""
        self.municipality = municipality
        if municipality is not None:
            self._load(municipality)

    # Writing.

    def count(self, model: type[models.Model], what: str) -> None:
        counter: Counter[str] = getattr(self.result, what)
        counter[model._meta.model_name or ""] += 1

    def stamp(self, obj: models.Model) -> None:
        """Give the history row of the next save (or m2m change) its user and reason."""
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        obj._history_user = self.user  # type: ignore[attr-defined]

    def put(self, rec: Rec, model: type[M], table: KeyTable[M], key: Hashable, values: dict[str, Any],
             m2m: dict[str, list[Any]] | None = None) -> M | None:
        """Create or update the record with that natural key (or the row's id) and keep it under the key."""
        found, existing = self.existing(rec, model, table, table.get(key))
        if not found:
            return None
        obj = self.upsert(rec, model, existing, values, m2m)
        if obj is not None:
            table.add(obj, key)
        return obj

    def existing(self, rec: Rec, model: type[M], table: KeyTable[M], by_key: M | None) -> tuple[bool, M | None]:
        """The record a row updates: the one with its id when it gives one, else the one its key names.

        (False, None), with the problem reported, when the row names a record that is not there.
        """
        kind = model._meta.verbose_name
        record_id = rec.data.record_id
        if record_id is not None:
            by_id = table.ids.get(record_id)
            if by_id is None:
                rec.problem("id", _("No {kind} with id {id} here.").format(kind=kind, id=record_id))
                return False, None
            if by_key is not None and by_key.pk != by_id.pk:
                rec.problem(rec.schema.label, _("Another {kind} (id {id}) already has this {key}.").format(
                    kind=kind, id=by_key.pk, key=rec.schema.label))
                return False, None
            return True, by_id
        if rec.data.existing_only:
            existing = by_key or table.get_ref(rec.natural(rec.schema.cols[rec.schema.label].field))
            if existing is None:
                rec.problem(rec.schema.label, _('No {kind} "{name}" here.').format(
                    kind=kind, name=v.label(rec.data, rec.schema.label)))
                return False, None
            return True, existing
        return True, by_key

    def upsert(self, rec: Rec, model: type[M], existing: M | None, values: dict[str, Any],
                m2m: dict[str, list[Any]] | None = None) -> M | None:
        """Create the record, or update it if anything differs; None (and problems) if it is not valid.

        A record with problems of its own is still validated by its model, leaving out the fields already
        found wrong, so that one reading reports all its problems.
        """
        if rec.blocked:
            return None
        obj = existing if existing is not None else model()
        before = None if existing is None else snapshot(existing)
        allowed_before = existing is None or scope.may_write(self.user, existing, "change")
        if rec.data.keep_internal and existing is not None:
            hidden = set(getattr(existing, "internal_fields", None) or [])
            values = {name: value for name, value in values.items() if name not in hidden}
            m2m = {name: targets for name, targets in (m2m or {}).items() if name not in hidden}
        for name, value in values.items():
            setattr(obj, name, value)
        excluded = rec.bad_fields()
        try:
            obj.full_clean(exclude=excluded, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            rec.model_errors(error, excluded)
        if not rec.ok:
            return None
        self.stamp(obj)
        if before is None and sections.finder_factory(model) is not None:
            self._warn_near_duplicates(rec, obj)
        after = snapshot(obj)
        changed = before is None or after != before
        m2m_changes = self._m2m_changes(obj, m2m or {}, fresh=before is None)
        if (changed or m2m_changes) and not self._may_write(rec, obj, before is None, allowed_before, m2m or {}):
            return None
        if before is not None:
            self._note_changes(rec, obj, before, after, m2m_changes)
        if changed and not self._save(rec, obj):
            return None
        if m2m_changes:
            self._set_m2ms(obj, m2m_changes, fresh=before is None)
            changed = True
        if changed or not rec.data.existing_only:
            self.count(model, "created" if before is None else "updated" if changed else "unchanged")
        return obj

    def _warn_near_duplicates(self, rec: Rec, obj: models.Model) -> None:
        """A new organisation, city, theme or programme like one that exists: said in the check step (the
        file may mean the existing one under another spelling; a coordinator can merge them later)."""
        candidates = self.finder(type(obj)).find(
            str(getattr(obj, "name", "")), kind=getattr(obj, "kind", None) or None,
            country=getattr(obj, "country", None) or None, aliases=getattr(obj, "aliases", None) or (),
            name_en=getattr(obj, "name_en", "") or "")
        if candidates:
            best = candidates[0]
            self.result.near_duplicates.append(_(
                "{place}: the new {kind} “{name}” is much like the existing “{other}” ({reason}, score {score})."
            ).format(place="{} {}".format(self.filename, _("line {line}").format(line=rec.data.line)).strip(),
                     kind=obj._meta.verbose_name, name=getattr(obj, "name", obj), other=best.name,
                     reason=best.reason, score=best.score))

    def finder(self, model: type[models.Model]) -> Any:
        """The near-duplicate finder of the model for the whole import (all its files): the existing records'
        names are normalised once, not once for every new record."""
        if model not in self.result.finders:
            factory = sections.finder_factory(model)
            assert factory is not None
            self.result.finders[model] = factory(model)
        return self.result.finders[model]

    def _save(self, rec: Rec, obj: models.Model) -> bool:
        try:
            with transaction.atomic():
                obj.save()
        except DatabaseError as error:
            rec.problem("", _("The database refused the record: {error}").format(error=error))
            return False
        if sections.finder_factory(type(obj)) is not None:
            self.finder(type(obj)).saved(obj)
        return True

    def _may_write(self, rec: Rec, obj: models.Model, created: bool, allowed_before: bool,
                   m2m: dict[str, list[Any]]) -> bool:
        """Whether the user may write the record as it was and as it will be; if not, a problem that says why."""
        for name, targets in m2m.items():  # judged as they will be saved (udsyn.core.policy)
            setattr(obj, "_pending_" + name, list(targets))
        try:
            action = "add" if created else "change"
            if allowed_before and scope.may_write(self.user, obj, action):
                return True
        finally:
            for name in m2m:
                obj.__dict__.pop("_pending_" + name, None)
        self.refuse(rec, scope.why_not(self.user, obj, action))
        return False

    def refuse(self, rec: Rec, message: str) -> None:
        rec.problem("", message)
        self.problems[-1].refused = True

    def _note_changes(self, rec: Rec, obj: models.Model, before: dict[str, Any], after: dict[str, Any],
                      m2m_changes: list[tuple[str, list[Any], list[Any]]]) -> None:
        """Keep, for the check step, what the update changes field by field."""
        kind = capfirst(str(obj._meta.verbose_name))
        for model_field in obj._meta.concrete_fields:
            name = model_field.attname
            if name not in after or before.get(name) == after[name]:
                continue
            old, new = before.get(name), after[name]
            if model_field.is_relation:
                related = model_field.related_model._default_manager  # type: ignore[union-attr]
                old = related.filter(pk=old).first() if old is not None else None
                new = getattr(obj, model_field.name)
            old_text, new_text = display(old), display(new)
            flag = ""
            if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
                if old_text.strip() and not new_text.strip():
                    flag = "blanked"
                elif len(new_text.strip()) < len(old_text.strip()):
                    flag = "shortened"
            self._change(rec, kind, rec.schema.key_for(model_field.name), old_text, new_text, flag)
        for name, current, targets in m2m_changes:
            key = next((k for k, col in rec.schema.cols.items() if col.field == name), name)
            old, new = ("; ".join(sorted(reference(o) for o in records)) for records in (current, targets))
            only_removes = {o.pk for o in targets} < {o.pk for o in current}  # as a list cut short would
            flag = "blanked" if current and not targets else "shortened" if only_removes else ""
            self._change(rec, kind, key, old, new, flag)

    def _change(self, rec: Rec, kind: str, key: str, old: str, new: str, flag: str) -> None:
        self.result.changes.append(Change(kind, rec.where, key, old, new, flag, rec.data.line, self.filename))

    def _m2m_changes(self, obj: models.Model, m2m: dict[str, list[Any]],
                     fresh: bool) -> list[tuple[str, list[Any], list[Any]]]:
        """(field, current records, records to set) for each many-to-many list that differs."""
        changes = []
        for name, targets in m2m.items():
            current: list[Any] = [] if fresh else list(getattr(obj, name).all())
            if {related.pk for related in current} != {target.pk for target in targets}:
                changes.append((name, current, targets))
        return changes

    def _set_m2ms(self, obj: models.Model, m2m_changes: list[tuple[str, list[Any], list[Any]]], fresh: bool) -> None:
        """Set the many-to-many fields that differ. Each change would make simple-history write a whole
        historical record with copies of every many-to-many list (five for an engagement), so the history
        is written once, with the last change, holding them all."""
        changes = [(getattr(obj, name), targets) for name, _current, targets in m2m_changes]
        for i, (manager, targets) in enumerate(changes):
            last = i == len(changes) - 1
            if not last:
                obj.skip_history_when_saving = True  # type: ignore[attr-defined]  # read by simple-history
            try:
                if fresh:
                    manager.add(*targets)
                else:
                    manager.set(targets)
            finally:
                if not last:
                    del obj.skip_history_when_saving  # type: ignore[attr-defined]

    def delete(self, obj: models.Model, rec: Rec | None = None) -> None:
        if not scope.may_write(self.user, obj, "delete"):
            message = "{}: {}".format(obj, scope.why_not(self.user, obj, "delete"))
            if rec is not None:
                self.refuse(rec, message)
            else:
                self.problem(None, "", "", message)
                self.problems[-1].refused = True
            return
        self.stamp(obj)
        pk = obj.pk
        obj.delete()
        if sections.finder_factory(type(obj)) is not None:
            self.finder(type(obj)).deleted(pk)
        self.count(type(obj), "deleted")

    # Resolving references.

    def find(self, rec: Rec, key: str, table: KeyTable[M], lookup: Hashable, missing: str,
              line: int | None = None) -> M | None:
        obj = table.get_ref(lookup)
        if obj is None and lookup in table.declared:
            rec.blocked = True  # the record it names has a problem of its own, reported there
        elif obj is None:
            rec.problem(key, missing, line)
        return obj

    def scope(self, rec: Rec) -> Any:
        """The file's municipality, or None (and the record blocked) when the file has none."""
        if self.municipality is None:
            rec.blocked = True
        return self.municipality


    # Sections nested in a record: read before the record is checked, resolved before it is saved, written after.

    def read_children(self, rec: Rec) -> list[tuple[Any, Any]]:
        """(section, state) of every section nested in the record's section, read."""
        return [(child, child.read(self, rec) if child.read is not None else None)
                for child in sections.children(rec.section)]

    def resolve_children(self, rec: Rec, children: list[tuple[Any, Any]]) -> None:
        for child, state in children:
            if child.resolve is not None:
                child.resolve(self, rec, state)

    def write_children(self, rec: Rec, obj: Any, children: list[tuple[Any, Any]]) -> None:
        """Write the nested sections the record gives (a key it leaves out leaves those records as they are)."""
        for child, state in children:
            if child.write_nested is not None and child.name in rec.refs:
                child.write_nested(self, rec, obj, state)

    def check_unique(self, records: list[Rec], name: str) -> None:
        """A problem for each record that repeats an earlier one's value of ``name`` (folded)."""
        seen: dict[str, int] = {}
        for rec in records:
            given = rec.refs.get(name, rec.values.get(name))
            if isinstance(given, str) and v.key(given) in seen:
                rec.problem(name, self.already_listed(seen[v.key(given)]))
            elif isinstance(given, str):
                seen[v.key(given)] = rec.data.line
