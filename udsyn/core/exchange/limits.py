"""Limits that protect the server from what an import (or an API body) is given, and the readers that keep them.

A file that breaks one is refused with a message saying which limit and where, before any of it is used:
the unpacked size of a zip (and of an Excel workbook, which is a zip), the size of one cell or text, the
nesting depth of JSON and YAML, the number of nodes a YAML file's aliases expand to, and the number of
entries of one list. YAML values PyYAML cannot build (a date such as 2019-02-30, a whole number of
thousands of digits) are reported with their line instead of raising.
"""

import json
import zipfile
from typing import Any

import yaml
from django.utils.translation import gettext as _

MAX_UNPACKED = 60 * 1024 * 1024  # bytes: what the files of one zip (or workbook) may hold unpacked, together
MAX_ZIP_FILES = 200  # files in one zip
MAX_CELL = 128 * 1024 - 1  # characters of one cell or text value (the csv module's own limit is 128 KiB)
MAX_DEPTH = 32  # nesting of mappings and lists in JSON and YAML (a registry file needs 6)
MAX_NODES = 2_000_000  # values a YAML document holds once its aliases are expanded
MAX_LIST = 1000  # entries of one list (one cell's themes, one engagement's cities ...)


class LimitExceeded(ValueError):
    """Input that breaks a limit; the message says which."""


def check_zip(archive: zipfile.ZipFile, what: str) -> None:
    """Refuse a zip whose files would unpack to more than MAX_UNPACKED, before any is unpacked."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_FILES:
        raise LimitExceeded(_("{what} holds more than {count} files.").format(what=what, count=MAX_ZIP_FILES))
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise LimitExceeded(_("{what} would unpack to more than {size} MB.").format(
            what=what, size=MAX_UNPACKED // (1024 * 1024)))


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int], what: str) -> bytes:
    """One file of a zip, read no further than what is left of the unpacked budget (a zip's own sizes may lie)."""
    with archive.open(info) as member:
        content = member.read(budget[0] + 1)
    budget[0] -= len(content)
    if budget[0] < 0:
        raise LimitExceeded(_("{what} would unpack to more than {size} MB.").format(
            what=what, size=MAX_UNPACKED // (1024 * 1024)))
    return content


def depth_of(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deep lists and mappings nest in a value read from JSON, counted without recursion; stops past limit."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def too_deep() -> str:
    return _("It is nested more than {depth} levels deep.").format(depth=MAX_DEPTH)


def load_json(content: bytes | str) -> Any:
    """JSON, refused (LimitExceeded) when it nests deeper than MAX_DEPTH; ValueError when it is not JSON."""
    try:
        data = json.loads(content)
    except RecursionError:
        raise LimitExceeded(too_deep()) from None
    if depth_of(data) > MAX_DEPTH:
        raise LimitExceeded(too_deep())
    return data


class LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than MAX_DEPTH and alias bombs (more than MAX_NODES
    values once expanded), and reporting values it cannot build (2019-02-30) as errors with their line."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, too_deep(), self.peek_event().start_mark)
            node: Any = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if not hasattr(node, "size"):  # an alias gives the node it names, counted again
            if isinstance(node, yaml.MappingNode):
                size = 1 + sum(_size(key) + _size(value) for key, value in node.value)
            elif isinstance(node, yaml.SequenceNode):
                size = 1 + sum(_size(child) for child in node.value)
            else:
                size = 1
            node.size = size
            if size > MAX_NODES:
                raise yaml.composer.ComposerError(None, None, _(
                    "It holds more than {count} values once its aliases are expanded.").format(count=MAX_NODES),
                    node.start_mark)
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as error:
            if isinstance(error, LimitExceeded):
                raise
            raise yaml.constructor.ConstructorError(
                None, None, _('"{value}" cannot be read: {error}').format(
                    value=str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else node.tag, error=error),
                node.start_mark) from None


def _size(node: Any) -> int:
    """The values a node holds once expanded (1 for a node that holds itself, not yet counted)."""
    return int(getattr(node, "size", 1))


def load_yaml(content: bytes | str) -> Any:
    """YAML read as PyYAML's safe_load does, within the limits."""
    loader = LimitedLoader(content)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
