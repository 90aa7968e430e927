"""SQL queries per page stay the same however many records there are."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme, Theme
from udsyn.organisation.models import Person


def _grow(n: int, copenhagen: Any, departments: dict[str, Any]) -> None:
    """Add n engagements, each with partners, themes, two departments, a representative and funding."""
    programme, _ = FundingProgramme.objects.get_or_create(name="Interreg", defaults={"source": "eu"})
    theme, _ = Theme.objects.get_or_create(name="Klima")
    start = Engagement.objects.count()
    for i in range(start, start + n):
        city = City.objects.create(name=f"By {i}", country="SE")
        org = ExternalOrganisation.objects.create(name=f"Netværk {i}", kind="network", country="BE")
        engagement = Engagement.objects.create(
            municipality=copenhagen, title=f"Engagement {i}", kind="membership",
            lead_department=departments["ØKF"], annual_fee=Decimal(1000 * i),
        )
        engagement.participating_departments.set([departments["TMF"], departments["KFF"]])
        engagement.partner_cities.add(city)
        engagement.partner_organisations.add(org)
        engagement.themes.add(theme)
        person = Person.objects.create(municipality=copenhagen, name=f"Person {i}")
        engagement.representatives.create(person=person, role="Bestyrelse")
        engagement.contacts.add(person)
        funding = Funding.objects.create(
            municipality=copenhagen, title=f"Bevilling {i}", department=departments["TMF"],
            programme=programme, amount_dkk=Decimal(10000),
        )
        funding.engagements.add(engagement)


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES: list[tuple[str, Callable[[dict[str, Any]], str], int]] = [
    ("start page", lambda ctx: "/", 25),
    ("engagement list", lambda ctx: "/engagements/", 10),
    ("engagement list filtered", lambda ctx: "/engagements/?department={}&kind=membership&theme={}".format(
        ctx["departments"]["TMF"].pk, ctx["theme"].pk), 12),
    ("engagement detail", lambda ctx: "/engagements/{}/".format(ctx["engagement"].pk), 25),
    ("department detail", lambda ctx: "/departments/{}/".format(ctx["departments"]["TMF"].pk), 20),
    ("city detail", lambda ctx: "/cities/{}/".format(ctx["city"].pk), 15),
    ("municipality detail", lambda ctx: "/municipalities/{}/".format(ctx["copenhagen"].pk), 35),
    ("funding list", lambda ctx: "/funding/", 10),
    ("organisation list", lambda ctx: "/organisations/", 10),
    ("search", lambda ctx: "/search/?q=engagement", 10),
    ("public municipality page", lambda ctx: "/public/0101/", 10),
    ("API engagement list", lambda ctx: "/api/engagements/", 12),
    ("API funding list", lambda ctx: "/api/funding/", 8),
    ("goal conformance", lambda ctx: "/goals/conformance/", 12),
    ("goal conformance filtered", lambda ctx: "/goals/conformance/?department={}".format(
        ctx["departments"]["TMF"].code), 12),
]


@pytest.mark.parametrize(("name", "url", "ceiling"), PAGES, ids=[p[0] for p in PAGES])
def test_queries_do_not_grow_with_rows(name: str, url: Callable[[dict[str, Any]], str], ceiling: int,
                                       login: Any, reader: Any, copenhagen: Any, departments: Any) -> None:
    client = login(reader)
    _grow(3, copenhagen, departments)
    ctx = {
        "departments": departments, "copenhagen": copenhagen, "theme": Theme.objects.get(name="Klima"),
        "engagement": Engagement.objects.first(), "city": City.objects.first(),
    }
    client.get(url(ctx))  # warm caches that are filled once per process (content types, sessions)
    small = _count(client, url(ctx))
    _grow(15, copenhagen, departments)
    large = _count(client, url(ctx))
    assert small == large, f"{name}: {small} queries with few rows, {large} with many"
    assert large <= ceiling, f"{name}: {large} queries, more than {ceiling}"
