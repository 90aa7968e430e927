"""The registry importer: a municipality's registry kept as one YAML file (see docs/import-format.md).

The file is read with the line of every mapping and key. Its records are then checked and written in
the order their references need (regions, municipalities, shared records, departments, people,
strategies, engagements, funding, stated figures) inside one transaction. Every problem is collected
with its line, place and field; if there is any, or on a dry run, the transaction is rolled back, so
either the whole file is written or none of it, and a dry run's counts are the real ones.

Records are matched on their natural key and only saved when something differs, so importing the same
file twice changes nothing. A key the file leaves out leaves that field as it is (a new record gets the
field's default); a list the file gives (departments, themes, representatives, links, elements ...) is
made exactly that list.
"""

import calendar
import datetime
import difflib
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Generic, TypeVar

import yaml
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from udsyn.core.database import private_copy
from udsyn.core.text import fold
from udsyn.engagements import geo
from udsyn.engagements.duplicates import Finder
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
from udsyn.inquiries.models import DeclineReason, DepartmentInquirySettings, OrganisationKind
from udsyn.interop import limits, scope
from udsyn.organisation.models import Committee, Department, Municipality, Person, Region, StatedFigure, Unit
from udsyn.steering.models import Alignment
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy, StrategyElement

M = TypeVar("M", bound=models.Model)
Source = str | bytes | IO[str] | IO[bytes]


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


# The models in the order the importer writes them, which is also the order of the summary.
MODELS: tuple[type[models.Model], ...] = (
    Region, Municipality, Theme, FundingProgramme, ExternalOrganisation, City, Department,
    DepartmentInquirySettings, DeclineReason, Unit, Person,
    Committee, Strategy, StrategyElement, Goal, Principle, FocusArea, Engagement, Representative,
    EngagementLink, Alignment, Funding, StatedFigure,
)


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
    # The near-duplicate finder of each model, for all the files of one import (see _FileImport._finder).
    finders: dict[type[models.Model], Finder] = field(default_factory=dict, repr=False, compare=False)

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
        for model in MODELS:
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
        return lambda result: _FileImport(result, name, user, create_themes=create_themes).run(source)

    return _in_one_transaction([job(name, source) for name, source in files], dry_run)


def import_documents(documents: Sequence[tuple[str, "YamlMap"]], *, user: Any = None, dry_run: bool = False,
                     section_names: dict[str, str] | None = None,
                     progress: Callable[[], None] | None = None, create_themes: bool = False) -> ImportResult:
    """Import documents already read (from spreadsheet rows, whose places are rows) in one transaction.

    ``section_names`` names sections as the user knows them (a table's name); ``progress()`` is called
    for each record read.
    """
    def job(name: str, doc: YamlMap) -> Callable[[ImportResult], None]:
        def run(result: ImportResult) -> None:
            _FileImport(result, name, user, rows=True, names=section_names, progress=progress,
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


# --- Reading YAML with line numbers -----------------------------------------------------------------


class YamlMap(dict[Any, Any]):
    """A mapping of the file, with its own line, each key's line and each scalar value's source text.

    Spreadsheet rows are read into these too (see tabular.py), with two more things a row can say: the
    ``record_id`` of the record it updates (so that its natural key may change), and ``existing_only``
    for a row that only names an existing record to hang nested ones on (a unit's department, a
    representative's engagement), whose required keys are then not required; and ``keep_internal`` for a
    row of an open export, which leaves out what its record marks internal: those fields are kept as they
    are, not emptied.
    """

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}
        self.repeated: list[Any] = []
        self.record_id: int | None = None
        self.existing_only = False
        self.keep_internal = False

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list[Any]):
    """A list of the file, with its own line, each item's line and each scalar item's source text."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []
        self.raw: list[str | None] = []


class _Loader(limits.LimitedLoader):
    """PyYAML's safe loader within the import's limits (udsyn.interop.limits), building YamlMap and YamlList.

    The source text of scalars lets text fields keep what was written: an unquoted ``NO`` is Norway, not
    false, and an unquoted ``0101`` is a code, not the octal number 65.
    """


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[YamlMap]:
    data = YamlMap(_line(node))
    yield data
    own = sum(1 for key_node, _value in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - own
    seen: set[Any] = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name", key_node.start_mark
            )
        if position >= merged:
            if key in seen:
                data.repeated.append(key)
            seen.add(key)
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = _line(key_node)
        if isinstance(value_node, yaml.ScalarNode):
            data.raw[key] = value_node.value


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[YamlList]:
    data = YamlList(_line(node))
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.lines.append(_line(child))
        data.raw.append(child.value if isinstance(child, yaml.ScalarNode) else None)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _load(text: str) -> tuple[Any, ImportProblem | None]:
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 (_Loader is a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        return None, ImportProblem(
            mark.line + 1 if mark else None, "", "",
            _("The file is not valid YAML: {problem}").format(problem=message),
        )
    except yaml.YAMLError as error:
        return None, ImportProblem(None, "", "", _("The file is not valid YAML: {problem}").format(problem=error))


def _text_of(source: Source) -> str:
    """The text of a file given as text, bytes or an open file; UnicodeDecodeError if it is not UTF-8."""
    content = source.read() if hasattr(source, "read") else source
    return content.decode("utf-8-sig") if isinstance(content, bytes) else str(content)


# --- Reading values ---------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that cannot be read; the message says why."""


Parser = Callable[[Any, str | None], Any]
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _text(value: Any, raw: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | datetime.date) and raw is not None:
        value = raw
    if not isinstance(value, str):
        raise _Bad(_("Give text here, not a list or a mapping."))
    if "\x00" in value:
        raise _Bad(_("The text holds a NUL character (\\0), which cannot be stored."))
    if len(value) > limits.MAX_CELL:
        raise _Bad(_("The text is longer than {count} characters.").format(count=limits.MAX_CELL))
    return value.strip()


def _upper(value: Any, raw: str | None) -> str:
    return _text(value, raw).upper()


def _texts(value: Any, raw: str | None) -> list[str]:
    """A list of texts; a single text is a list of one."""
    if value is None:
        return []
    if not isinstance(value, YamlList):
        return [_text(value, raw)] if _text(value, raw) else []
    if len(value) > limits.MAX_LIST:
        raise _Bad(_("The list has more than {count} entries.").format(count=limits.MAX_LIST))
    texts = [_text(item, item_raw) for item, item_raw in zip(value, value.raw, strict=True)]
    if not all(texts):
        raise _Bad(_("The list has an empty entry."))
    return texts


def _mappings(value: Any, raw: str | None) -> YamlList:
    if value is None:
        return YamlList(0)
    if not isinstance(value, YamlList):
        raise _Bad(_("Give a list of entries here."))
    return value


