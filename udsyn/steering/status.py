"""The state of steering: when each engagement's review falls due, which engagements serve no goal and
which goals no engagement serves, and the values of indicators, computed or observed."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from udsyn.engagements.models import Costs, Engagement, Funding
from udsyn.organisation.models import Department, Municipality
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule
from udsyn.strategy.models import FocusArea, Goal

SOON_DAYS = 30


def schedule_of(municipality: Municipality) -> ReviewSchedule:
    """The municipality's schedule; every year until a coordinator chooses otherwise."""
    found = ReviewSchedule.objects.filter(municipality=municipality).first()
    return found or ReviewSchedule(municipality=municipality)


@dataclass
class ReviewState:
    engagement: Engagement
    last: Review | None
    due: datetime.date
    state: str  # "overdue", "due", "ok"


def review_state(engagement: Engagement, schedule: ReviewSchedule, today: datetime.date) -> ReviewState:
    """Reviews are prefetched as ``engagement.reviews.all()`` (newest first)."""
    reviews = list(engagement.reviews.all())
    last = reviews[0] if reviews else None
    if last is not None:
        due = last.next_review_due or schedule.next_due(last.reviewed_on)
    else:
        # Never reviewed: due one interval after it started (or was registered, if its start is unknown).
        due = schedule.next_due(engagement.start_date or engagement.created.date())
    if due < today:
        state = "overdue"
    elif (due - today).days <= max(schedule.remind_days_before, SOON_DAYS):
        state = "due"
    else:
        state = "ok"
    return ReviewState(engagement, last, due, state)


def engagements_for_review(municipality: Municipality, department: Department | None = None) -> QuerySet[Engagement]:
    qs = Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE)
    if department is not None:
        qs = qs.involving(department)  # type: ignore[attr-defined]
    return qs.select_related("lead_department").prefetch_related(
        Prefetch("reviews", queryset=Review.objects.select_related("reviewer").order_by("-reviewed_on", "-pk")),
        "participating_departments",
    ).order_by("title")


def review_states(municipality: Municipality, department: Department | None = None,
                  today: datetime.date | None = None) -> list[ReviewState]:
    today = today or timezone.localdate()
    schedule = schedule_of(municipality)
    states = [review_state(e, schedule, today) for e in engagements_for_review(municipality, department)]
    return sorted(states, key=lambda s: (s.due, s.engagement.title))


@dataclass
class Conformance:
    unaligned: dict[Department, list[Engagement]]  # active engagements serving no goal or focus area
    unserved_goals: list[Goal]
    unserved_focus_areas: list[FocusArea]


def conformance(municipality: Municipality, department: Department | None = None) -> Conformance:
    active = Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE)
    if department is not None:
        active = active.involving(department)  # type: ignore[attr-defined]
    unaligned: dict[Department, list[Engagement]] = defaultdict(list)
    for engagement in active.filter(alignments__isnull=True).select_related("lead_department").order_by(
        "lead_department__code", "title"
    ):
        unaligned[engagement.lead_department].append(engagement)
    served = Q(alignments__engagement__status=Engagement.Status.ACTIVE)
    goals = Goal.objects.filter(municipality=municipality).exclude(served).order_by("order", "title")
    areas = FocusArea.objects.filter(municipality=municipality).exclude(served).order_by("order", "title")
    return Conformance(dict(unaligned), list(goals), list(areas))


@dataclass
class DepartmentConformance:
    """One department's part: the active engagements it leads, those of them (and, when asked for, those it
    takes part in under another department's lead) that serve no goal or focus area, and which goals and
    focus areas the engagements it leads or takes part in serve."""

    department: Department
    led: int
    unaligned: list[Engagement]  # led by it, then (with a department chosen) those it takes part in
    served_goals: set[int]
    served_areas: set[int]

    @property
    def led_unaligned(self) -> int:
        return sum(1 for e in self.unaligned if e.lead_department_id == self.department.pk)

    @property
    def served(self) -> int:
        return len(self.served_goals) + len(self.served_areas)


@dataclass
class ConformanceReport:
    departments: list[DepartmentConformance]
    goals: list[Goal]
    focus_areas: list[FocusArea]
    unserved_goals: list[Goal]  # by no active engagement (of the chosen department, if one is chosen)
    unserved_focus_areas: list[FocusArea]

    @property
    def targets(self) -> int:
        return len(self.goals) + len(self.focus_areas)


