"""Headline figures computed from the registry, set beside the figures a source document states.

A stated figure's key names what it measures; a department's figure adds the department's code after a
hyphen (``projects-tmf``). The measures the registry can compute:

``networks``            memberships of networks and organisations (active)
``projects``            projects under way (active)
``project_funding``     external funding (DKK) of the projects under way
``funding``             external funding brought home (DKK) in the figure's period
``funding_eu``          of which from EU programmes
``funding_ssc``         of which from the Strategic Sector Cooperation
``twin_cities``         twin and sister cities (active agreements)
``partner_cities``      cities of all active partnerships and agreements
``political_goals``     political goals that international work must serve

Anything else (e.g. ``delegation_requests``) is shown as stated, with a note that the registry does not
yet keep what it counts.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from udsyn.core.formatting import format_amount, format_number
from udsyn.engagements.models import Engagement, EngagementQuerySet, Funding, FundingProgramme, FundingQuerySet
from udsyn.organisation.models import Department, Municipality, StatedFigure
from udsyn.strategy.models import Goal

# The programme a ``funding_ssc`` figure counts, by name or alias.
SSC_NAMES = ("Strategisk Sektorsamarbejde", "Strategic Sector Cooperation", "SSC")


@dataclass
class Computed:
    value: Decimal | None  # None: the registry cannot compute it
    unit: str  # "count" or "DKK"
    basis: str  # how the registry arrives at the value, in a sentence or two

    @property
    def display(self) -> str:
        if self.value is None:
            return "–"
        return format_amount(self.value, "DKK") if self.unit == "DKK" else format_number(self.value)


@dataclass
class Comparison:
    """A stated figure and the registry's own, with why they differ."""

    label: str
    stated: StatedFigure
    computed: Computed
    department: Department | None

    @property
    def agrees(self) -> bool:
        if self.computed.value is None:
            return False
        stated, computed = self.stated.value, self.computed.value
        match self.stated.qualifier:
            case StatedFigure.Qualifier.MORE_THAN:
                return computed > stated
            case StatedFigure.Qualifier.AT_LEAST:
                return computed >= stated
            case StatedFigure.Qualifier.LESS_THAN:
                return computed < stated
            case StatedFigure.Qualifier.ABOUT:
                return abs(computed - stated) <= stated * Decimal("0.1")
        return computed == stated


@dataclass
class Scope:
    municipality: Municipality
    department: Department | None = None

    def engagements(self) -> EngagementQuerySet:
        qs: EngagementQuerySet = Engagement.objects.filter(municipality=self.municipality)  # type: ignore[assignment]
        return qs.involving(self.department) if self.department else qs

    def funding(self) -> FundingQuerySet:
        qs: FundingQuerySet = Funding.objects.filter(municipality=self.municipality)  # type: ignore[assignment]
        return qs.filter(department=self.department) if self.department else qs


def years_of(period: str) -> tuple[int, int] | None:
    """The first and last year a period such as "2013-2020", "2019" or "siden 2013" names."""
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", period or "")]
    if not years:
        return None
    return min(years), max(years)


def _per_department(engagements: QuerySet[Engagement]) -> int:
    """How many (engagement, department) pairs: a shared engagement counted once per department."""
    through = Engagement.participating_departments.through
    ids = list(engagements.values_list("pk", flat=True))
    joined = through.objects.filter(engagement_id__in=ids).exclude(
        department_id=F("engagement__lead_department_id")
    ).count()
    return len(ids) + joined


def _counted(kind: str, scope: Scope, holds: Callable[[int], str]) -> Computed:
    active = scope.engagements().filter(kind=kind, status=Engagement.Status.ACTIVE)
    unique = active.count()
    pairs = _per_department(active)
    shared = active.shared().count() if not scope.department else 0
    basis = holds(unique).format(n=unique)
    if shared:
        basis += " " + ngettext(
            "{shared} of them is shared by several departments and counted once; counted once per department, "
            "as a hearing of the departments would, they are {pairs}.",
            "{shared} of them are shared by several departments and counted once; counted once per department, "
            "as a hearing of the departments would, they are {pairs}.",
            shared,
        ).format(shared=shared, pairs=pairs)
    ended = scope.engagements().filter(kind=kind).exclude(status=Engagement.Status.ACTIVE).count()
    if ended:
        basis += " " + ngettext(
            "{n} more is planned, ended or terminated and not counted.",
            "{n} more are planned, ended or terminated and not counted.", ended,
        ).format(n=ended)
    return Computed(Decimal(unique), "count", basis)


def _networks(scope: Scope, figure: StatedFigure | None) -> Computed:
    return _counted(Engagement.Kind.MEMBERSHIP, scope, lambda n: ngettext(
        "The registry holds {n} active membership.", "The registry holds {n} active memberships.", n))


def _projects(scope: Scope, figure: StatedFigure | None) -> Computed:
    return _counted(Engagement.Kind.PROJECT, scope, lambda n: ngettext(
        "The registry holds {n} active project.", "The registry holds {n} active projects.", n))


