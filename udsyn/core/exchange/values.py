"""Reading an import's values, kernel of the import/export registry: YAML with the line of every mapping, key and
scalar (spreadsheet rows are read into the same ``YamlMap``/``YamlList``), and the parsers that turn a value
into a field's value or say, in words a user understands, why it cannot be read (``Bad``).

The sections that apps register (``udsyn.core.exchange.sections``) name a parser for each key.
"""

import calendar
import datetime
import re
from collections.abc import Callable, Hashable, Iterator
from decimal import Decimal
from typing import IO, Any

import yaml
from django.db import models
from django.utils.translation import gettext as _

from udsyn.core.exchange import limits
from udsyn.core.text import fold

Source = str | bytes | IO[str] | IO[bytes]


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


def load(text: str) -> tuple[Any, tuple[int | None, str] | None]:
    """The YAML document, or None and (line, message) saying where and why it cannot be read."""
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 (_Loader is a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        line = mark.line + 1 if mark else None
        return None, (line, _("The file is not valid YAML: {problem}").format(problem=message))
    except yaml.YAMLError as error:
        return None, (None, _("The file is not valid YAML: {problem}").format(problem=error))


def text_of(source: Source) -> str:
    """The text of a file given as text, bytes or an open file; UnicodeDecodeError if it is not UTF-8."""
    content = source.read() if hasattr(source, "read") else source
    return content.decode("utf-8-sig") if isinstance(content, bytes) else str(content)


class Bad(Exception):
    """A value that cannot be read; the message says why."""


Parser = Callable[[Any, str | None], Any]
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def text(value: Any, raw: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | datetime.date) and raw is not None:
        value = raw
    if not isinstance(value, str):
        raise Bad(_("Give text here, not a list or a mapping."))
    if "\x00" in value:
        raise Bad(_("The text holds a NUL character (\\0), which cannot be stored."))
    if len(value) > limits.MAX_CELL:
        raise Bad(_("The text is longer than {count} characters.").format(count=limits.MAX_CELL))
    return value.strip()


def upper(value: Any, raw: str | None) -> str:
    return text(value, raw).upper()


def texts(value: Any, raw: str | None) -> list[str]:
    """A list of texts; a single text is a list of one."""
    if value is None:
        return []
    if not isinstance(value, YamlList):
        return [text(value, raw)] if text(value, raw) else []
    if len(value) > limits.MAX_LIST:
        raise Bad(_("The list has more than {count} entries.").format(count=limits.MAX_LIST))
    items = [text(item, item_raw) for item, item_raw in zip(value, value.raw, strict=True)]
    if not all(items):
        raise Bad(_("The list has an empty entry."))
    return items


def mappings(value: Any, raw: str | None) -> YamlList:
    if value is None:
        return YamlList(0)
    if not isinstance(value, YamlList):
        raise Bad(_("Give a list of entries here."))
    return value


def as_is(value: Any, raw: str | None) -> Any:
    return value


def integer(value: Any, raw: str | None) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Bad(_("Give a whole number."))
    return value


def choices(choices: type[models.TextChoices]) -> Parser:
    single = choice(choices)

    def parse(value: Any, raw: str | None) -> list[str]:
        return [single(text, text) for text in texts(value, raw)]

    return parse


def choice(choices: type[models.TextChoices]) -> Parser:
    allowed = [str(value) for value in choices.values]

    def parse(value: Any, raw: str | None) -> str:
        written = text(value, raw)
        if written and written not in allowed:
            raise Bad(_('"{value}" is not one of {allowed}.').format(value=written, allowed=", ".join(allowed)))
        return written

    return parse


def boolean(value: Any, raw: str | None) -> bool:
    if isinstance(value, bool):
        return value
    raise Bad(_('"{value}" is not true or false.').format(value=raw if raw is not None else value))


def _number_text(value: Any, raw: str | None) -> str | None:
    """The number written, as written, or None when empty."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Bad(_("Give a number here."))
    written = str(value) if isinstance(value, int) else (value if isinstance(value, str) else raw or str(value))
    if not _NUMBER.fullmatch(written.strip()):
        raise Bad(_('"{value}" is not a number; write it plainly, e.g. 1300000 or 665462.5.').format(value=written))
    return written.strip()


def decimal(value: Any, raw: str | None) -> Decimal | None:
    written = _number_text(value, raw)
    return None if written is None else Decimal(written)


def floating(value: Any, raw: str | None) -> float | None:
    written = _number_text(value, raw)
    return None if written is None else float(written)


def year(value: Any, raw: str | None) -> int | None:
    if value is None:
        return None
    written = str(value) if isinstance(value, int) and not isinstance(value, bool) else text(value, raw)
    if not re.fullmatch(r"\d{4}", written):
        raise Bad(_('"{value}" is not a year.').format(value=written))
    return int(written)


def date(end: bool) -> Parser:
    """A date written as 2019, 2019-11 or 2019-11-01: a year or month is its first day, or its last for an end."""

    def parse(value: Any, raw: str | None) -> datetime.date | None:
        if value is None:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        written = text(value, raw)
        match = _DATE.fullmatch(written)
        try:
            if match is None:
                raise ValueError(written)
            year, month, day = (int(part) if part else None for part in match.groups())
            assert year is not None
            if day is not None and month is not None:
                return datetime.date(year, month, day)
            if month is not None:
                return datetime.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
            return datetime.date(year, 12, 31) if end else datetime.date(year, 1, 1)
        except ValueError:
            raise Bad(_('"{value}" is not a date; write 2019, 2019-11 or 2019-11-01.').format(value=written)) from None

    return parse




def aliases(item: Any) -> list[str]:
    """The aliases a record of the file gives ("aliases:"), or none when they cannot be read."""
    if not isinstance(item, YamlMap):
        return []
    try:
        return texts(item.get("aliases"), item.raw.get("aliases"))
    except Bad:
        return []


def key(text: str) -> str:
    """A natural key as compared: folded like search text, so case, accents and punctuation do not count."""
    return fold(text) or text.strip().casefold()


def label(item: Any, name: str) -> str:
    """The text naming a record (its value for the key ``name``), or "" when it has none that can be read."""
    if not isinstance(item, YamlMap) or name not in item:
        return ""
    try:
        return text(item[name], item.raw.get(name))
    except Bad:
        return ""


def list_items(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, item) of a list of the file; nothing for anything else."""
    if isinstance(value, YamlList):
        yield from enumerate(value)
