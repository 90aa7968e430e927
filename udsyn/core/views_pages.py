"""The start page and global search."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from udsyn.core import search as search_index
from udsyn.core.overview import municipality_overview
from udsyn.core.policy import actor
from udsyn.organisation.models import Municipality


def chosen_municipality(request: HttpRequest) -> Municipality | None:
    code = request.GET.get("municipality")
    with_data = Municipality.objects.with_registry()
    if code:
        chosen = Municipality.objects.filter(code=code).first()
        if chosen:
            return chosen
    home_id = actor(request.user).municipality_id
    if home_id:
        return Municipality.objects.filter(pk=home_id).first()
    return with_data.order_by("code").first()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    municipality = chosen_municipality(request)
    choices = Municipality.objects.with_registry().order_by("name")
    return render(request, "core/home.html", {
        "municipality": municipality,
        "choices": choices,
        "overview": municipality_overview(municipality) if municipality else None,
    })


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    hits = search_index.query(q, request.user) if q else []
    page = Paginator(hits, 50).get_page(request.GET.get("page"))
    return render(request, "core/search.html", {"q": q, "page": page, "total": len(hits)})

