"""The strategies' part of the import/export registry: strategies with their international elements, and
goals, principles and focus areas, as registry-file sections and as tables (docs/import-format.md)."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import FileImport, Rec
from udsyn.core.exchange.sections import Col, Column, Section, Table, columns, ref, refs, register
from udsyn.core.exchange.values import boolean, choice, date, texts, year
from udsyn.organisation.exchange import departments_of, scoped_values
from udsyn.organisation.models import Municipality
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy, StrategyElement

STATEMENTS: tuple[tuple[str, type[Goal | Principle | FocusArea], int], ...] = (
    ("goals", Goal, 82), ("principles", Principle, 84), ("focus_areas", FocusArea, 86))


def _load(job: FileImport, municipality: Municipality) -> None:
    for strategy in Strategy.objects.filter(municipality=municipality).prefetch_related("departments"):
        job.table("strategies").add(strategy, v.key(strategy.name))
    for section, model, _order in STATEMENTS:
        for statement in model._default_manager.filter(municipality=municipality):
            job.table(section).add(statement, v.key(statement.title))


def _write_strategies(job: FileImport) -> None:
    for rec in job.records("strategies"):
        values = scoped_values(job, rec)
        if values is None:
            continue
        m2m = {"departments": departments_of(job, rec, "departments")} if "departments" in rec.refs else {}
        strategy = job.put(rec, Strategy, job.table("strategies"), rec.natural("name"), values, m2m)
        if strategy is not None and "elements" in rec.refs:
            _elements(job, rec, strategy, rec.refs["elements"])


def _elements(job: FileImport, rec: Rec, strategy: Strategy, written: list[str]) -> None:
    """Replace the strategy's international elements when they differ from the file's."""
    current = list(strategy.elements.order_by("order", "pk"))
    if [element.text for element in current] == written:
        job.result.unchanged[StrategyElement._meta.model_name or ""] += len(current)
        return
    for element in current:
        job.delete(element)
    for order, text in enumerate(written, start=1):
        job.upsert(rec, StrategyElement, None, {"strategy": strategy, "order": order, "text": text})


def _statements(section: str, model: type[Goal | Principle | FocusArea]) -> Callable[[FileImport], None]:
    def write(job: FileImport) -> None:
        for order, rec in enumerate(job.records(section), start=1):
            values = scoped_values(job, rec)
            if values is None:
                continue
            values["order"] = order
            name = rec.refs.get("strategy")
            if name is not None:
                values["strategy"] = job.find(rec, "strategy", job.table("strategies"), v.key(name), _(
                    'No strategy "{name}" in {municipality}.').format(name=name, municipality=job.municipality.name),
                ) if name else None
            job.put(rec, model, job.table(section), rec.natural("title"), values)
    return write


def _scope(queryset: QuerySet[Any], municipality: Municipality | None) -> QuerySet[Any]:
    return queryset if municipality is None else queryset.filter(municipality=municipality)


def _strategy_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Strategy.objects.select_related("municipality").prefetch_related("departments", "elements")
    for s in _scope(queryset, municipality).order_by("municipality__code", "name"):
        yield {"id": s.pk, "municipality": s.municipality.code, "name": s.name, "kind": s.kind,
               "departments": [d.code for d in s.departments.all()], "adopted": s.adopted_year,
               "start": s.start_year, "end": s.end_year, "politically_approved": s.politically_approved,
               "revision_due": s.revision_due, "description": s.description, "source_reference": s.source_reference,
               "elements": [e.text for e in sorted(s.elements.all(), key=lambda e: (e.order, e.pk))]}


def _statement_rows(model: type[Goal | Principle | FocusArea]) -> Callable[[Any], Iterator[dict[str, Any]]]:
    def rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
        queryset = model._default_manager.select_related("municipality", "strategy")
        for s in _scope(queryset, municipality).order_by("municipality__code", "order", "title"):
            yield {"id": s.pk, "municipality": s.municipality.code, "title": s.title,
                   "strategy": s.strategy.name if s.strategy else "", "description": s.description}
    return rows


register(
    Section("strategies", 80, {
        "name": Col("name", required=True), "kind": Col("kind", choice(Strategy.Kind)),
        "departments": refs("departments"), "adopted": Col("adopted_year", year), "start": Col("start_year", year),
        "end": Col("end_year", year), "politically_approved": Col("politically_approved", boolean),
        "revision_due": Col("revision_due", date(end=True)), "description": Col("description"),
        "source_reference": Col("source_reference"), "elements": Col("", texts, ref=True),
    }, "name", models=(Strategy, StrategyElement), load=_load, write=_write_strategies),
    *(Section(section, order, {
        "title": Col("title", required=True), "strategy": ref("strategy"), "description": Col("description"),
    }, "title", models=(model,), write=_statements(section, model)) for section, model, order in STATEMENTS),
    Table("strategies", Strategy, columns(
        "name", "kind", Column("departments", "list"), Column("adopted", "year"), Column("start", "year"),
        Column("end", "year"), Column("politically_approved", "bool"), Column("revision_due", "date"),
        "description", Column("source_reference", internal=True), Column("elements", "lines")), _strategy_rows, 80),
    *(Table(section, model, columns("title", "strategy", "description"), _statement_rows(model), order)
      for section, model, order in STATEMENTS),
)
