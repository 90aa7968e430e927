"""Small trend charts of indicators, drawn locally like the report's charts."""


import datetime

import altair as alt
from django.utils.translation import gettext as _

from udsyn.core.charts import PALETTE, Picture, config


def trend(points: list[tuple[str, float]], title: str, unit: str) -> Picture | None:
    """A line through (ISO date, value) points, oldest first."""
    if not points:
        return None
    data = [{"date": date, "value": value} for date, value in points]
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("date:T", title=None, axis=_time_axis([date for date, _value in points])),
        y=alt.Y("value:Q", title=unit or None),
    ).properties(width=280, height=110)
    spec = config(chart)
    first, last = points[0], points[-1]
    description = _("Trend of {title}: from {first} on {first_date} to {last} on {last_date}.").format(
        title=title, first=f"{first[1]:g}", first_date=first[0], last=f"{last[1]:g}", last_date=last[0])
    return Picture("trend", title, description, spec, [_("Date"), _("Value")],
                   [[d, f"{v:g}"] for d, v in points])


def _time_axis(dates: list[str]) -> alt.Axis:
    """Years on a trend per year or over years; months (as 11.2026) on one recorded monthly or quarterly."""
    days = (datetime.date.fromisoformat(dates[-1]) - datetime.date.fromisoformat(dates[0])).days
    if days > 3 * 366 or all(date.endswith("-12-31") for date in dates):
        return alt.Axis(format="%Y", tickCount="year")
    step = 1 if days <= 190 else 3 if days <= 2 * 366 else 6
    return alt.Axis(format="%m.%Y", tickCount={"interval": "month", "step": step}, labelAngle=0)
