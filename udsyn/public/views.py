"""Public pages: what each municipality is a member of and pays, its partner cities, projects and the
funding they bring home. No login; nothing personal or internal (see udsyn.public.data)."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from udsyn.interop import exports
from udsyn.interop.views import download as attachment
from udsyn.organisation.models import Municipality
from udsyn.public import data
from udsyn.reports import charts


def index(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.having("engagements").order_by("name")
    return render(request, "public/index.html", {"municipalities": municipalities})


def _drawn(kind: str, content: tuple[Any, ...], language: str,
           draw: Callable[[], charts.Picture | None]) -> charts.Picture | None:
    """A map or chart drawn once for its content and language, kept on disk for every worker: drawing the
    map takes about two seconds, and a national installation has 98 municipalities in two languages."""
    key = f"{kind}-{language}-{hashlib.sha256(repr(content).encode()).hexdigest()}"
    found = caches["pictures"].get(key)
    if found is None:
        picture = draw()
        if picture is not None:
            picture.svg  # noqa: B018 - draw it now, so that the cache keeps the drawing
        found = picture or False
        caches["pictures"].set(key, found)
    return found or None


def _map(cities: tuple[tuple[str, str, float, float, int], ...], language: str) -> charts.Picture | None:
    return _drawn("map", cities, language, lambda: charts.map_picture(list(cities)))


def _funding(rows: tuple[tuple[tuple[int, str], object], ...], language: str) -> charts.Picture | None:
    return _drawn("funding", rows, language, lambda: charts.funding_picture(dict(rows)))  # type: ignore[arg-type]


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(Municipality.objects.select_related("region"), code=code)
    content = data.page(found)
    language = get_language() or "da"
    return render(request, "public/municipality.html", {
        "municipality": found,
        "page": content,
        "map": _map(tuple(content.cities), language),
        "funding_chart": _funding(tuple(sorted(content.funding_rows.items())), language),
    })


# The open data a public page offers, by format: always the open export (no people, notes or internal fields).
DOWNLOADS = ("xlsx", "csv", "json", "datapackage", "popolo", "iati", "ics")


def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = get_object_or_404(Municipality, code=code)
    if fmt not in DOWNLOADS:
        raise Http404
    try:
        content, extension = exports.export_file(fmt, found)
    except exports.ExportError as error:  # e.g. no dated projects for IATI
        raise Http404(str(error)) from error
    return attachment(content, extension, exports.filename(found, extension))
