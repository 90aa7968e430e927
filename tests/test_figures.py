"""One source per figure: every surface shows the same annual costs and funding total for each seeded municipality.

The figures are added up in one place (``EngagementQuerySet.annual_costs`` and ``FundingQuerySet.total``);
this checks that the overview on the start page, the public page, the report, the goal indicators, the API
and the open export all show what that place gives, and that it gives what the rows add up to.
"""

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.seeds import once_seeded
from udsyn.core.formatting import format_amount
from udsyn.engagements.models import Costs, Engagement, Funding
from udsyn.engagements.overview import municipality_overview
from udsyn.interop import exports
from udsyn.organisation.models import Municipality
from udsyn.public.data import page
from udsyn.reports import content
from udsyn.steering.status import funding_per_year

pytestmark = pytest.mark.django_db


def _by_hand(municipality: Municipality) -> dict[str, Any]:
    """The figures added up from the rows themselves, in Python: what every surface must show."""
    current = list(Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE))
    lines = list(Funding.objects.filter(municipality=municipality))
    return {
        "annual_fee": sum((e.annual_fee or Decimal(0) for e in current), Decimal(0)),
        "co_financing": sum((e.co_financing or Decimal(0) for e in current), Decimal(0)),
        "funding": sum((f.amount_dkk or Decimal(0) for f in lines), Decimal(0)),
        "undated": sum((f.amount_dkk or Decimal(0) for f in lines if f.start_date is None), Decimal(0)),
        "hidden": [f for f in lines if not f.is_public("amount_dkk")] + [
            e for e in current if not (e.is_public("annual_fee") and e.is_public("co_financing"))],
    }


def _surfaces(municipality: Municipality, client: Client, anonymous: Client) -> dict[str, dict[str, Decimal]]:
    overview = municipality_overview(municipality)
    public = page(municipality)
    with translation.override("da"):
        report = content.build(municipality)
    api = client.get(reverse("api:municipality-figures", args=[municipality.pk])).json()
    open_api = anonymous.get(reverse("api:municipality-figures", args=[municipality.pk])).json()
    archive, _extension = exports.export_file("csv", municipality)
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        name = next(n for n in files.namelist() if n.endswith("funding.csv"))
        rows = list(csv.DictReader(io.StringIO(files.read(name).decode("utf-8-sig"))))
    return {
        "overview": {"annual_fee": overview.annual_fee, "co_financing": overview.co_financing,
                     "funding": overview.funding_total},
        "overview by department": {
            "annual_fee": sum((d.annual_fee for d in overview.departments), Decimal(0)),
            "co_financing": sum((d.co_financing for d in overview.departments), Decimal(0)),
            "funding": sum((d.funding_dkk for d in overview.departments), Decimal(0))},
        "overview by source": {"funding": sum((r + e for _label, r, e in overview.funding_by_source), Decimal(0))},
        "public page": {"annual_fee": public.annual_fees, "co_financing": public.co_financing,
                        "funding": public.funding_total},
        "report": {"funding": report.funding_total},
        "report by source": {"funding": sum((s.received + s.expected for s in report.funding_sources), Decimal(0))},
        "API": {"annual_fee": Decimal(api["annual_fees"]), "co_financing": Decimal(api["co_financing"]),
                "funding": Decimal(api["funding_total"])},
        "open API": {"annual_fee": Decimal(open_api["annual_fees"]),
                     "co_financing": Decimal(open_api["co_financing"]), "funding": Decimal(open_api["funding_total"])},
        "open export": {"funding": sum((Decimal(r["amount_dkk"]) for r in rows if r["amount_dkk"]), Decimal(0))},
        "goal indicator (funding per year, plus undated)": {
            "funding": sum((v for _d, v in funding_per_year(municipality.pk)), Decimal(0))},
    }


@pytest.fixture(scope="module")
def seen(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    def work() -> dict[str, Any]:
        admin = User.objects.create_superuser("figures-admin", password="x")
        client, anonymous = Client(), Client()
        client.force_login(admin)
        out = {}
        for municipality in Municipality.objects.with_registry().order_by("code"):
            by_hand = _by_hand(municipality)
            out[municipality.code] = (municipality.name, by_hand, _surfaces(municipality, client, anonymous), {
                "public": client.get(reverse("public:municipality", args=[municipality.code])).content.decode(),
                "start": client.get(reverse("organisation:home"), {"municipality": municipality.code}
                                    ).content.decode(),
            })
        return out

    return once_seeded(django_db_blocker, work)


def test_the_seeds_hold_figures_worth_comparing(seen: dict[str, Any]) -> None:
    assert len(seen) == 3
    with_money = [name for name, by_hand, _s, _p in seen.values() if by_hand["funding"] and by_hand["annual_fee"]]
    assert with_money, "no seeded municipality has both funding and annual fees"
    for name, by_hand, _surfaces, _pages in seen.values():
        assert not by_hand["hidden"], f"{name}: the seeds mark amounts internal; the public checks assume none"


def test_every_surface_shows_the_same_totals_for_every_municipality(seen: dict[str, Any]) -> None:
    for name, by_hand, surfaces, _pages in seen.values():
        for surface, figures in surfaces.items():
            for figure, value in figures.items():
                expected = by_hand[figure] - (by_hand["undated"] if "indicator" in surface else 0)
                assert value == expected, f"{name}, {surface}: {figure} is {value}, the rows add up to {expected}"


def test_the_pages_print_those_totals(seen: dict[str, Any]) -> None:
    for name, by_hand, _surfaces, pages in seen.values():
        for figure in ("annual_fee", "funding"):
            shown = format_amount(by_hand[figure], "DKK")
            for page_name, html in pages.items():
                assert shown.replace(" ", "\xa0") in html or shown in html, f"{name}: {page_name} lacks {shown}"


def test_a_line_funding_two_engagements_counts_once(copenhagen: Municipality, make_engagement: Any,
                                                     atelier: Funding) -> None:
    second = make_engagement("Second project", kind=Engagement.Kind.PROJECT)
    atelier.engagements.add(second)
    both = Funding.objects.filter(engagements__in=[second, *atelier.engagements.all()])
    assert both.count() > 1  # the join repeats the line
    assert both.total().total == atelier.amount_dkk
    assert both.total().lines == 1


def test_amounts_marked_internal_stay_off_the_public_figures(copenhagen: Municipality, atelier: Funding,
                                                            eurocities: Engagement) -> None:
    lines = Funding.objects.filter(municipality=copenhagen)
    costs = Engagement.objects.filter(municipality=copenhagen).annual_costs()
    assert lines.total().total == atelier.amount_dkk and costs.annual_fee == eurocities.annual_fee
    atelier.internal_fields = ["amount_dkk"]
    atelier.save()
    eurocities.internal_fields = ["annual_fee"]
    eurocities.save()
    assert lines.public_amounts().total().total == 0
    assert Engagement.objects.filter(municipality=copenhagen).annual_costs(public=True) == Costs(
        Decimal(0), eurocities.co_financing or Decimal(0))
    assert page(copenhagen).funding_total == 0
    assert page(copenhagen).annual_fees == 0
    assert Client().get(reverse("api:municipality-figures", args=[copenhagen.pk])).json()["funding_total"] == "0.00"
