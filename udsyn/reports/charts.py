"""The report's pictures, drawn locally with Altair and vl-convert: no network, no tile server.

Each picture comes as SVG (for HTML and PDF) and PNG (for Word), with a text alternative and the
numbers behind it as a table, so a reader who cannot see it loses nothing.
"""

import json
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from udsyn.core.charts import FONT, PALETTE, Picture, config, kept  # noqa: F401 - the report draws with them
from udsyn.core.formatting import format_amount, format_number
from udsyn.engagements.models import Engagement, country_name
from udsyn.reports.content import Report

ATLAS = Path(__file__).parent / "data" / "countries-110m.json"


def funding_chart(report: Report) -> Picture | None:
    """Funding brought home by source and by the year it starts."""
    rows: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for source in report.funding_sources:
        for line in source.lines:
            if line.amount_dkk is not None and line.start_date is not None:
                rows[(line.start_date.year, source.label)] += line.amount_dkk
    return funding_picture(rows)


def funding_picture(rows: dict[tuple[int, str], Decimal]) -> Picture | None:
    """A bar per year, coloured by source, of amounts in DKK keyed by (year, source label)."""
    if not rows:
        return None
    millions = _("million DKK")
    data = [
        {"year": str(year), "source": label, "amount": float(amount) / 1e6}
        for (year, label), amount in sorted(rows.items())
    ]
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X("year:O", title=_("Year the funding starts"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(amount):Q", title=millions),
        color=alt.Color("source:N", title=_("Source"), scale=alt.Scale(range=PALETTE)),
    ).properties(width=560, height=260)
    spec = config(chart)
    years = sorted({year for year, _label in rows})
    total = sum(rows.values(), Decimal(0))
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for (_year, label), amount in rows.items():
        by_source[label] += amount
    description = _(
        "Bar chart of external funding by the year it starts, {first}–{last}, {total} in all, "
        "coloured by source: {sources}."
    ).format(
        first=years[0], last=years[-1], total=format_amount(total),
        sources="; ".join(f"{label} {format_amount(amount)}" for label, amount in sorted(by_source.items())),
    )
    return Picture(
        "chart-funding", _("External funding by source and year"), description, spec,
        [_("Year"), _("Source"), _("Amount")],
        [[str(year), label, format_amount(amount)] for (year, label), amount in sorted(rows.items())],
    )


def engagements_chart(report: Report) -> Picture | None:
    """Engagements by lead department and kind."""
    kinds = dict(Engagement.Kind.choices)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for work in report.departments:
        for engagement in (*work.memberships, *work.partnerships, *work.projects, *work.other):
            counts[(work.department.code, str(kinds[engagement.kind]))] += 1
    if not counts:
        return None
    data = [{"department": dept, "kind": kind, "n": n} for (dept, kind), n in sorted(counts.items())]
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        y=alt.Y("department:N", title=_("Lead department"), sort="-x"),
        x=alt.X("sum(n):Q", title=_("Engagements"), axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("kind:N", title=_("Kind"), scale=alt.Scale(range=PALETTE)),
    ).properties(width=520, height=max(120, 28 * len({d for d, _k in counts})))
    spec = config(chart)
    per_dept: dict[str, int] = defaultdict(int)
    for (dept, _kind), n in counts.items():
        per_dept[dept] += n
    description = _("Bar chart of engagements by lead department, coloured by kind: {departments}.").format(
        departments="; ".join(f"{dept} {n}" for dept, n in sorted(per_dept.items(), key=lambda x: -x[1]))
    )
    return Picture(
        "chart-engagements", _("Engagements by lead department and kind"), description, spec,
        [_("Department"), _("Kind"), _("Engagements")],
        [[dept, kind, format_number(n)] for (dept, kind), n in sorted(counts.items())],
    )


@cache
def _atlas() -> dict[str, Any]:
    atlas: dict[str, Any] = json.loads(ATLAS.read_text(encoding="utf-8"))
    # Antarctica holds no partner cities and takes a fifth of the picture.
    countries = atlas["objects"]["countries"]
    countries["geometries"] = [g for g in countries["geometries"] if g.get("id") != "010"]
    return atlas


def _map_layer(points: list[dict[str, Any]], projection: dict[str, Any], width: int, height: int,
               labels: bool) -> alt.LayerChart:
    # The outline of the world is named here and given once in the specification's datasets (map_picture):
    # Altair copies and checks inline data at every step, which took two of the report's five seconds.
    land = alt.Chart(
        alt.Data(name="world", format=alt.DataFormat(type="topojson", feature="countries"))
    ).mark_geoshape(fill="#e8e8e8", stroke="#ffffff", strokeWidth=0.5)
    dots = alt.Chart(alt.Data(values=points)).mark_circle(color=PALETTE[0], opacity=0.9, stroke="white").encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("n:Q", legend=None, scale=alt.Scale(range=[40, 160])),
    )
    layers = [land, dots]
    if labels:
        layers.append(alt.Chart(alt.Data(values=points)).mark_text(
            align="left", dx=6, dy=-4, fontSize=9, color="#1a1a1a"
        ).encode(longitude="lon:Q", latitude="lat:Q", text="name:N"))
    chart = alt.layer(*layers).properties(width=width, height=height, projection=projection)
    assert isinstance(chart, alt.LayerChart)
    return chart


def partner_map(report: Report) -> Picture | None:
    """The partner cities on a world map, with Europe enlarged beside it."""
    return map_picture(report.cities)


def map_picture(cities: list[tuple[str, str, float, float, int]]) -> Picture | None:
    """Cities given as (name, country code, latitude, longitude, engagements) on a world map and Europe."""
    if not cities:
        return None
    points: list[dict[str, Any]] = [
        {"name": name, "lat": lat, "lon": lon, "n": n} for name, _cc, lat, lon, n in cities
    ]
    world = _map_layer(points, {"type": "equalEarth"}, 600, 300, labels=False)
    europe_points = [p for p in points if -25 <= p["lon"] <= 45 and 34 <= p["lat"] <= 72]
    charts: list[alt.LayerChart] = [world]
    if europe_points:
        europe = _map_layer(europe_points, {
            "type": "conicConformal", "rotate": [-10, 0], "center": [0, 55], "parallels": [40, 68],
            "scale": 620, "translate": [300, 190],
        }, 600, 400, labels=True).properties(title=_("Europe"))
        charts.append(europe)
    chart = alt.vconcat(*charts, spacing=16)
    spec = config(chart)
    spec.setdefault("datasets", {})["world"] = _atlas()
    by_country: dict[str, list[str]] = defaultdict(list)
    for name, cc, _lat, _lon, _n in cities:
        by_country[country_name(cc)].append(name)
    description = _("World map with {n} partner cities: {cities}.").format(
        n=len(cities),
        cities="; ".join(f"{country}: {', '.join(names)}" for country, names in sorted(by_country.items())),
    )
    return Picture(
        "map-partners", _("Partner cities"), description, spec,
        [_("City"), _("Country"), _("Engagements")],
        [[name, country_name(cc), format_number(n)] for name, cc, _lat, _lon, n in cities],
    )


def pictures(report: Report) -> dict[str, Picture]:
    made = {
        "funding": funding_chart(report),
        "engagements": engagements_chart(report),
        "map": partner_map(report),
    }
    return {key: picture for key, picture in made.items() if picture is not None}
