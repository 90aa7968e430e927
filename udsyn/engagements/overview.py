"""A municipality at a glance: engagements by kind and department, annual costs, funding brought home.
Each figure is one aggregate query, whatever the size of the registry."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
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
    current = engagements.filter(status=Engagement.Status.ACTIVE)
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

    costs = current.values("lead_department_id").annotate(fee=Sum("annual_fee"), cofin=Sum("co_financing"))
    for cost in costs:
        dept = departments.get(cost["lead_department_id"])
        if dept:
            dept.annual_fee = cost["fee"] or Decimal(0)
            dept.co_financing = cost["cofin"] or Decimal(0)

    funding = Funding.objects.filter(municipality=municipality)
    for line in funding.values("department_id").annotate(total=Sum("amount_dkk")):
        if line["department_id"] in departments:
            departments[line["department_id"]].funding_dkk = line["total"] or Decimal(0)

    sources = {value: capfirst(str(label)) for value, label in FundingProgramme.Source.choices}
    by_source: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for source in funding.values("programme__source", "status").annotate(total=Sum("amount_dkk")):
        by_source[source["programme__source"]][source["status"]] += source["total"] or Decimal(0)
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for year in funding.exclude(start_date=None).values("start_date__year").annotate(total=Sum("amount_dkk")):
        by_year[year["start_date__year"]] += year["total"] or Decimal(0)

    kind_totals = dict(engagements.values_list("kind").annotate(n=Count("pk")))
    totals = engagements.aggregate(
        total=Count("pk", distinct=True),  # distinct: the join below repeats shared engagements
        shared=Count("pk", filter=Q(participating_departments__isnull=False), distinct=True),
    )
    fees = current.aggregate(fee=Sum("annual_fee"), cofin=Sum("co_financing"))
    return Overview(
        municipality=municipality,
        kinds=[(value, str(label)) for value, label in Engagement.Kind.choices],
        kind_totals=kind_totals,
        status_totals=dict(engagements.values_list("status").annotate(n=Count("pk"))),
        total=totals["total"],
        departments=list(departments.values()),
        shared_count=totals["shared"],
        annual_fee=fees["fee"] or Decimal(0),
        co_financing=fees["cofin"] or Decimal(0),
        funding_by_source=[
            (str(sources.get(src, src)), amounts["received"], amounts["expected"])
            for src, amounts in sorted(by_source.items())
        ],
        funding_by_year=sorted(by_year.items()),
        funding_total=funding.aggregate(total=Sum("amount_dkk"))["total"] or Decimal(0),
        funding_unknown_amounts=funding.filter(amount_dkk=None).count(),
        stated_figures=list(municipality.stated_figures.select_related("department")),
    )


def _add(departments: dict[int, DepartmentRow], dept_id: int, kind: str, n: int) -> None:
    row = departments.get(dept_id)
    if row is None:
        return
    row.by_kind[kind] = row.by_kind.get(kind, 0) + n
    row.total += n