def conformance_by_department(municipality: Municipality, department: Department | None = None,
                              departments: list[Department] | None = None) -> ConformanceReport:
    """Per lead department: its active engagements that serve no goal or focus area, and how many goals its
    engagements serve. With a department chosen, that department only, with the engagements it takes part in
    as well, and the goals none of its engagements serve. A fixed number of queries whatever the size."""
    engagements = list(
        Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE)
        .select_related("lead_department")
        .prefetch_related(
            "participating_departments",
            Prefetch("alignments", queryset=Alignment.objects.only("id", "engagement", "goal", "focus_area")),
        )
        .order_by("title", "pk")
    )
    if department is not None:
        departments = [department]
    elif departments is None:
        departments = list(Department.objects.filter(municipality=municipality).order_by("code"))
    goals = list(Goal.objects.filter(municipality=municipality).order_by("order", "title"))
    areas = list(FocusArea.objects.filter(municipality=municipality).order_by("order", "title"))
    rows: list[DepartmentConformance] = []
    for dept in departments:
        involved = [e for e in engagements if dept.pk in e.department_ids()]
        led = [e for e in involved if e.lead_department_id == dept.pk]
        unaligned = [e for e in led if not e.alignments.all()]
        if department is not None:
            unaligned += [e for e in involved if e.lead_department_id != dept.pk and not e.alignments.all()]
        rows.append(DepartmentConformance(dept, len(led), unaligned, *_served(involved)))
    served_goals, served_areas = _served(engagements) if department is None else (
        rows[0].served_goals, rows[0].served_areas)
    return ConformanceReport(rows, goals, areas, [g for g in goals if g.pk not in served_goals],
                             [f for f in areas if f.pk not in served_areas])


def _served(engagements: list[Engagement]) -> tuple[set[int], set[int]]:
    """The ids of the goals and of the focus areas the engagements (alignments prefetched) serve."""
    links = [a for e in engagements for a in e.alignments.all()]
    return {a.goal_id for a in links if a.goal_id}, {a.focus_area_id for a in links if a.focus_area_id}


@dataclass
class TargetSummary:
    """A goal or focus area with the engagements that serve it, their costs, funding and review state."""

    target: Goal | FocusArea
    alignments: list[Alignment]
    states: dict[int, ReviewState]
    indicators: list["IndicatorValues"] = field(default_factory=list)

    @property
    def engagements(self) -> list[Engagement]:
        return [a.engagement for a in self.alignments]

    @property
    def departments(self) -> list[str]:
        return sorted({d.code for e in self.engagements for d in e.departments})

    @property
    def annual_cost(self) -> Decimal:
        return Costs.of(self.engagements).total

    @property
    def funding(self) -> Decimal:
        return sum((getattr(e, "funding_dkk", None) or Decimal(0) for e in self.engagements), Decimal(0))

    @property
    def overdue(self) -> int:
        return sum(1 for e in self.engagements if self.states.get(e.pk) and self.states[e.pk].state == "overdue")


def dashboard(municipality: Municipality, today: datetime.date | None = None) -> tuple[list[TargetSummary],
                                                                                       list[TargetSummary]]:
    """Per goal and per focus area: what serves it. A fixed number of queries whatever the size."""
    today = today or timezone.localdate()
    schedule = schedule_of(municipality)
    alignments = list(
        Alignment.objects.filter(engagement__municipality=municipality, engagement__status=Engagement.Status.ACTIVE)
        .select_related("engagement__lead_department", "goal", "focus_area")
        .prefetch_related(
            "engagement__participating_departments",
            Prefetch("engagement__reviews", queryset=Review.objects.order_by("-reviewed_on", "-pk")),
        )
        .order_by("engagement__title")
    )
    engagement_ids = {a.engagement_id for a in alignments}
    funding = Funding.objects.per_engagement(engagement_ids)
    states: dict[int, ReviewState] = {}
    for alignment in alignments:
        engagement = alignment.engagement
        engagement.funding_dkk = funding.get(engagement.pk)  # type: ignore[attr-defined]
        states.setdefault(engagement.pk, review_state(engagement, schedule, today))
    indicators = indicator_values(municipality, today)
    goals = [TargetSummary(g, [a for a in alignments if a.goal_id == g.pk], states,
                           [i for i in indicators if i.indicator.goal_id == g.pk])
             for g in Goal.objects.filter(municipality=municipality).order_by("order", "title")]
    areas = [TargetSummary(f, [a for a in alignments if a.focus_area_id == f.pk], states,
                           [i for i in indicators if i.indicator.focus_area_id == f.pk])
             for f in FocusArea.objects.filter(municipality=municipality).order_by("order", "title")]
    return goals, areas


