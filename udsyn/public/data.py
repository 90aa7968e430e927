"""What a municipality's public page shows, read in a fixed number of queries.

Only publishable fields are read here: no people (contacts, representatives), no internal notes, no
source references. Templates for the public pages get nothing else.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Sum

from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme
from udsyn.organisation.models import Municipality

ENGAGEMENT_FIELDS = (
    "id", "municipality_id", "title", "kind", "partnership_type", "description", "status", "start_date",
    "end_date", "annual_fee", "co_financing", "lead_department__code", "lead_department__name",
    "lead_department__name_en", "parent_id",
)


@dataclass
class PublicPage:
    municipality: Municipality
    memberships: list[Engagement]
    partnerships: list[Engagement]
    projects: list[Engagement]
    cities: list[tuple[str, str, float, float, int]]
    funding_rows: dict[tuple[int, str], Decimal]
    funding_by_source: list[tuple[str, Decimal]]
    funding_total: Decimal
    annual_fees: Decimal
    co_financing: Decimal


def page(municipality: Municipality) -> PublicPage:
    engagements = list(
        Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE)
        .select_related("lead_department")
        .only(*ENGAGEMENT_FIELDS)
        .prefetch_related(
            Prefetch("partner_organisations", queryset=ExternalOrganisation.objects.only("id", "name", "country")),
            Prefetch("partner_cities", queryset=City.objects.only("id", "name", "country", "latitude", "longitude")),
            Prefetch("funding", queryset=Funding.objects.select_related("programme").only(
                "id", "title", "amount", "currency", "amount_dkk", "approximate", "status", "start_date",
                "end_date", "programme__name", "programme__name_en", "programme__source")),
        )
        .order_by("title")
    )
    memberships = [e for e in engagements if e.kind == Engagement.Kind.MEMBERSHIP]
    cities: dict[int, list] = {}
    for engagement in engagements:
        for city in engagement.partner_cities.all():
            if city.latitude is not None and city.longitude is not None:
                entry = cities.setdefault(city.pk, [city.name, city.country, city.latitude, city.longitude, 0])
                entry[4] += 1
    funding = Funding.objects.filter(municipality=municipality)
    sources = dict(FundingProgramme.Source.choices)
    rows: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in funding.exclude(start_date=None).exclude(amount_dkk=None).values(
        "start_date__year", "programme__source"
    ).annotate(total=Sum("amount_dkk")):
        rows[(row["start_date__year"], str(sources[row["programme__source"]]))] += row["total"]
    by_source = [
        (str(sources[row["programme__source"]]), row["total"] or Decimal(0))
        for row in funding.values("programme__source").annotate(total=Sum("amount_dkk")).order_by("-total")
    ]
    return PublicPage(
        municipality=municipality,
        memberships=memberships,
        partnerships=[e for e in engagements if e.kind == Engagement.Kind.PARTNERSHIP],
        projects=[e for e in engagements if e.kind == Engagement.Kind.PROJECT],
        cities=sorted((tuple(c) for c in cities.values()), key=lambda c: c[0]),  # type: ignore[misc]
        funding_rows=dict(rows),
        funding_by_source=by_source,
        funding_total=sum((total for _label, total in by_source), Decimal(0)),
        annual_fees=sum((e.annual_fee or Decimal(0) for e in memberships), Decimal(0)),
        co_financing=sum((e.co_financing or Decimal(0) for e in memberships), Decimal(0)),
    )
