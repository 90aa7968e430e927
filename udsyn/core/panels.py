"""What a record's detail page shows besides its own fields, registered by the app that owns it (as NetBox's
``register_model_view``): the kernel's detail view loops over what is registered and imports no app.

- a *related table*: a department's engagements, registered by the engagements app;
- a *section* with a template of its own: an engagement's goal links, registered by the steering app;
- an *action*: a button in the title bar, e.g. "Make a report", registered by the reports app.

Each is asked with the record and the user, so that it shows only what the user may see.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models

from udsyn.core.tables import Column


@dataclass(frozen=True)
class Related:
    title: Any  # a (lazy) translated title
    rows: Callable[[Any, Any], Any]  # (record, user) -> the rows: a list, or a queryset shown as FirstRows
    columns: Sequence[Column]
    more_url: Callable[[Any], str] | None = None  # the full, filterable list of the rows
    order: int = 100


@dataclass(frozen=True)
class Section:
    template: str  # included with ``object`` (the record) and ``panel`` (what ``context`` returns)
    context: Callable[[Any, Any], dict[str, Any] | None]  # (record, user) -> None: not shown
    order: int = 100


@dataclass(frozen=True)
class Action:
    label: Any
    url: Callable[[Any, Any], str]  # (record, user) -> "" when not offered to this user
    order: int = 100


_related: dict[type[models.Model], list[Related]] = {}
_sections: dict[type[models.Model], list[Section]] = {}
_actions: dict[type[models.Model], list[Action]] = {}


def register_related(model: type[models.Model], related: Related) -> None:
    _related.setdefault(model, []).append(related)


def register_section(model: type[models.Model], section: Section) -> None:
    _sections.setdefault(model, []).append(section)


def register_action(model: type[models.Model], action: Action) -> None:
    _actions.setdefault(model, []).append(action)


def related_tables(obj: models.Model, user: Any, first_rows: Callable[[Any, str], Any]) -> list[tuple[Any, Any, Any]]:
    """The registered related tables of the record: (title, rows, columns), in their order."""
    tables = []
    for related in sorted(_related.get(type(obj), []), key=lambda r: r.order):
        rows = related.rows(obj, user)
        if related.more_url is not None:
            rows = first_rows(rows, related.more_url(obj))
        elif not isinstance(rows, list):
            rows = list(rows)
        tables.append((related.title, rows, list(related.columns)))
    return tables


def sections(obj: models.Model, user: Any) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for section in sorted(_sections.get(type(obj), []), key=lambda s: s.order):
        context = section.context(obj, user)
        if context is not None:
            shown.append((section.template, context))
    return shown


def actions(obj: models.Model, user: Any) -> list[tuple[Any, str]]:
    offered = []
    for action in sorted(_actions.get(type(obj), []), key=lambda a: a.order):
        url = action.url(obj, user)
        if url:
            offered.append((action.label, url))
    return offered
