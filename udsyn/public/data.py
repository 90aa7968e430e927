"""What a municipality's public page shows, read in a fixed number of queries.

Only publishable fields are read here: no people (contacts, representatives), no internal notes, no
source references. Templates for the public pages get nothing else.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from udsyn.engagements.models import City, Costs, Engagement, ExternalOrganisation, Funding, FundingProgramme
from udsyn.organisation.models import Municipality
from udsyn.reports.content import CityPoint, city_points

# What the page reads: the open fields declared on the models, and the names of what they refer to.
ENGAGEMENT_FIELDS = (
    "id", *Engagement.open_columns(), "lead_department__code", "lead_department__name", "lead_department__name_en",
)
FUNDING_FIELDS = (
    "id", *Funding.open_columns(), "internal_fields", "programme__name", "programme__name_en", "programme__source",
)


@dataclass
class PublicPage:
    municipality: Municipality
    memberships: list[Engagement]
    partnerships: list[Engagement]
    projects: list[Engagement]
    cities: list[CityPoint]
    funding_rows: dict[tuple[int, str], Decimal]
    funding_by_source: list[tuple[str, Decimal]]
    funding_total: Decimal
    annual_fees: Decimal  # of every engagement under way, as on the coordinator's overview
    co_financing: Decimal
    membership_costs: Costs  # the memberships' part, the total of the memberships table


def page(municipality: Municipality) -> PublicPage:
    engagements = list(
        Engagement.objects.filter(municipality=municipality, status=Engagement.Status.ACTIVE)
        .select_related("lead_department")
        .only(*ENGAGEMENT_FIELDS, "internal_fields")
        .prefetch_related(
            Prefetch("partner_organisations", queryset=ExternalOrganisation.objects.only("id", "name", "country")),
            Prefetch("partner_cities", queryset=City.objects.only("id", "name", "country", "latitude", "longitude")),
            Prefetch("funding", queryset=Funding.objects.select_related("programme").only(*FUNDING_FIELDS)),
        )
        .order_by("title")
    )
    for engagement in engagements:
        engagement.public_organisations = (  # type: ignore[attr-defined]
            list(engagement.partner_organisations.all()) if engagement.is_public("partner_organisations") else [])
        engagement.public_cities = (  # type: ignore[attr-defined]
            list(engagement.partner_cities.all()) if engagement.is_public("partner_cities") else [])
        engagement.public_funding = [  # type: ignore[attr-defined]
            line for line in engagement.funding.all() if line.is_public("engagements")]
        for line in engagement.public_funding:  # type: ignore[attr-defined]
            line.mask_internal()
        engagement.mask_internal()
    memberships = [e for e in engagements if e.kind == Engagement.Kind.MEMBERSHIP]
    cities, _missing = city_points(e.public_cities for e in engagements)  # type: ignore[attr-defined]
    sources = dict(FundingProgramme.Source.choices)
    funding = Funding.objects.filter(municipality=municipality).public_amounts().exclude(amount_dkk=None)
    by_source = {str(sources[source]): amount for source, amount in funding.totals_by("programme__source").items()}
    rows = {(year, str(sources[source])): amount for (year, source), amount
            in funding.exclude(start_date=None).totals_by("start_date__year", "programme__source").items()}
    costs_by_kind = Engagement.objects.filter(municipality=municipality).annual_costs_by("kind", public=True)
    costs = sum(costs_by_kind.values(), Costs())
    return PublicPage(
        municipality=municipality,
        memberships=memberships,
        partnerships=[e for e in engagements if e.kind == Engagement.Kind.PARTNERSHIP],
        projects=[e for e in engagements if e.kind == Engagement.Kind.PROJECT],
        cities=cities,
        funding_rows=rows,
        funding_by_source=sorted(by_source.items(), key=lambda item: -item[1]),
        funding_total=sum(by_source.values(), Decimal(0)),
        annual_fees=costs.annual_fee,
        co_financing=costs.co_financing,
        membership_costs=costs_by_kind.get(Engagement.Kind.MEMBERSHIP, Costs()),
    )
