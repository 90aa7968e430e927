"""Small trend charts of indicators, drawn locally like the report's charts."""


import altair as alt
from django.utils.translation import gettext as _

from udsyn.reports.charts import PALETTE, Picture, config


def trend(points: list[tuple[str, float]], title: str, unit: str) -> Picture | None:
    """A line through (ISO date, value) points, oldest first."""
    if not points:
        return None
    data = [{"date": date, "value": value} for date, value in points]
    chart = alt.Chart(alt.Data(values=data)).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y("value:Q", title=unit or None),
    ).properties(width=280, height=110)
    spec = config(chart)
    first, last = points[0], points[-1]
    description = _("Trend of {title}: from {first} on {first_date} to {last} on {last_date}.").format(
        title=title, first=f"{first[1]:g}", first_date=first[0], last=f"{last[1]:g}", last_date=last[0])
    return Picture("trend", title, description, spec, [_("Date"), _("Value")],
                   [[d, f"{v:g}"] for d, v in points])
