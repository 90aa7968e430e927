"""Public pages: what each municipality is a member of and pays, its partner cities, projects and the
funding they bring home. No login; nothing personal or internal (see udsyn.public.data)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from udsyn.interop import exports
from udsyn.interop.views import download as attachment
from udsyn.organisation.models import Municipality
from udsyn.public import data
from udsyn.reports import charts


def index(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.having("engagements").order_by("name")
    return render(request, "public/index.html", {"municipalities": municipalities})


def municipality(request: HttpRequest, code: str) -> HttpResponse:
    found = get_object_or_404(Municipality.objects.select_related("region"), code=code)
    content = data.page(found)
    return render(request, "public/municipality.html", {
        "municipality": found,
        "page": content,
        "map": charts.kept("map", content.cities, lambda: charts.map_picture(list(content.cities))),
        "funding_chart": charts.kept("funding", sorted(content.funding_rows.items()),
                                     lambda: charts.funding_picture(content.funding_rows)),
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
