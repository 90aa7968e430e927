"""Statistics of inquiries per department and year: received, accepted, declined, days to the first
answer and the requesters' feedback; beside them the figures the source documents state (seed 000 §8:
TMF handled 412 delegation inquiries in 2019, BUF received 28 in 2018)."""

import statistics
from dataclasses import dataclass, field
from typing import Any

import altair as alt
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core.charts import PALETTE, Picture, config
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Municipality, StatedFigure

STATED_PREFIX = "delegation_requests"
DECIDED_AS_ACCEPTED = {Inquiry.State.ACCEPTED, Inquiry.State.PLANNED, Inquiry.State.HELD}


@dataclass
class Row:
    year: int
    department: str  # code, or "" before routing
    received: int = 0
    accepted: int = 0
    declined: int = 0
    response_days: list[float] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    @property
    def median_response_days(self) -> float | None:
        return round(statistics.median(self.response_days), 1) if self.response_days else None

    @property
    def mean_score(self) -> float | None:
        return round(statistics.mean(self.scores), 1) if self.scores else None


def table(municipality: Municipality) -> list[Row]:
    """One row per (year, department), newest year first; one query."""
    rows: dict[tuple[int, str], Row] = {}
    values = Inquiry.objects.filter(municipality=municipality).values_list(
        "received_at", "lead_department__code", "state", "decline_reason", "first_response_at", "feedback_score")
    for received_at, code, state, decline_reason, first_response_at, score in values:
        year = timezone.localtime(received_at).year
        row = rows.setdefault((year, code or ""), Row(year, code or ""))
        row.received += 1
        if state == Inquiry.State.DECLINED or (state == Inquiry.State.CLOSED and decline_reason):
            row.declined += 1
        elif state in DECIDED_AS_ACCEPTED or state == Inquiry.State.CLOSED:
            row.accepted += 1
        if first_response_at is not None:
            row.response_days.append((first_response_at - received_at).total_seconds() / 86400)
        if score is not None:
            row.scores.append(score)
    return sorted(rows.values(), key=lambda r: (-r.year, r.department or "~"))


@dataclass
class Stated:
    figure: StatedFigure
    year: int | None
    department: str


def stated_history(municipality: Municipality) -> list[Stated]:
    figures = StatedFigure.objects.filter(municipality=municipality, key__startswith=STATED_PREFIX).select_related(
        "department").order_by("period", "key")
    result = []
    for figure in figures:
        year = int(figure.period) if figure.period.isdecimal() else None
        result.append(Stated(figure, year, figure.department.code if figure.department else ""))
    return result


def chart(rows: list[Row], stated: list[Stated] | None = None) -> Picture | None:
    """Inquiries received per year, a bar per department stacked; stated figures as their own series."""
    data: list[dict[str, Any]] = [
        {"year": str(r.year), "department": r.department or _("not routed"), "count": r.received}
        for r in rows]
    for item in stated or []:
        if item.year is not None:
            data.append({"year": str(item.year), "department": _("{code} (stated)").format(code=item.department),
                         "count": float(item.figure.value)})
    if not data:
        return None
    bars = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("year:O", title=_("Year received"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(count):Q", title=_("Inquiries")),
        color=alt.Color("department:N", title=_("Department"), scale=alt.Scale(range=PALETTE)),
    ).properties(width=520, height=240)
    spec = config(bars)
    ordered = sorted(data, key=lambda d: (d["year"], d["department"]))
    description = _("Bar chart of inquiries received per year and department: {items}.").format(
        items="; ".join(f"{d['year']} {d['department']} {d['count']:g}" for d in ordered))
    return Picture("chart-inquiries", _("Inquiries per year and department"), description, spec,
                   [_("Year"), _("Department"), _("Inquiries")],
                   [[d["year"], d["department"], f"{d['count']:g}"] for d in ordered])
