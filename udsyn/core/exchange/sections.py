"""The import/export registry: each app declares, in its own ``exchange.py``, the sections of the registry file
and the tables of the tabular formats for its record types; the kernel's importer and the exports read them.

A **section** is one key of the registry file (docs/import-format.md): its records' keys (``Col``: the model
field each fills and how it is read), the key that names a record, the models it writes (in the order of the
import's summary), and three functions: ``load`` (what the database already holds, by natural key),
``declare`` (what the file lists, so that references may point forward and duplicates are found) and
``write``. A section nested in another one's records (a department's units, an engagement's goal links) names
its ``parent``; the parent's records then accept its key, and the parent's writer runs it in three steps
(``read`` before the parent is checked, ``resolve`` before it is saved, ``write`` after).

A **table** is one record type as rows (CSV, XLSX, JSON, YAML): its columns, the function that gives its
rows for a municipality (or all), and whether it is open data. Its columns are the keys of its section, so
a row means what the same record means in a registry file.

Sections and tables are kept in ``order``; the number places one app's sections among the others' (the
order the importer writes them: what is referred to before what refers to it). See docs/architecture.md.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Model

from udsyn.core.exchange.values import Parser, as_is, mappings, text, texts

if TYPE_CHECKING:
    from udsyn.core.exchange.importer import FileImport, Rec

# The section that says whose records the file holds: a file with records that belong to a municipality
# needs it (the organisation app registers it).
SCOPE = "municipality"


@dataclass(frozen=True)
class Col:
    """One key of a record: the model field it fills, how it is read, whether it must be given.

    References (``ref``) and nested lists are kept as read, for the section's writer to resolve.
    """

    field: str
    parse: Parser = text
    required: bool = False
    ref: bool = False


def ref(field_name: str, required: bool = False) -> Col:
    """A reference to another record by its natural key."""
    return Col(field_name, text, required, ref=True)


def refs(field_name: str) -> Col:
    """A list of references."""
    return Col(field_name, texts, ref=True)


def nested() -> Col:
    """A list of records of a nested section."""
    return Col("", mappings, ref=True)


@dataclass(frozen=True)
class Schema:
    label: str  # the key that names a record in messages
    cols: dict[str, Col]

    def key_for(self, field_name: str) -> str:
        if field_name == NON_FIELD_ERRORS:
            return ""
        return next((key for key, col in self.cols.items() if col.field == field_name), field_name)


@dataclass(frozen=True)
class Column:
    """A column of a table: its name (the registry file's key), how its cells are read, whether it is open data.

    ``field`` names the model field whose "internal" marking blanks the cell in open exports, and which must
    be among the model's ``OPEN_FIELDS`` for the column to be open.
    """

    name: str
    kind: str = "text"  # text | list | lines | bool | int | number | date | year
    internal: bool = False
    field: str = ""


def columns(*specs: "str | Column") -> tuple[Column, ...]:
    return tuple(Column(spec) if isinstance(spec, str) else spec for spec in specs)


Rows = Callable[[Any], Iterator[dict[str, Any]]]  # municipality or None -> rows


@dataclass(frozen=True)
class Table:
    name: str
    model: type[Model]
    columns: tuple[Column, ...]
    rows: Rows
    order: int
    section: str = ""  # the registry file's section (or nested key) the rows go to; the name by default
    scoped: bool = True  # rows belong to a municipality (a "municipality" column)
    parent: str = ""  # for nested records: the column naming the department or engagement they belong to
    parent_section: str = ""  # ... and the section of that department or engagement
    personal: bool = False  # the whole table is personal data: internal exports only
    replaces: bool = True  # a nested table replaces its parents' lists (False: rows are added and updated only)

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
        return not self.parent or not self.replaces


@dataclass
class Section:
    """One section of the registry file (or, with ``parent``, one nested key of another section's records)."""

    name: str
    order: int
    cols: dict[str, Col]
    label: str
    models: tuple[type[Model], ...] = ()
    scoped: bool = True  # its records belong to the file's municipality
    parent: str = ""
    many: bool = True  # a nested section: a list of records under its key (False: one mapping)
    listed: bool = True  # a top-level section: a list of records (False: one mapping, as "municipality:")
    load: "Callable[[FileImport, Any], None] | None" = None  # (job, municipality or None for shared records)
    declare: "Callable[[FileImport], None] | None" = None
    write: "Callable[[FileImport], None] | None" = None
    # Nested sections: read(job, parent_rec) -> state; resolve(job, parent_rec, state); write(job, parent_rec,
    # saved parent or None, state).
    read: "Callable[[FileImport, Rec], Any] | None" = None
    resolve: "Callable[[FileImport, Rec, Any], None] | None" = None
    write_nested: "Callable[[FileImport, Rec, Any, Any], None] | None" = None
    # New records of these models are compared with the existing ones: a factory of near-duplicate finders.
    near_duplicates: "Callable[[type[Model]], Any] | None" = None
    # How a file names a record of the section's (first) model, where that is not its code, name or title.
    reference: "Callable[[Any], str] | None" = None
    schema: Schema = field(init=False)

    def __post_init__(self) -> None:
        self.schema = Schema(self.label, dict(self.cols))


_sections: dict[tuple[str, str], Section] = {}
_tables: dict[str, Table] = {}


def register(*items: Section | Table) -> None:
    """Register an app's sections and tables (from its ``exchange.py``, imported by its AppConfig.ready)."""
    for item in items:
        if isinstance(item, Table):
            assert item.name not in _tables, f"table {item.name} registered twice"
            _tables[item.name] = item
            continue
        assert (item.parent, item.name) not in _sections, f"section {item.parent}/{item.name} registered twice"
        _sections[(item.parent, item.name)] = item
        if item.parent:
            parent = _sections.get(("", item.parent))
            assert parent is not None, f"register section {item.parent} before its nested {item.name}"
            parent.schema.cols.setdefault(item.name, nested() if item.many else Col("", as_is, ref=True))


def sections() -> list[Section]:
    """The top-level sections, in the order they are written."""
    return sorted((s for s in _sections.values() if not s.parent), key=lambda s: s.order)


def section(name: str, parent: str = "") -> Section:
    return _sections[(parent, name)]


def children(parent: str) -> list[Section]:
    """The sections nested in a section's records, in order."""
    return sorted((s for s in _sections.values() if s.parent == parent), key=lambda s: s.order)


def all_sections() -> list[Section]:
    """Every section, nested ones included, in order."""
    return sorted(_sections.values(), key=lambda s: s.order)


def finder_factory(model: type[Model]) -> "Callable[[type[Model]], Any] | None":
    """What finds near-duplicates of new records of the model, if its section asks for that."""
    return next((s.near_duplicates for s in _sections.values() if s.near_duplicates and model in s.models), None)


def reference_of(model: type[Model]) -> "Callable[[Any], str] | None":
    return next((s.reference for s in _sections.values() if s.reference and s.models[:1] == (model,)), None)


def section_names() -> tuple[str, ...]:
    return tuple(s.name for s in sections())


def written_models() -> tuple[type[Model], ...]:
    """Every model an import writes, in the order of its summary."""
    found: list[type[Model]] = []
    for s in sorted(_sections.values(), key=lambda s: s.order):
        found += [model for model in s.models if model not in found]
    return tuple(found)


def tables() -> list[Table]:
    """Every table, in the order of the exports (and of an import's reading)."""
    return sorted(_tables.values(), key=lambda t: t.order)


def table(name: str) -> Table | None:
    return _tables.get(name)