def _as_is(value: Any, raw: str | None) -> Any:
    return value


def _integer(value: Any, raw: str | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(_("Give a whole number."))
    return value


def _choices(choices: type[models.TextChoices]) -> Parser:
    single = _choice(choices)

    def parse(value: Any, raw: str | None) -> list[str]:
        return [single(text, text) for text in _texts(value, raw)]

    return parse


def _choice(choices: type[models.TextChoices]) -> Parser:
    allowed = [str(value) for value in choices.values]

    def parse(value: Any, raw: str | None) -> str:
        text = _text(value, raw)
        if text and text not in allowed:
            raise _Bad(_('"{value}" is not one of {allowed}.').format(value=text, allowed=", ".join(allowed)))
        return text

    return parse


def _boolean(value: Any, raw: str | None) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad(_('"{value}" is not true or false.').format(value=raw if raw is not None else value))


def _number_text(value: Any, raw: str | None) -> str | None:
    """The number written, as text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(_("Give a number here."))
    text = str(value) if isinstance(value, int) else (value if isinstance(value, str) else raw or str(value))
    if not _NUMBER.fullmatch(text.strip()):
        raise _Bad(_('"{value}" is not a number; write it plainly, e.g. 1300000 or 665462.5.').format(value=text))
    return text.strip()


def _decimal(value: Any, raw: str | None) -> Decimal | None:
    text = _number_text(value, raw)
    return None if text is None else Decimal(text)


def _float(value: Any, raw: str | None) -> float | None:
    text = _number_text(value, raw)
    return None if text is None else float(text)


def _year(value: Any, raw: str | None) -> int | None:
    if value is None:
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else _text(value, raw)
    if not re.fullmatch(r"\d{4}", text):
        raise _Bad(_('"{value}" is not a year.').format(value=text))
    return int(text)


def _date(end: bool) -> Parser:
    """A date written as 2019, 2019-11 or 2019-11-01: a year or month is its first day, or its last for an end."""

    def parse(value: Any, raw: str | None) -> datetime.date | None:
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        text = _text(value, raw)
        match = _DATE.fullmatch(text)
        try:
            if match is None:
                raise ValueError(text)
            year, month, day = (int(part) if part else None for part in match.groups())
            assert year is not None
            if day is not None and month is not None:
                return datetime.date(year, month, day)
            if month is not None:
                return datetime.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
            return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)
        except ValueError:
            raise _Bad(_('"{value}" is not a date; write 2019, 2019-11 or 2019-11-01.').format(value=text)) from None

    return parse


# --- The file's sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """One key of a record: the model field it fills, how it is read, whether it must be given.

    References (``ref``) and nested lists are kept as read, for the importer to resolve.
    """

    field: str
    parse: Parser = _text
    required: bool = False
    ref: bool = False


@dataclass(frozen=True)
class Schema:
    label: str  # the key that names a record in messages
    cols: dict[str, Col]

    def key_for(self, field_name: str) -> str:
        if field_name == NON_FIELD_ERRORS:
            return ""
        return next((key for key, col in self.cols.items() if col.field == field_name), field_name)


def _ref(field_name: str, required: bool = False) -> Col:
    return Col(field_name, _text, required, ref=True)


def _refs(field_name: str) -> Col:
    return Col(field_name, _texts, ref=True)


def _nested() -> Col:
    return Col("", _mappings, ref=True)


REGION = Schema("code", {
    "code": Col("code", required=True), "name": Col("name", required=True), "nuts2": Col("nuts2"),
})
MUNICIPALITIES = Schema("code", {
    "code": Col("code", required=True), "name": Col("name", required=True), "region": _ref("region"),
    "latitude": Col("latitude", _float), "longitude": Col("longitude", _float),
})
MUNICIPALITY = Schema("code", {
    "code": Col("code", required=True), "name": Col("name", required=True), "region": _ref("region"),
})
SOURCE = Schema("title", {"title": Col("", required=True)})
UNIT = Schema("name", {"name": Col("name", required=True), "international_role": Col("international_role")})
DEPARTMENT = Schema("code", {
    "code": Col("code", required=True), "name": Col("name", required=True), "name_en": Col("name_en"),
    "international_work": Col("international_work"), "delegation_handling": Col("delegation_handling"),
    "units": _nested(), "inquiries": Col("", _as_is, ref=True),
})
INQUIRY_SETTINGS = Schema("handled_by", {
    "handled_by": Col("handled_by"), "approved_by": Col("approved_by"), "usual_place": Col("usual_place"),
    "usual_duration": Col("usual_duration", _integer), "usual_programme": Col("usual_programme"),
    "priority": Col("priority_kinds", _choices(OrganisationKind)),
    "monthly_capacity": Col("monthly_capacity", _integer),
    "response_days": Col("response_days", _integer), "inbox_email": Col("inbox_email"),
    "decline_reasons": _nested(),
})
DECLINE_REASON = Schema("text", {"text": Col("text", required=True), "text_en": Col("text_en")})
PERSON = Schema("name", {
    "name": Col("name", required=True), "kind": Col("kind", _choice(Person.Kind)), "party": Col("party"),
    "title": Col("title"), "department": _ref("department"), "unit": _ref("unit"), "email": Col("email"),
    "phone": Col("phone"),
})
COMMITTEE = Schema("name", {
    "name": Col("name", required=True), "name_en": Col("name_en"), "department": _ref("department"),
    "international_treatment": Col("international_treatment"),
})
THEME = Schema("name", {"name": Col("name", required=True), "name_en": Col("name_en")})
PROGRAMME = Schema("name", {
    "name": Col("name", required=True), "name_en": Col("name_en"),
    "source": Col("source", _choice(FundingProgramme.Source)), "aliases": Col("aliases", _texts),
})
ORGANISATION = Schema("name", {
    "name": Col("name", required=True), "kind": Col("kind", _choice(ExternalOrganisation.Kind)),
    "country": Col("country", _upper), "aliases": Col("aliases", _texts), "website": Col("website"),
    "description": Col("description"),
})
CITY = Schema("name", {
    "name": Col("name", required=True), "country": Col("country", _upper, required=True),
    "latitude": Col("latitude", _float), "longitude": Col("longitude", _float), "aliases": Col("aliases", _texts),
})
STRATEGY = Schema("name", {
    "name": Col("name", required=True), "kind": Col("kind", _choice(Strategy.Kind)),
    "departments": _refs("departments"), "adopted": Col("adopted_year", _year), "start": Col("start_year", _year),
    "end": Col("end_year", _year), "politically_approved": Col("politically_approved", _boolean),
    "revision_due": Col("revision_due", _date(end=True)), "description": Col("description"),
    "source_reference": Col("source_reference"), "elements": Col("", _texts, ref=True),
})
STATEMENT = Schema("title", {
    "title": Col("title", required=True), "strategy": _ref("strategy"), "description": Col("description"),
})
REPRESENTATIVE = Schema("person", {"person": _ref("person", required=True), "role": Col("role")})
LINK = Schema("url", {"url": Col("url", required=True), "title": Col("title")})
SERVES = Schema("goal", {"goal": _ref("goal"), "focus_area": _ref("focus_area"), "justification": Col("justification")})
_FUNDING_COLS = {
    "title": Col("title", required=True), "programme": _ref("programme", required=True),
    "amount": Col("amount", _decimal), "currency": Col("currency", _upper), "amount_dkk": Col("amount_dkk", _decimal),
    "approximate": Col("approximate", _boolean), "start": Col("start_date", _date(end=False)),
    "end": Col("end_date", _date(end=True)), "status": Col("status", _choice(Funding.Status)),
    "description": Col("description"), "source_reference": Col("source_reference"),
    "internal_fields": Col("internal_fields", _texts),
}
FUNDING = Schema("title", {
    **_FUNDING_COLS, "department": _ref("department", required=True), "engagements": _refs("engagements"),
})
ENGAGEMENT_FUNDING = Schema("title", {**_FUNDING_COLS, "department": _ref("department")})
ENGAGEMENT = Schema("title", {
    "title": Col("title", required=True), "kind": Col("kind", _choice(Engagement.Kind), required=True),
    "partnership_type": Col("partnership_type", _choice(Engagement.PartnershipType)), "parent": _ref("parent"),
    "lead": _ref("lead_department", required=True), "departments": _refs("participating_departments"),
    "unit": _ref("responsible_unit"), "status": Col("status", _choice(Engagement.Status)),
    "termination_reason": Col("termination_reason"), "start": Col("start_date", _date(end=False)),
    "end": Col("end_date", _date(end=True)), "annual_fee": Col("annual_fee", _decimal),
    "co_financing": Col("co_financing", _decimal), "themes": _refs("themes"),
    "organisations": _refs("partner_organisations"), "cities": _refs("partner_cities"),
    "contacts": _refs("contacts"), "representatives": _nested(), "links": _nested(), "funding": _nested(),
    "serves": _nested(),
    "description": Col("description"), "source_reference": Col("source_reference"), "notes": Col("notes"),
    "internal_fields": Col("internal_fields", _texts),
})
STATED_FIGURE = Schema("key", {
    "key": Col("key", required=True), "label": Col("label", required=True),
    "value": Col("value", _decimal, required=True), "unit": Col("unit", _choice(StatedFigure.Unit)),
    "qualifier": Col("qualifier", _choice(StatedFigure.Qualifier)), "period": Col("period"),
    "department": _ref("department"),
    "source_reference": Col(""),
})

REFERENCE_SECTIONS = ("regions", "municipalities")
SHARED_SECTIONS = ("themes", "programmes", "organisations", "cities")
SCOPED_SECTIONS = (
    "source", "departments", "people", "committees", "strategies", "goals", "principles", "focus_areas",
    "engagements", "funding", "stated_figures",
)
SECTIONS = ("municipality", *REFERENCE_SECTIONS, *SHARED_SECTIONS, *SCOPED_SECTIONS)
# New records of these are compared with the existing ones (udsyn.engagements.duplicates).
NEAR_DUPLICATE_CHECKED = (ExternalOrganisation, City, Theme, FundingProgramme)
ENGAGEMENT_M2M = ("participating_departments", "contacts", "themes", "partner_organisations", "partner_cities")


def _key(text: str) -> str:
    """A natural key as compared: folded like search text, so case, accents and punctuation do not count."""
    return fold(text) or text.strip().casefold()


def _label(item: Any, key: str) -> str:
    """The text naming a record, or "" when it has none that can be read."""
    if not isinstance(item, YamlMap) or key not in item:
        return ""
    try:
        return _text(item[key], item.raw.get(key))
    except _Bad:
        return ""


def _display(value: Any) -> str:
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
        return _reference(value)
    return str(value)


def _reference(obj: models.Model) -> str:
    """A record as a file names it: a department by its code, a city as Name|CC, others by name or title."""
    if isinstance(obj, Department | Municipality | Region):
        return obj.code
    if isinstance(obj, City):
        return f"{obj.name}|{obj.country}"
    return str(getattr(obj, "name", None) or getattr(obj, "title", None) or obj)


def _snapshot(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
            if f.attname not in ("id", "created", "updated")}


class _Rec:
    """One record (mapping) of the file: where it is, its values as read, and whether it can be written."""

    def __init__(self, job: "_FileImport", data: Any, where: str, schema: Schema, line: int) -> None:
        self.job = job
        self.schema = schema
        self.data = data if isinstance(data, YamlMap) else YamlMap(line)
        if job.progress is not None:
            job.progress()
        label = _label(self.data, schema.label)
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
        return _key(self.values.get(field_name, ""))

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
            except _Bad as bad:
                self.problem(key, str(bad))
                continue
            if col.required and value in ("", None, []):
                self.problem(key, _("This field is required."))
            elif col.ref:
                self.refs[key] = value
            elif col.field:
                self.values[col.field] = value


class _Table(Generic[M]):
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


class _FileImport:
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
        self.municipality: Municipality | None = None
        self.source_title = ""
        self.regions = _Table[Region]()
        self.municipalities = _Table[Municipality]()
        self.themes = _Table[Theme]()
        self.programmes = _Table[FundingProgramme]()
        self.organisations = _Table[ExternalOrganisation]()
        self.cities = _Table[City]()
        self.departments = _Table[Department]()
        self.units = _Table[Unit]()
        self.people = _Table[Person]()
        self.committees = _Table[Committee]()
        self.strategies = _Table[Strategy]()
        self.statements: dict[str, _Table[Any]] = {"goals": _Table(), "principles": _Table(), "focus_areas": _Table()}
        self.engagements = _Table[Engagement]()
        self.funding = _Table[Funding]()
        self.figures = _Table[StatedFigure]()
        self.engagement_funding: list[tuple[_Rec, _Rec]] = []

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
        self._load_shared()
        self._regions()
        self._municipalities()
        self._municipality()
        self._source()
        self._shared()
        self._own_organisation()
        self._strategies()
        self._engagements()
        self._all_funding()
        self._stated_figures()
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
            text = _text_of(source)
        except UnicodeDecodeError:
            self.problem(None, "", "", _("The file is not UTF-8 text."))
            return None
        if text.strip() and not text.endswith(("\n", "\r")):
            self.problem(text.count("\n") + 1, "", "", _(
                "The file ends in the middle of a line, so it may have been cut short. If it is complete, end it "
                "with a line break."))
            return None
        doc, problem = _load(text)
        if problem is not None:
            problem.filename = self.filename
            self.problems.append(problem)
            return None
        if doc is None:
            self.problem(None, "", "", _("The file is empty."))
            return None
        if not isinstance(doc, YamlMap):
            self.problem(1, "", "", _("The file must be a mapping of sections such as municipality: and engagements:."))
            return None
        return doc

    def _check_sections(self) -> None:
        for key in self.doc:
            if key not in SECTIONS:
                close = difflib.get_close_matches(str(key), SECTIONS, n=1)
                hint = _(' Did you mean "{key}"?').format(key=close[0]) if close else ""
                message = _('Unknown section "{key}".{hint} Allowed: {allowed}.').format(
                    key=key, hint=hint, allowed=", ".join(SECTIONS))
                self.problem(self.doc.line_of(key), "", str(key), message)
        for key in self.doc.repeated:
            self.problem(self.doc.line_of(key), "", str(key), _('The section "{key}" is given more than once.')
                         .format(key=key))
        if "municipality" not in self.doc and any(section in self.doc for section in SCOPED_SECTIONS):
            self.problem(None, "", "municipality", _("The file needs a municipality: section for its records."))

    # Which records the file lists, so that references may point forward and duplicates are found.

    def _declare(self) -> None:
        simple: tuple[tuple[str, str, _Table[Any]], ...] = (
            ("regions", "code", self.regions), ("municipalities", "code", self.municipalities),
            ("themes", "name", self.themes), ("departments", "code", self.departments),
            ("people", "name", self.people), ("committees", "name", self.committees),
            ("strategies", "name", self.strategies), ("goals", "title", self.statements["goals"]),
            ("principles", "title", self.statements["principles"]),
            ("focus_areas", "title", self.statements["focus_areas"]),
            ("engagements", "title", self.engagements), ("funding", "title", self.funding),
            ("stated_figures", "key", self.figures),
        )
        for section, label_key, table in simple:
            for index, item in self._items(section):
                self._declare_one(table, _key(_label(item, label_key)), item, section, index, label_key)
        for section, table in (("programmes", self.programmes), ("organisations", self.organisations)):
            for index, item in self._items(section):
                self._declare_one(table, _key(_label(item, "name")), item, section, index, "name", _aliases(item))
        for index, item in self._items("cities"):
            country = _label(item, "country").upper()
            names = [_label(item, "name"), *_aliases(item)]
            self._declare_one(self.cities, (_key(names[0]), country), item, "cities", index, "name",
                              [(_key(name), country) for name in names[1:]])
        self._declare_nested()

    def _declare_nested(self) -> None:
        for index, department in self._items("departments"):
            if not isinstance(department, YamlMap):
                continue
            code = _key(_label(department, "code"))
            for unit_index, unit in _list_items(department.get("units")):
                where = f"departments[{index}], units"
                self._declare_one(self.units, (code, _key(_label(unit, "name"))), unit, where, unit_index, "name")
        for index, engagement in self._items("engagements"):
            if not isinstance(engagement, YamlMap):
                continue
            for funding_index, funding in _list_items(engagement.get("funding")):
                where = f"engagements[{index}], funding"
                self._declare_one(self.funding, _key(_label(funding, "title")), funding, where, funding_index, "title")

    def _declare_one(self, table: _Table[Any], key: Hashable, item: Any, section: str, index: int,
                     label_key: str, aliases: Iterable[Hashable] = ()) -> None:
        if not isinstance(item, YamlMap) or not key or key == ("", ""):
            return
        first = table.declared.get(key)
        if first is not None:
            self.duplicates.add(id(item))
            self.problem(item.line_of(label_key), f'{self.place(section, index)} "{_label(item, label_key)}"',
                         label_key, self.already_listed(first))
            return
        table.declared[key] = item.line
        for alias in aliases:
            table.declared.setdefault(alias, item.line)

    def _items(self, section: str) -> Iterator[tuple[int, Any]]:
        value = self.doc.get(section)
        if isinstance(value, YamlList):
            yield from enumerate(value)

    def _records(self, section: str, schema: Schema) -> Iterator[_Rec]:
        value = self.doc.get(section)
        if value is None:
            return
        if not isinstance(value, YamlList):
            self.problem(self.doc.line_of(section), "", section, _("Give a list of entries here."))
            return
        for index, item in enumerate(value):
            if id(item) not in self.duplicates:
                yield _Rec(self, item, self.place(section, index), schema, value.lines[index])

    def _nested(self, rec: _Rec, key: str, schema: Schema) -> list[_Rec]:
        items: YamlList = rec.refs.get(key, YamlList(0))
        return [
            _Rec(self, item, f"{rec.where}, {self.place(key, index)}", schema, items.lines[index])
            for index, item in enumerate(items) if id(item) not in self.duplicates
        ]

    # Loading what the database holds.

    def _load_shared(self) -> None:
        for region in Region.objects.all():
            self.regions.add(region, _key(region.code))
        for municipality in Municipality.objects.select_related("region"):
            self.municipalities.add(municipality, _key(municipality.code))
        for theme in Theme.objects.all():
            self.themes.add(theme, _key(theme.name), [_key(a) for a in theme.aliases])
        for programme in FundingProgramme.objects.all():
            self.programmes.add(programme, _key(programme.name), [_key(a) for a in programme.aliases])
        for organisation in ExternalOrganisation.objects.all():
            self.organisations.add(organisation, _key(organisation.name), [_key(a) for a in organisation.aliases])
        for city in City.objects.all():
            self.cities.add(city, (_key(city.name), city.country), [(_key(a), city.country) for a in city.aliases])

    def _load_scoped(self, municipality: Municipality) -> None:
        for department in Department.objects.filter(municipality=municipality):
            self.departments.add(department, _key(department.code))
        for unit in Unit.objects.filter(department__municipality=municipality).select_related("department"):
            self.units.add(unit, (_key(unit.department.code), _key(unit.name)))
        for person in Person.objects.filter(municipality=municipality):
            self.people.add(person, _key(person.name))
        for committee in Committee.objects.filter(municipality=municipality):
            self.committees.add(committee, _key(committee.name))
        for strategy in Strategy.objects.filter(municipality=municipality).prefetch_related("departments"):
            self.strategies.add(strategy, _key(strategy.name))
        for section, model in (("goals", Goal), ("principles", Principle), ("focus_areas", FocusArea)):
            for statement in model._default_manager.filter(municipality=municipality):
                self.statements[section].add(statement, _key(statement.title))
        engagements = Engagement.objects.filter(municipality=municipality).select_related(
            "lead_department", "parent").prefetch_related(*ENGAGEMENT_M2M, "representatives", "links")
        for engagement in engagements:
            self.engagements.add(engagement, _key(engagement.title))
        funding = Funding.objects.filter(municipality=municipality).select_related("department", "programme")
        for line in funding.prefetch_related("engagements"):
            self.funding.add(line, _key(line.title))
        for figure in StatedFigure.objects.filter(municipality=municipality):
            self.figures.add(figure, _key(figure.key))

    # Writing.

    def _count(self, model: type[models.Model], what: str) -> None:
        counter: Counter[str] = getattr(self.result, what)
        counter[model._meta.model_name or ""] += 1

    def _stamp(self, obj: models.Model) -> None:
        """Give the history row of the next save (or m2m change) its user and reason."""
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        obj._history_user = self.user  # type: ignore[attr-defined]

    def _put(self, rec: _Rec, model: type[M], table: _Table[M], key: Hashable, values: dict[str, Any],
             m2m: dict[str, list[Any]] | None = None) -> M | None:
        """Create or update the record with that natural key (or the row's id) and keep it under the key."""
        found, existing = self._existing(rec, model, table, table.get(key))
        if not found:
            return None
        obj = self._upsert(rec, model, existing, values, m2m)
        if obj is not None:
            table.add(obj, key)
        return obj

    def _existing(self, rec: _Rec, model: type[M], table: _Table[M], by_key: M | None) -> tuple[bool, M | None]:
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
                    kind=kind, name=_label(rec.data, rec.schema.label)))
                return False, None
            return True, existing
        return True, by_key

    def _upsert(self, rec: _Rec, model: type[M], existing: M | None, values: dict[str, Any],
                m2m: dict[str, list[Any]] | None = None) -> M | None:
        """Create the record, or update it if anything differs; None (and problems) if it is not valid.

        A record with problems of its own is still validated by its model, leaving out the fields already
        found wrong, so that one reading reports all its problems.
        """
        if rec.blocked:
            return None
        obj = existing if existing is not None else model()
        before = None if existing is None else _snapshot(existing)
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
        self._stamp(obj)
        if before is None and model in NEAR_DUPLICATE_CHECKED:
            self._warn_near_duplicates(rec, obj)
        after = _snapshot(obj)
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
            self._count(model, "created" if before is None else "updated" if changed else "unchanged")
        return obj

    def _warn_near_duplicates(self, rec: _Rec, obj: models.Model) -> None:
        """A new organisation, city, theme or programme like one that exists: said in the check step (the
        file may mean the existing one under another spelling; a coordinator can merge them later)."""
        candidates = self._finder(type(obj)).find(
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

    def _finder(self, model: type[models.Model]) -> Finder:
        """The near-duplicate finder of the model for the whole import (all its files): the existing records'
        names are normalised once, not once for every new record."""
        if model not in self.result.finders:
            self.result.finders[model] = Finder(model)
        return self.result.finders[model]

    def _save(self, rec: _Rec, obj: models.Model) -> bool:
        try:
            with transaction.atomic():
                obj.save()
        except DatabaseError as error:
            rec.problem("", _("The database refused the record: {error}").format(error=error))
            return False
        if type(obj) in NEAR_DUPLICATE_CHECKED:
            self._finder(type(obj)).saved(obj)
        return True

    def _may_write(self, rec: _Rec, obj: models.Model, created: bool, allowed_before: bool,
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

    def refuse(self, rec: _Rec, message: str) -> None:
        rec.problem("", message)
        self.problems[-1].refused = True

    def _note_changes(self, rec: _Rec, obj: models.Model, before: dict[str, Any], after: dict[str, Any],
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
            old_text, new_text = _display(old), _display(new)
            flag = ""
            if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
                if old_text.strip() and not new_text.strip():
                    flag = "blanked"
                elif len(new_text.strip()) < len(old_text.strip()):
                    flag = "shortened"
            self._change(rec, kind, rec.schema.key_for(model_field.name), old_text, new_text, flag)
        for name, current, targets in m2m_changes:
            key = next((k for k, col in rec.schema.cols.items() if col.field == name), name)
            old, new = ("; ".join(sorted(_reference(o) for o in records)) for records in (current, targets))
            only_removes = {o.pk for o in targets} < {o.pk for o in current}  # as a list cut short would
            flag = "blanked" if current and not targets else "shortened" if only_removes else ""
            self._change(rec, kind, key, old, new, flag)

    def _change(self, rec: _Rec, kind: str, key: str, old: str, new: str, flag: str) -> None:
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

    def _delete(self, obj: models.Model, rec: _Rec | None = None) -> None:
        if not scope.may_write(self.user, obj, "delete"):
            message = "{}: {}".format(obj, scope.why_not(self.user, obj, "delete"))
            if rec is not None:
                self.refuse(rec, message)
            else:
                self.problem(None, "", "", message)
                self.problems[-1].refused = True
            return
        self._stamp(obj)
        pk = obj.pk
        obj.delete()
        if type(obj) in NEAR_DUPLICATE_CHECKED:
            self._finder(type(obj)).deleted(pk)
        self._count(type(obj), "deleted")

    # Resolving references.

    def _find(self, rec: _Rec, key: str, table: _Table[M], lookup: Hashable, missing: str,
              line: int | None = None) -> M | None:
        obj = table.get_ref(lookup)
        if obj is None and lookup in table.declared:
            rec.blocked = True  # the record it names has a problem of its own, reported there
        elif obj is None:
            rec.problem(key, missing, line)
        return obj

    def _scope(self, rec: _Rec) -> Municipality | None:
        if self.municipality is None:
            rec.blocked = True
        return self.municipality

    def _department(self, rec: _Rec, key: str, code: str, line: int | None = None) -> Department | None:
        assert self.municipality is not None
        missing = _('No department with code "{code}" in {municipality}.').format(
            code=code, municipality=self.municipality.name)
        return self._find(rec, key, self.departments, _key(code), missing, line)

    def _departments_of(self, rec: _Rec, key: str) -> list[Department]:
        found = (self._department(rec, key, code, rec.item_line(key, index))
                 for index, code in enumerate(rec.refs.get(key, [])))
        return [department for department in found if department is not None]

    def _optional_department(self, rec: _Rec, values: dict[str, Any]) -> Department | None:
        code = rec.refs.get("department")
        if code is not None:
            values["department"] = self._department(rec, "department", code) if code else None
        return values.get("department")

    def _person(self, rec: _Rec, key: str, name: str, line: int | None = None) -> Person | None:
        assert self.municipality is not None
        return self._find(rec, key, self.people, _key(name), _('No person "{name}" in {municipality}.').format(
            name=name, municipality=self.municipality.name), line)

    def _engagement_ref(self, rec: _Rec, key: str, title: str, line: int | None = None) -> Engagement | None:
        assert self.municipality is not None
        missing = _('No engagement titled "{title}" in {municipality}.').format(
            title=title, municipality=self.municipality.name)
        return self._find(rec, key, self.engagements, _key(title), missing, line)

    def _unit(self, rec: _Rec, key: str, name: str, department: Department | None) -> Unit | None:
        """A unit of the department or, when no department is given, the one unit of that name."""
        if department is not None:
            return self._find(rec, key, self.units, (_key(department.code), _key(name)), _(
                'No unit "{name}" in department {code}.').format(name=name, code=department.code))
        assert self.municipality is not None
        matches = {unit for (_code, unit_key), unit in self.units.saved.items() if unit_key == _key(name)}
        if len(matches) == 1:
            return matches.pop()
        if matches:
            rec.problem(key, _('Several departments have a unit "{name}"; give the department.').format(name=name))
        elif any(unit_key == _key(name) for (_code, unit_key) in self.units.declared):
            rec.blocked = True
        else:
            rec.problem(key, _('No unit "{name}" in {municipality}.').format(
                name=name, municipality=self.municipality.name))
        return None

    def _organisation_ref(self, rec: _Rec, key: str, name: str, line: int) -> ExternalOrganisation | None:
        return self._find(rec, key, self.organisations, _key(name), _(
            'No organisation "{name}" (by name or alias); list it under organisations:.').format(name=name), line)

    def _city_ref(self, rec: _Rec, key: str, text: str, line: int) -> City | None:
        name, _bar, country = text.rpartition("|") if "|" in text else (text, "", "")
        name, country = name.strip(), country.strip().upper()
        if country:
            return self._find(rec, key, self.cities, (_key(name), country), _(
                'No city "{name}" in {country}; list it under cities:.').format(name=name, country=country), line)
        matches = {city for (city_key, _cc), city in self.cities.saved.items() if city_key == _key(name)}
        countries = {cc for (city_key, cc) in [*self.cities.saved, *self.cities.declared] if city_key == _key(name)}
        if len(countries) > 1:
            rec.problem(key, _('There are cities called "{name}" in {countries}; write "{name}|{country}".').format(
                name=name, countries=", ".join(sorted(countries)), country=sorted(countries)[0]), line)
        elif len(matches) == 1:
            return matches.pop()
        elif countries:
            rec.blocked = True
        else:
            rec.problem(key, _('No city "{name}"; list it under cities:.').format(name=name), line)
        return None

    # The sections, in the order they are written.

    def _regions(self) -> None:
        for rec in self._records("regions", REGION):
            self._put(rec, Region, self.regions, rec.natural("code"), rec.values)

    def _region_of(self, rec: _Rec, values: dict[str, Any]) -> None:
        code = rec.refs.get("region")
        if code is not None:
            values["region"] = self._find(rec, "region", self.regions, _key(code), _(
                'No region with code "{code}".').format(code=code)) if code else None

    def _municipalities(self) -> None:
        for rec in self._records("municipalities", MUNICIPALITIES):
            self._upsert_municipality(rec)

    def _upsert_municipality(self, rec: _Rec) -> Municipality | None:
        values = dict(rec.values)
        self._region_of(rec, values)
        if "code" in values:
            self.result.municipality_codes.add(values["code"])
        return self._put(rec, Municipality, self.municipalities, rec.natural("code"), values)

    def _municipality(self) -> None:
        data = self.doc.get("municipality")
        if data is not None:
            rec = _Rec(self, data, "municipality", MUNICIPALITY, self.doc.line_of("municipality"))
            self.municipality = self._upsert_municipality(rec)
        if self.municipality is not None:
            self._load_scoped(self.municipality)

    def _source(self) -> None:
        if "source" in self.doc:
            source = _Rec(self, self.doc["source"], "source", SOURCE, self.doc.line_of("source"))
            self.source_title = _label(source.data, "title") if source.ok else ""

    def _shared(self) -> None:
        for rec in self._records("themes", THEME):
            self._put(rec, Theme, self.themes, rec.natural("name"), rec.values)
        for section, schema, table, model in (
            ("programmes", PROGRAMME, self.programmes, FundingProgramme),
            ("organisations", ORGANISATION, self.organisations, ExternalOrganisation),
        ):
            for rec in self._records(section, schema):
                self._upsert_aliased(rec, table, model)
        for rec in self._records("cities", CITY):
            self._city(rec)

    def _upsert_aliased(self, rec: _Rec, table: _Table[Any], model: type[models.Model]) -> None:
        """A programme or organisation, matched on its name or, failing that, any of its aliases."""
        name_key = rec.natural("name")
        alias_keys = [_key(alias) for alias in rec.values.get("aliases", [])]
        found, existing = self._existing(rec, model, table, table.first([name_key, *alias_keys]))
        obj = self._upsert(rec, model, existing, rec.values) if found else None
        if obj is not None:
            table.add(obj, name_key, alias_keys)

    def _city(self, rec: _Rec) -> None:
        values = dict(rec.values)
        name, country = values.get("name", ""), values.get("country", "")
        aliases: list[str] = values.get("aliases", [])
        found, existing = self._existing(rec, City, self.cities,
                                         self.cities.first([(_key(text), country) for text in (name, *aliases)]))
        if not found:
            return
        given = "latitude" in values or "longitude" in values
        if rec.ok and not given and (existing is None or existing.latitude is None):
            place = geo.lookup(name, country, aliases)
            if place is None:
                rec.problem("latitude", _(
                    'GeoNames does not know "{name}" in {country}; give its latitude and longitude.').format(
                    name=name, country=country))
                return
            values["latitude"], values["longitude"], values["geonames_id"] = place
        city = self._upsert(rec, City, existing, values)
        if city is not None:
            self.cities.add(city, (_key(name), country), [(_key(alias), country) for alias in aliases])

    def _own_organisation(self) -> None:
        for rec in self._records("departments", DEPARTMENT):
            department = None
            if self._scope(rec) is not None:
                department = self._put(rec, Department, self.departments, rec.natural("code"),
                                       {**rec.values, "municipality": self.municipality})
            for unit_rec in self._nested(rec, "units", UNIT):
                self._unit_record(unit_rec, department)
            if "inquiries" in rec.refs:
                self._inquiry_settings(rec, department)
        for rec in self._records("people", PERSON):
            self._person_record(rec)
        for rec in self._records("committees", COMMITTEE):
            if self._scope(rec) is None:
                continue
            values = {**rec.values, "municipality": self.municipality}
            self._optional_department(rec, values)
            self._put(rec, Committee, self.committees, rec.natural("name"), values)

    def _inquiry_settings(self, department_rec: _Rec, department: Department | None) -> None:
        """How the department handles inquiries (seed 000 §8), and its stock reasons for declining."""
        rec = _Rec(self, department_rec.refs["inquiries"], f"{department_rec.where}, inquiries", INQUIRY_SETTINGS,
                   department_rec.data.line_of("inquiries"))
        if department is None:
            rec.blocked = True
            return
        existing = DepartmentInquirySettings.objects.filter(department=department).first()
        values = {**rec.values, "department": department}
        if "response_days" in values and values["response_days"] is None:
            del values["response_days"]
        if self._upsert(rec, DepartmentInquirySettings, existing, values) is None:
            return
        reasons = {_key(r.text): r for r in DeclineReason.objects.filter(department=department)}
        listed = set()
        for reason_rec in self._nested(rec, "decline_reasons", DECLINE_REASON):
            key = reason_rec.natural("text")
            listed.add(key)
            self._upsert(reason_rec, DeclineReason, reasons.get(key), {**reason_rec.values, "department": department})
        for key, reason in reasons.items():
            if key not in listed:
                self._delete(reason)

    def _unit_record(self, rec: _Rec, department: Department | None) -> None:
        if department is None:
            rec.blocked = True
        else:
            key = (_key(department.code), rec.natural("name"))
            self._put(rec, Unit, self.units, key, {**rec.values, "department": department})

    def _person_record(self, rec: _Rec) -> None:
        if self._scope(rec) is None:
            return
        values = {**rec.values, "municipality": self.municipality}
        department = self._optional_department(rec, values)
        unit_name = rec.refs.get("unit")
        if unit_name is not None and ("department" not in rec.refs or department is not None):
            values["unit"] = self._unit(rec, "unit", unit_name, department) if unit_name else None
        self._put(rec, Person, self.people, rec.natural("name"), values)

    def _strategies(self) -> None:
        for rec in self._records("strategies", STRATEGY):
            if self._scope(rec) is None:
                continue
            m2m = {"departments": self._departments_of(rec, "departments")} if "departments" in rec.refs else {}
            values = {**rec.values, "municipality": self.municipality}
            strategy = self._put(rec, Strategy, self.strategies, rec.natural("name"), values, m2m)
            if strategy is not None and "elements" in rec.refs:
                self._elements(rec, strategy, rec.refs["elements"])
        for section, model in (("goals", Goal), ("principles", Principle), ("focus_areas", FocusArea)):
            for index, rec in enumerate(self._records(section, STATEMENT)):
                self._statement(rec, model, self.statements[section], index + 1)

    def _elements(self, rec: _Rec, strategy: Strategy, texts: list[str]) -> None:
        """Replace the strategy's international elements when they differ from the file's."""
        current = list(strategy.elements.order_by("order", "pk"))
        if [element.text for element in current] == texts:
            self.result.unchanged[StrategyElement._meta.model_name or ""] += len(current)
            return
        for element in current:
            self._delete(element)
        for order, text in enumerate(texts, start=1):
            self._upsert(rec, StrategyElement, None, {"strategy": strategy, "order": order, "text": text})

    def _statement(self, rec: _Rec, model: type[models.Model], table: _Table[Any], order: int) -> None:
        if self._scope(rec) is None:
            return
        assert self.municipality is not None
        values = {**rec.values, "municipality": self.municipality, "order": order}
        name = rec.refs.get("strategy")
        if name is not None:
            values["strategy"] = self._find(rec, "strategy", self.strategies, _key(name), _(
                'No strategy "{name}" in {municipality}.').format(name=name, municipality=self.municipality.name),
            ) if name else None
        self._put(rec, model, table, rec.natural("title"), values)

    def _engagements(self) -> None:
        records = list(self._records("engagements", ENGAGEMENT))
        pending = {rec.natural("title"): rec for rec in records if "title" in rec.values}
        for rec in records:
            self._engagement_in_order(rec, pending, set())

    def _engagement_in_order(self, rec: _Rec, pending: dict[str, _Rec], busy: set[str]) -> None:
        """Write the engagement once, after its parent when the parent comes later in the file."""
        key = rec.natural("title")
        if key:
            if pending.get(key) is not rec:
                return  # written already
            del pending[key]
        parent = rec.refs.get("parent")
        parent_key = _key(parent) if parent else ""
        if parent_key and parent_key == key:
            rec.problem("parent", _("An engagement cannot be its own parent."))
        elif parent_key and parent_key in busy:
            rec.problem("parent", _("The parent agreements form a loop."))
        elif parent_key in pending:
            self._engagement_in_order(pending[parent_key], pending, busy | {key})
        self._engagement_record(rec)

    def _engagement_record(self, rec: _Rec) -> None:
        representatives = self._nested(rec, "representatives", REPRESENTATIVE)
        links = self._nested(rec, "links", LINK)
        serves = self._nested(rec, "serves", SERVES)
        targets = [self._served(sub) for sub in serves]
        self.engagement_funding += [(rec, funding) for funding in self._nested(rec, "funding", ENGAGEMENT_FUNDING)]
        if self._scope(rec) is None:
            return
        values = {**rec.values, "municipality": self.municipality}
        m2m = self._engagement_refs(rec, values)
        people = [self._person(sub, "person", sub.refs["person"]) if "person" in sub.refs else None
                  for sub in representatives]
        self._check_unique(representatives, "person")
        self._check_unique(links, "url")
        if "themes" in rec.refs:
            m2m["themes"] = self._themes_of(rec)
        engagement = self._put(rec, Engagement, self.engagements, rec.natural("title"), values, m2m)
        if engagement is None:
            return
        if "representatives" in rec.refs:
            self._representatives(engagement, list(zip(representatives, people, strict=True)))
        if "links" in rec.refs:
            self._links(engagement, links)
        if "serves" in rec.refs:
            self._alignments(engagement, list(zip(serves, targets, strict=True)))

    def _served(self, rec: _Rec) -> tuple[str, Any] | None:
        """The goal or focus area a ``serves`` entry names, as ("goal" | "focus_area", record)."""
        assert self.municipality is not None
        given = [key for key in ("goal", "focus_area") if rec.refs.get(key)]
        if len(given) != 1:
            rec.problem("goal", _("Name either a goal or a focus_area."))
            return None
        key = given[0]
        table = self.statements["goals" if key == "goal" else "focus_areas"]
        found = self._find(rec, key, table, _key(rec.refs[key]), _('No {kind} "{title}" in {municipality}.').format(
            kind=key.replace("_", " "), title=rec.refs[key], municipality=self.municipality.name))
        return (key, found) if found is not None else None

    def _alignments(self, engagement: Engagement, items: list[tuple[_Rec, tuple[str, Any] | None]]) -> None:
        existing = {(a.goal_id, a.focus_area_id): a for a in Alignment.objects.filter(engagement=engagement)}
        for rec, target in items:
            if rec.ok and target is not None:
                key, record = target
                ids = (record.pk, None) if key == "goal" else (None, record.pk)
                self._upsert(rec, Alignment, existing.pop(ids, None), {
                    "engagement": engagement, key: record, "justification": rec.values.get("justification", "")})
        for alignment in existing.values():
            self._delete(alignment)

    def _engagement_refs(self, rec: _Rec, values: dict[str, Any]) -> dict[str, list[Any]]:
        """Resolve the engagement's references into ``values``; return its many-to-many lists."""
        lead = self._department(rec, "lead", rec.refs["lead"]) if "lead" in rec.refs else None
        if lead is not None:
            values["lead_department"] = lead
        unit = rec.refs.get("unit")
        if unit is not None and lead is not None:
            values["responsible_unit"] = self._find(rec, "unit", self.units, (_key(lead.code), _key(unit)), _(
                'No unit "{name}" in the lead department {code}.').format(name=unit, code=lead.code)) if unit else None
        parent = rec.refs.get("parent")
        if parent is not None:
            values["parent"] = self._engagement_ref(rec, "parent", parent) if parent else None
        m2m: dict[str, list[Any]] = {}
        if "departments" in rec.refs:
            m2m["participating_departments"] = self._departments_of(rec, "departments")
            if lead is not None and lead in m2m["participating_departments"]:
                rec.problem("departments", _(
                    "The lead department {code} is listed among the participating departments; list only the others."
                ).format(code=lead.code))
        resolvers: tuple[tuple[str, str, Callable[[_Rec, str, str, int], Any]], ...] = (
            ("contacts", "contacts", self._person), ("organisations", "partner_organisations", self._organisation_ref),
            ("cities", "partner_cities", self._city_ref),
        )
        for key, field_name, resolve in resolvers:
            if key in rec.refs:
                found = [resolve(rec, key, text, rec.item_line(key, index)) for index, text in enumerate(rec.refs[key])]
                m2m[field_name] = [obj for obj in found if obj is not None]
        return m2m

    def _themes_of(self, rec: _Rec) -> list[Theme]:
        """The engagement's themes. A theme neither the database nor the files hold is new vocabulary: it is
        listed in the result's ``new_themes``, and created (when the engagement is valid) only when the user
        confirmed it (``create_themes``); otherwise it is a problem."""
        themes, unknown = [], []
        for index, name in enumerate(rec.refs["themes"]):
            theme = self.themes.get(_key(name))
            if theme is None and _key(name) in self.themes.declared:
                rec.blocked = True
            elif theme is None:
                unknown.append(name)
                self.result.new_themes.setdefault(name, rec.item_line("themes", index))
                if self.create_themes and rec.ok:
                    theme = self._upsert(rec, Theme, None, {"name": name})
                    if theme is not None:
                        self.themes.add(theme, _key(name))
            if theme is not None:
                themes.append(theme)
        if unknown and not self.create_themes:
            shown = ", ".join(f'"{name}"' for name in unknown[:10])
            more = _(" and {count} more").format(count=len(unknown) - 10) if len(unknown) > 10 else ""
            rec.problem("themes", _(
                "No theme {names}{more}. List new themes under themes:, or confirm that they are to be created "
                "(the check page's \"Create the new themes\", or udsyn import --create-themes).").format(
                names=shown, more=more))
        return themes

    def _check_unique(self, records: list[_Rec], key: str) -> None:
        seen: dict[str, int] = {}
        for rec in records:
            text = rec.refs.get(key, rec.values.get(key))
            if isinstance(text, str) and _key(text) in seen:
                rec.problem(key, self.already_listed(seen[_key(text)]))
            elif isinstance(text, str):
                seen[_key(text)] = rec.data.line

    def _representatives(self, engagement: Engagement, items: list[tuple[_Rec, Person | None]]) -> None:
        existing = {representative.person_id: representative for representative in engagement.representatives.all()}
        for rec, person in items:
            if rec.ok and person is not None:
                self._upsert(rec, Representative, existing.pop(person.pk, None),
                             {**rec.values, "engagement": engagement, "person": person})
        for representative in existing.values():
            self._delete(representative)

    def _links(self, engagement: Engagement, records: list[_Rec]) -> None:
        existing = {link.url: link for link in engagement.links.all()}
        for rec in records:
            if rec.ok:
                self._upsert(rec, EngagementLink, existing.pop(rec.values["url"], None),
                             {**rec.values, "engagement": engagement})
        for link in existing.values():
            self._delete(link)

    def _all_funding(self) -> None:
        for owner, rec in self.engagement_funding:
            self._funding_record(rec, owner)
        for rec in self._records("funding", FUNDING):
            self._funding_record(rec, None)

    def _funding_record(self, rec: _Rec, owner: _Rec | None) -> None:
        """A funding line of its own (``owner`` None) or of one engagement, whose lead it defaults to."""
        if self._scope(rec) is None:
            return
        values = {**rec.values, "municipality": self.municipality}
        department = self._optional_department(rec, values)
        m2m: dict[str, list[Any]] = {}
        if owner is not None:
            engagement = self.engagements.get(owner.natural("title"))
            rec.blocked = rec.blocked or engagement is None
            if engagement is not None:
                m2m["engagements"] = [engagement]
                if department is None and "department" not in rec.refs:
                    values["department"] = engagement.lead_department
        elif "engagements" in rec.refs:
            found = [self._engagement_ref(rec, "engagements", title, rec.item_line("engagements", index))
                     for index, title in enumerate(rec.refs["engagements"])]
            m2m["engagements"] = [engagement for engagement in found if engagement is not None]
        programme = rec.refs.get("programme")
        if programme:
            values["programme"] = self._find(rec, "programme", self.programmes, _key(programme), _(
                'No funding programme "{name}" (by name or alias); list it under programmes:.').format(name=programme))
        self._put(rec, Funding, self.funding, rec.natural("title"), values, m2m)

    def _stated_figures(self) -> None:
        for rec in self._records("stated_figures", STATED_FIGURE):
            if self._scope(rec) is None:
                continue
            values = {**rec.values, "municipality": self.municipality}
            self._optional_department(rec, values)
            reference = _label(rec.data, "source_reference")
            if self.source_title or reference:
                values["source"] = ", ".join(part for part in (self.source_title, reference) if part)
            self._put(rec, StatedFigure, self.figures, rec.natural("key"), values)


def _aliases(item: Any) -> list[str]:
    if not isinstance(item, YamlMap):
        return []
    try:
        return _texts(item.get("aliases"), item.raw.get("aliases"))
    except _Bad:
        return []


def _list_items(value: Any) -> Iterator[tuple[int, Any]]:
    if isinstance(value, YamlList):
        yield from enumerate(value)
