"""Public pages: what each municipality is a member of and pays, its partner cities, projects and the
funding they bring home. No login; nothing personal or internal (see udsyn.public.data)."""

from functools import lru_cache

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


@lru_cache(maxsize=64)
def _map(cities: tuple[tuple[str, str, float, float, int], ...], language: str) -> charts.Picture | None:
    return charts.map_picture(list(cities))


@lru_cache(maxsize=64)
def _funding(rows: tuple[tuple[tuple[int, str], object], ...], language: str) -> charts.Picture | None:
    return charts.funding_picture(dict(rows))  # type: ignore[arg-type]


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
