"""What the mapping report says, gathered from the registry in a fixed number of queries.

The structure follows Copenhagen's 2021 mapping (seed 000): introduction with headline figures; the
international work of each department; agendas, strategies and plans; memberships; partner cities and
agreements; projects; external funding; delegation visits; the political committees; and the
engagements several departments share. The renderers (HTML, PDF, Word) only lay this out.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from udsyn.engagements.models import City, Costs, Engagement, Funding, FundingProgramme, Representative
from udsyn.organisation.models import Committee, Department, Municipality, StatedFigure, Unit
from udsyn.reports.figures import Comparison, Computed, Scope, comparisons, compute
from udsyn.strategy.models import Strategy

CityPoint = tuple[str, str, float, float, int]  # name, country, latitude, longitude, engagements


def city_points(partner_cities: Iterable[Iterable[City]]) -> tuple[list[CityPoint], list[str]]:
    """The cities to put on a map, given each engagement's partner cities: one point per city with the
    number of engagements that name it, by name; and the names of cities that lack coordinates."""
    counts: dict[int, int] = defaultdict(int)
    found: dict[int, City] = {}
    missing: set[str] = set()
    for cities in partner_cities:
        for city in cities:
            if city.latitude is None or city.longitude is None:
                missing.add(city.name)
            else:
                found[city.pk] = city
                counts[city.pk] += 1
    points = [(c.name, c.country, c.latitude, c.longitude, counts[pk]) for pk, c in found.items()]
    return sorted(points, key=lambda point: point[0]), sorted(missing)  # type: ignore[arg-type]


@dataclass
class Section:
    """A numbered chapter: its anchor, number and title (for the table of contents)."""

    anchor: str
    number: int
    title: str


@dataclass
class DepartmentWork:
    department: Department
    units: list[Unit]
    memberships: list[Engagement] = field(default_factory=list)
    partnerships: list[Engagement] = field(default_factory=list)
    projects: list[Engagement] = field(default_factory=list)
    other: list[Engagement] = field(default_factory=list)
    joined: list[Engagement] = field(default_factory=list)  # led by another department
    stated: list[Comparison] = field(default_factory=list)

    membership_costs: Costs = field(default_factory=Costs)  # of its active memberships

    @property
    def annual_fees(self) -> Decimal:
        return self.membership_costs.annual_fee

    @property
    def co_financing(self) -> Decimal:
        return self.membership_costs.co_financing

    @property
    def has_engagements(self) -> bool:
        return bool(self.memberships or self.partnerships or self.projects or self.other or self.joined)


@dataclass
class FundingSource:
    label: str
    lines: list[Funding]
    received: Decimal
    expected: Decimal


@dataclass
class Report:
    municipality: Municipality
    department: Department | None
    language: str
    as_of: datetime.date
    generated: datetime.datetime
    since_year: int | None
    source_title: str
    headline: list[tuple[str, Computed]]
    funding_since: list[tuple[str, Decimal]]  # by source, since since_year
    comparisons: list[Comparison]
    departments: list[DepartmentWork]
    strategies: list[Strategy]
    partnerships: list[Engagement]  # top-level agreements; sub-agreements under .children_list
    funding_sources: list[FundingSource]
    funding_total: Decimal
    funding_unknown: int
    committees: list[Committee]
    shared: list[Engagement]
    cities: list[CityPoint]
    cities_without_coordinates: list[str]
    engagement_count: int
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.department:
            return _("International work in {department}, {municipality}").format(
                department=self.department.display_name, municipality=self.municipality.name
            )
        return _("International work in {municipality}").format(municipality=self.municipality.official_name)

    def section(self, anchor: str) -> Section:
        return next(s for s in self.sections if s.anchor == anchor)


def _engagements(scope: Scope) -> list[Engagement]:
    return list(
        scope.engagements()
        .select_related("lead_department", "responsible_unit", "parent")
        .prefetch_related(
            "participating_departments", "partner_organisations", "partner_cities", "themes",
            Prefetch("representatives", queryset=Representative.objects.select_related("person")),
            Prefetch("funding", queryset=Funding.objects.select_related("programme")),
        )
        .order_by("title")
    )


def default_since_year(municipality: Municipality) -> int | None:
    """The first year of the stated funding figure, or else of the earliest funding line."""
    from udsyn.reports.figures import years_of

    stated = StatedFigure.objects.filter(municipality=municipality, key="funding").first()
    years = years_of(stated.period) if stated else None
    if years:
        return years[0]
    first = Funding.objects.filter(municipality=municipality).exclude(start_date=None).order_by("start_date").first()
    return first.start_date.year if first and first.start_date else None


def build(
    municipality: Municipality, department: Department | None = None, since_year: int | None = None,
    language: str = "da", as_of: datetime.date | None = None,
) -> Report:
    """Gather the report; call it with the report's language active."""
    scope = Scope(municipality, department)
    since_year = since_year or default_since_year(municipality)
    engagements = _engagements(scope)
    by_id = {e.pk: e for e in engagements}
    for engagement in engagements:
        engagement.children_list = []  # type: ignore[attr-defined]
    for engagement in engagements:
        if engagement.parent_id in by_id:
            by_id[engagement.parent_id].children_list.append(engagement)  # type: ignore[attr-defined]

    departments_qs = Department.objects.filter(municipality=municipality).prefetch_related("units")
    if department:
        departments_qs = departments_qs.filter(pk=department.pk)
    # In the order the registry got them (the source document's order), not alphabetically.
    works = {d.pk: DepartmentWork(d, list(d.units.all())) for d in departments_qs.order_by("pk")}
    for engagement in engagements:
        lead = works.get(engagement.lead_department_id)
        if lead is not None:
            bucket = {
                Engagement.Kind.MEMBERSHIP: lead.memberships,
                Engagement.Kind.PARTNERSHIP: lead.partnerships,
                Engagement.Kind.PROJECT: lead.projects,
            }.get(engagement.kind, lead.other)  # type: ignore[call-overload]
            bucket.append(engagement)
        for other in engagement.participating_departments.all():
            if other.pk != engagement.lead_department_id and other.pk in works:
                works[other.pk].joined.append(engagement)

    stated = list(
        StatedFigure.objects.filter(municipality=municipality).select_related("department").order_by("pk")
    )
    all_comparisons = comparisons(stated, scope)
    for comparison in all_comparisons:
        if comparison.department and comparison.department.pk in works:
            works[comparison.department.pk].stated.append(comparison)

    funding = list(
        scope.funding().select_related("programme", "department").prefetch_related("engagements")
        .order_by("programme__source", "programme__name", "-start_date", "title")
    )
    sources = {value: capfirst(str(label)) for value, label in FundingProgramme.Source.choices}
    grouped: dict[str, list[Funding]] = defaultdict(list)
    for line in funding:
        grouped[line.programme.source].append(line)
    amounts = scope.funding().totals_by("programme__source", "status")
    funding_sources = [
        FundingSource(
            label=str(sources.get(source, source)), lines=lines,
            received=amounts.get((source, Funding.Status.RECEIVED), Decimal(0)),
            expected=amounts.get((source, Funding.Status.EXPECTED), Decimal(0)),
        )
        for source, lines in grouped.items()
    ]
    funding_total = scope.funding().total()
    since = scope.funding()
    if since_year:
        since = since.filter(Q(end_date__year__gte=since_year) | Q(end_date=None, start_date__year__gte=since_year))
    funding_since = [
        (str(sources.get(source, source)), amount)
        for source, amount in sorted(since.totals_by("programme__source").items(), key=lambda item: -item[1])
    ]
    membership_costs = scope.engagements().filter(kind=Engagement.Kind.MEMBERSHIP).annual_costs_by(
        "lead_department_id")
    for dept_id, costs in membership_costs.items():
        if dept_id in works:
            works[dept_id].membership_costs = costs

    strategies = Strategy.objects.filter(municipality=municipality).prefetch_related("elements", "departments")
    if department:
        strategies = strategies.filter(departments=department)
    committees = Committee.objects.filter(municipality=municipality).select_related("department")
    if department:
        committees = committees.filter(department=department)

    cities, missing = city_points(
        e.partner_cities.all() for e in engagements if e.status == Engagement.Status.ACTIVE
    )

    headline = [
        (_("Memberships of networks and organisations"), compute("networks", scope)),
        (_("Projects under way"), compute("projects", scope)),
        (_("Partner cities"), compute("partner_cities", scope)),
    ]
    report = Report(
        municipality=municipality, department=department, language=language,
        as_of=as_of or timezone.localdate(), generated=timezone.now(), since_year=since_year,
        source_title=_source_title(stated),
        headline=headline, funding_since=funding_since, comparisons=all_comparisons,
        departments=list(works.values()), strategies=list(strategies.order_by("pk")),
        partnerships=[
            e for e in engagements
            if e.kind == Engagement.Kind.PARTNERSHIP and e.parent_id not in by_id
        ],
        funding_sources=funding_sources,
        funding_total=funding_total.total,
        funding_unknown=funding_total.unknown,
        committees=list(committees.order_by("name")),
        shared=[e for e in engagements if len(e.departments) > 1],
        cities=cities,
        cities_without_coordinates=missing,
        engagement_count=len(engagements),
    )
    report.sections = _sections(report)
    return report


def _source_title(stated: list[StatedFigure]) -> str:
    """The source document's title, as the stated figures cite it ("title, §1")."""
    cited = next((figure.source for figure in stated if figure.source), "")
    return cited.rsplit(", §", 1)[0]


def _sections(report: Report) -> list[Section]:
    titles = [
        ("introduction", _("Introduction")),
        ("departments", _("International work in the departments")),
        ("strategies", _("Agendas, strategies and action plans")),
        ("memberships", _("Memberships of international networks and organisations")),
        ("partnerships", _("Partner cities and agreements")),
        ("projects", _("International projects under way")),
        ("other", _("Other international activities")),
        ("funding", _("External funding for international projects")),
        ("delegations", _("Visits from foreign delegations")),
        ("committees", _("The political committees")),
        ("shared", _("Engagements shared by several departments")),
    ]
    if not any(work.other for work in report.departments):
        titles = [t for t in titles if t[0] != "other"]
    if report.department:
        titles = [t for t in titles if t[0] != "shared"]
    return [Section(anchor, number, title) for number, (anchor, title) in enumerate(titles, start=1)]