@dataclass
class IndicatorValues:
    indicator: Indicator
    series: list[tuple[datetime.date, Decimal]]  # oldest first
    late: bool  # its owner has missed the publication frequency
    notes: dict[datetime.date, str] = field(default_factory=dict)  # the recorded observations' notes
    live: datetime.date | None = None  # the date of a value computed now rather than recorded

    @property
    def latest(self) -> Decimal | None:
        return self.series[-1][1] if self.series else None


def indicator_values(municipality: Municipality, today: datetime.date | None = None) -> list[IndicatorValues]:
    today = today or timezone.localdate()
    indicators = list(
        Indicator.objects.filter(municipality=municipality).select_related("owner", "goal", "focus_area")
        .prefetch_related(Prefetch("observations", queryset=Observation.objects.order_by("date")))
    )
    return [values_of(indicator, today) for indicator in indicators]


def values_of(indicator: Indicator, today: datetime.date) -> IndicatorValues:
    """Observations are prefetched as ``indicator.observations.all()`` (oldest first). Computed indicators are
    never late: the per-year ones are derived from the registry, the point-in-time ones are the values they
    recorded themselves (``udsyn remind``, see observe.py) with today's value, computed now, as the newest."""
    observations = list(indicator.observations.all())
    observed = [(o.date, o.value) for o in observations]
    notes = {o.date: o.note for o in observations if o.note}
    if indicator.computed == Indicator.Computed.FUNDING_PER_YEAR:
        return IndicatorValues(indicator, funding_per_year(indicator.municipality_id), late=False)
    if indicator.computed == Indicator.Computed.DELEGATION_VISITS:
        return IndicatorValues(indicator, delegation_visits_per_year(indicator.municipality_id), late=False)
    if indicator.computed in POINT_IN_TIME:
        return IndicatorValues(indicator, _merge(observed, today, current_value(indicator, today)), late=False,
                               notes=notes, live=today)
    last = observed[-1][0] if observed else indicator.created.date()
    return IndicatorValues(indicator, observed, late=(today - last).days > indicator.period_days, notes=notes)


def _merge(observed: list[tuple[datetime.date, Decimal]], today: datetime.date,
           current: Decimal) -> list[tuple[datetime.date, Decimal]]:
    """Recorded values so far, with today's computed value as the newest."""
    return [*(o for o in observed if o[0] < today), (today, current)]


def funding_per_year(municipality_id: int) -> list[tuple[datetime.date, Decimal]]:
    years = Funding.objects.filter(municipality_id=municipality_id).exclude(start_date=None).totals_by(
        "start_date__year")
    return [(datetime.date(year, 12, 31), total) for year, total in sorted(years.items())]


def delegation_visits_per_year(municipality_id: int) -> list[tuple[datetime.date, Decimal]]:
    """Visits from inquiries that were held (or held and since closed), by the year they took place."""
    from udsyn.inquiries.models import Inquiry

    starts = Inquiry.objects.filter(
        municipality_id=municipality_id, kind=Inquiry.Kind.VISIT, visit_start__isnull=False,
        state__in=[Inquiry.State.HELD, Inquiry.State.CLOSED],
    ).values_list("visit_start", flat=True)
    years = Counter(timezone.localtime(start).year for start in starts)
    return [(datetime.date(year, 12, 31), Decimal(count)) for year, count in sorted(years.items())]


# Computed indicators whose value is the registry's state today (they record their history: observe.py).
POINT_IN_TIME = (Indicator.Computed.ACTIVE_PARTNERSHIPS, Indicator.Computed.REVIEWED_ON_TIME)


def current_value(indicator: Indicator, today: datetime.date) -> Decimal:
    """A point-in-time computed indicator's value today."""
    if indicator.computed == Indicator.Computed.ACTIVE_PARTNERSHIPS:
        return active_partnerships(indicator)
    if indicator.computed == Indicator.Computed.REVIEWED_ON_TIME:
        return reviewed_on_time(indicator.municipality, today)
    raise ValueError(f"{indicator.computed!r} is not a point-in-time indicator")


def active_partnerships(indicator: Indicator) -> Decimal:
    served = Alignment.objects.filter(
        engagement__kind=Engagement.Kind.PARTNERSHIP, engagement__status=Engagement.Status.ACTIVE
    )
    served = served.filter(goal=indicator.goal) if indicator.goal_id else served.filter(focus_area=indicator.focus_area)
    return Decimal(served.values("engagement").distinct().count())


def reviewed_on_time(municipality: Municipality, today: datetime.date | None = None) -> Decimal:
    states = review_states(municipality, today=today)
    if not states:
        return Decimal(0)
    on_time = sum(1 for s in states if s.state != "overdue")
    return (Decimal(100) * on_time / len(states)).quantize(Decimal("0.1"))