def _in_period(funding: FundingQuerySet, period: str) -> tuple[FundingQuerySet, str]:
    years = years_of(period)
    if years is None:
        return funding, ""
    first, last = years
    overlapping = funding.filter(
        Q(start_date__year__lte=last) & (Q(end_date__year__gte=first) | Q(end_date=None, start_date__year__gte=first))
    )
    label = str(first) if first == last else f"{first}–{last}"
    return overlapping, label


def _sum(funding: FundingQuerySet, what: Any, period_label: str, undated: int) -> Computed:
    added = funding.total()
    total, lines, unknown, expected = added.total, added.lines, added.unknown, added.expected
    basis = ngettext(
        "The registry holds {n} line of {what}", "The registry holds {n} lines of {what}", lines
    ).format(n=lines, what=what)
    if period_label:
        basis += " " + _("running in {period}").format(period=period_label)
    basis += ": " + _("{total} in all").format(total=format_amount(total))
    if expected:
        basis += " " + _("(of which {expected} expected, not yet received)").format(expected=format_amount(expected))
    basis += "."
    if unknown:
        basis += " " + ngettext(
            "{n} line names no amount.", "{n} lines name no amount.", unknown
        ).format(n=unknown)
    if undated:
        basis += " " + ngettext(
            "{n} line has no period and is left out.", "{n} lines have no period and are left out.", undated
        ).format(n=undated)
    return Computed(total, "DKK", basis)


def _funding_of(source: Q | None, what: Any) -> Callable[[Scope, StatedFigure | None], Computed]:
    def compute(scope: Scope, figure: StatedFigure | None) -> Computed:
        funding = scope.funding()
        if source is not None:
            funding = funding.filter(source)
        period = figure.period if figure else ""
        undated = funding.filter(start_date=None).count() if years_of(period) else 0
        within, label = _in_period(funding, period)
        return _sum(within, what, label, undated)

    return compute


def _ssc() -> Q:
    names = Q(programme__name__in=SSC_NAMES) | Q(programme__name_en__in=SSC_NAMES)
    for alias in SSC_NAMES:
        names |= Q(programme__aliases__icontains=alias)
    return names


def _project_funding(scope: Scope, figure: StatedFigure | None) -> Computed:
    projects = scope.engagements().filter(kind=Engagement.Kind.PROJECT, status=Engagement.Status.ACTIVE)
    funding: FundingQuerySet = Funding.objects.filter(engagements__in=projects)  # type: ignore[assignment]
    return _sum(funding, _("funding of projects under way"), "", 0)


def _cities_of(agreements: QuerySet[Engagement], holds: str) -> Computed:
    cities = agreements.values("partner_cities").exclude(partner_cities=None).distinct().count()
    return Computed(Decimal(cities), "count", holds.format(agreements=agreements.count(), cities=cities))


def _twin_cities(scope: Scope, figure: StatedFigure | None) -> Computed:
    agreements = scope.engagements().filter(
        kind=Engagement.Kind.PARTNERSHIP, status=Engagement.Status.ACTIVE,
        partnership_type__in=[Engagement.PartnershipType.TWIN, Engagement.PartnershipType.SISTER],
    )
    return _cities_of(agreements, _(
        "The registry holds {agreements} active twin or sister city agreements with {cities} cities."))


def _partner_cities(scope: Scope, figure: StatedFigure | None) -> Computed:
    agreements = scope.engagements().filter(kind=Engagement.Kind.PARTNERSHIP, status=Engagement.Status.ACTIVE)
    return _cities_of(agreements, _(
        "The registry holds {agreements} active partnerships and agreements with {cities} cities."))


def _goals(scope: Scope, figure: StatedFigure | None) -> Computed:
    n = Goal.objects.filter(municipality=scope.municipality).count()
    return Computed(Decimal(n), "count", _("The registry holds {n} political goals.").format(n=n))


MEASURES: dict[str, Callable[[Scope, StatedFigure | None], Computed]] = {
    "networks": _networks,
    "projects": _projects,
    "project_funding": _project_funding,
    "funding": _funding_of(None, gettext_lazy("external funding")),
    "funding_eu": _funding_of(Q(programme__source=FundingProgramme.Source.EU), gettext_lazy("EU funding")),
    "funding_ssc": _funding_of(_ssc(), gettext_lazy("Strategic Sector Cooperation funding")),
    "twin_cities": _twin_cities,
    "partner_cities": _partner_cities,
    "political_goals": _goals,
}


def measure_of(key: str) -> str:
    return key.split("-", 1)[0]


def compute(measure: str, scope: Scope, figure: StatedFigure | None = None) -> Computed:
    function = MEASURES.get(measure)
    if function is None:
        return Computed(None, figure.unit if figure else "count", _(
            "The registry does not keep what this figure counts, so only the stated figure is shown."
        ))
    return function(scope, figure)


def comparisons(figures: Iterable[StatedFigure], scope: Scope) -> list[Comparison]:
    """Each stated figure beside the registry's figure for the same measure and department."""
    result = []
    for figure in figures:
        if scope.department and figure.department_id not in (None, scope.department.pk):
            continue
        figure_scope = Scope(scope.municipality, figure.department or scope.department)
        result.append(Comparison(
            label=figure.label, stated=figure, computed=compute(measure_of(figure.key), figure_scope, figure),
            department=figure.department,
        ))
    return result
