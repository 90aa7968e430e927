"""Charts in the house style, drawn offline by vl-convert and kept in the file cache every process shares:
the picture type every app draws (reports, goal trends, inquiry statistics, public pages)."""

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import altair as alt
import vl_convert as vlc
from django.core.cache import caches
from django.utils.translation import get_language

# Colours of Det Fælles Designsystem's palette that keep 3:1 contrast to white and to each other's text.
PALETTE = ["#0059b3", "#c75b00", "#358000", "#7c3aa6", "#b51d2b", "#00707a", "#5c5c5c"]
FONT = "IBM Plex Sans, DejaVu Sans, Arial, sans-serif"


@dataclass
class Picture:
    anchor: str
    title: str
    description: str  # the text alternative
    spec: dict[str, Any]  # the Vega-Lite specification, drawn when a format asks for it
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)

    @cached_property
    def svg(self) -> str:
        """Drawn by vl-convert (tens of milliseconds; seconds for the map), once for each specification:
        the drawing is kept in the file cache every process shares."""
        key = "svg-" + hashlib.sha256(json.dumps(self.spec, sort_keys=True, default=str).encode()).hexdigest()
        drawing: str | None = caches["pictures"].get(key)
        if drawing is None:
            drawing = vlc.vegalite_to_svg(self.spec)
            caches["pictures"].set(key, drawing)
        return drawing

    @cached_property
    def png(self) -> bytes:
        """Only Word needs a bitmap; HTML and PDF use the SVG."""
        return vlc.vegalite_to_png(self.spec, scale=2)

    @property
    def svg_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def kept(kind: str, content: Any, draw: Callable[[], Picture | None]) -> Picture | None:
    """The picture ``draw`` makes of ``content`` in the active language, made once and kept in the file
    cache every process shares (its drawing included): building the specification and drawing it cost
    from tens of milliseconds to seconds, and a national installation shows hundreds of them."""
    language = get_language() or "da"
    key = f"{kind}-{language}-{hashlib.sha256(repr(content).encode()).hexdigest()}"
    found = caches["pictures"].get(key)
    if found is None:
        picture = draw()
        if picture is not None:
            picture.svg  # noqa: B018 - draw it now, so that the cache keeps the drawing
        found = picture or False
        caches["pictures"].set(key, found)
    return found or None


def config(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite specification of a chart in the house style: the app's font, white, no frame."""
    # Not validated against the Vega-Lite schema here: for the map, whose world outline is inline data,
    # validating took 1.5 of the report's 5 seconds. vl-convert still refuses a wrong specification.
    spec: dict[str, Any] = chart.to_dict(validate=False)
    house = spec.setdefault("config", {})
    house.update({"font": FONT, "background": "white"})
    house.setdefault("view", {})["stroke"] = None
    return spec
