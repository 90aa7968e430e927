"""A municipality at a glance: engagements by kind and department, annual costs, funding brought home.
Each figure is one aggregate query, whatever the size of the registry."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q
from django.utils.text import capfirst

from udsyn.engagements.models import Engagement, Funding, FundingProgramme
from udsyn.organisation.models import Department, Municipality


@dataclass
class DepartmentRow:
    department: Department
    by_kind: dict[str, int] = field(default_factory=dict)
    total: int = 0
    annual_fee: Decimal = Decimal(0)
    co_financing: Decimal = Decimal(0)
    funding_dkk: Decimal = Decimal(0)


@dataclass
class Overview:
    municipality: Municipality
    kinds: list[tuple[str, str]]
    kind_totals: dict[str, int]
    status_totals: dict[str, int]
    total: int
    departments: list[DepartmentRow]
    shared_count: int
    annual_fee: Decimal
    co_financing: Decimal
    funding_by_source: list[tuple[str, Decimal, Decimal]]  # label, received, expected
    funding_by_year: list[tuple[int, Decimal]]
    funding_total: Decimal
    funding_unknown_amounts: int
    stated_figures: list[Any]


def municipality_overview(municipality: Municipality) -> Overview:
    engagements = Engagement.objects.filter(municipality=municipality)
    departments = {d.pk: DepartmentRow(d) for d in municipality.departments.order_by("code")}

    led = engagements.values("lead_department_id", "kind").annotate(n=Count("pk"))
    joined = Engagement.participating_departments.through.objects.filter(
        engagement__municipality=municipality
    ).exclude(
        department_id=F("engagement__lead_department_id")
    ).values("department_id", "engagement__kind").annotate(n=Count("pk"))
    for lead_row in led:
        _add(departments, lead_row["lead_department_id"], lead_row["kind"], lead_row["n"])
    for joined_row in joined:
        _add(departments, joined_row["department_id"], joined_row["engagement__kind"], joined_row["n"])

    for dept_id, cost in engagements.annual_costs_by("lead_department_id").items():
        if dept_id in departments:
            departments[dept_id].annual_fee = cost.annual_fee
            departments[dept_id].co_financing = cost.co_financing

    funding = Funding.objects.filter(municipality=municipality)
    for dept_id, amount in funding.totals_by("department_id").items():
        if dept_id in departments:
            departments[dept_id].funding_dkk = amount

    sources = {value: capfirst(str(label)) for value, label in FundingProgramme.Source.choices}
    by_source: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (source, state), amount in funding.totals_by("programme__source", "status").items():
        by_source[source][state] += amount
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for year, amount in funding.exclude(start_date=None).totals_by("start_date__year").items():
        by_year[year] += amount

    kind_totals = dict(engagements.values_list("kind").annotate(n=Count("pk")))
    totals = engagements.aggregate(
        total=Count("pk", distinct=True),  # distinct: the join below repeats shared engagements
        shared=Count("pk", filter=Q(participating_departments__isnull=False), distinct=True),
    )
    costs = engagements.annual_costs()
    funding_total = funding.total()
    return Overview(
        municipality=municipality,
        kinds=[(value, str(label)) for value, label in Engagement.Kind.choices],
        kind_totals=kind_totals,
        status_totals=dict(engagements.values_list("status").annotate(n=Count("pk"))),
        total=totals["total"],
        departments=list(departments.values()),
        shared_count=totals["shared"],
        annual_fee=costs.annual_fee,
        co_financing=costs.co_financing,
        funding_by_source=[
            (str(sources.get(src, src)), amounts["received"], amounts["expected"])
            for src, amounts in sorted(by_source.items())
        ],
        funding_by_year=sorted(by_year.items()),
        funding_total=funding_total.total,
        funding_unknown_amounts=funding_total.unknown,
        stated_figures=list(municipality.stated_figures.select_related("department")),
    )


def _add(departments: dict[int, DepartmentRow], dept_id: int, kind: str, n: int) -> None:
    row = departments.get(dept_id)
    if row is None:
        return
    row.by_kind[kind] = row.by_kind.get(kind, 0) + n
    row.total += n
