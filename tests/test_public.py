"""The public pages: open to anyone, in Danish and English, and never showing people or internal notes."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from udsyn.engagements.models import Engagement, Funding
from udsyn.organisation.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(eurocities: Engagement, beijing: Engagement, atelier: Funding, person: Person) -> Engagement:
    eurocities.notes = "INTERNAL-NOTE-123: kontingentet genforhandles"
    eurocities.source_reference = "§4.1.3"
    eurocities.co_financing = Decimal("1130000")
    eurocities.save()
    contact = Person.objects.create(municipality=eurocities.municipality, name="Hemmelig Kontakt",
                                    email="secret.person@example.dk", phone="+45 12 34 56 78")
    eurocities.contacts.add(contact)
    eurocities.representatives.create(person=person, role="Medlem af bestyrelsen")
    return eurocities


def test_anyone_sees_memberships_fees_cities_projects_and_funding(registry: Engagement) -> None:
    response = Client().get("/public/0101/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Internationalt arbejde i Københavns Kommune" in page
    assert "EUROCITIES" in page and "250.000 kr." in page and "1.130.000 kr." in page
    assert "Beijing (Kina)" in page and "søsterbyaftale" in page
    assert "ATELIER" in page and "4.971.000 kr." in page
    assert 'alt="Verdenskort med 1 samarbejdsbyer: Kina: Beijing."' in page


def test_english_page(registry: Engagement) -> None:
    page = Client().get("/en/public/0101/").content.decode()
    assert "International work in Copenhagen Municipality" in page
    assert "DKK 250,000" in page and "Beijing (China)" in page


def test_no_person_note_or_source_reference_reaches_the_public_page(registry: Engagement) -> None:
    for url in ("/public/", "/public/0101/", "/en/public/0101/"):
        page = Client().get(url).content.decode()
        for secret in ("INTERNAL-NOTE-123", "secret.person@example.dk", "Hemmelig Kontakt", "+45 12 34 56 78",
                       "Jes Vissing Tiedemann", "Medlem af bestyrelsen", "§4.1.3"):
            assert secret not in page, f"{secret!r} on {url}"


def test_only_active_engagements_are_shown(registry: Engagement, make_engagement: Any) -> None:
    make_engagement("Afsluttet netværk", status=Engagement.Status.ENDED)
    page = Client().get("/public/0101/").content.decode()
    assert "Afsluttet netværk" not in page


def test_unknown_municipality_is_not_found(db: None) -> None:
    assert Client().get("/public/9999/").status_code == 404


def test_index_lists_municipalities_with_engagements(registry: Engagement, odense: Any) -> None:
    page = Client().get("/public/").content.decode()
    assert "Københavns Kommune" in page and "Odense" not in page


def test_fields_marked_internal_stay_off_the_public_page_and_open_api(registry: Engagement, atelier: Funding,
                                                                      coordinator: Any) -> None:
    from rest_framework.test import APIClient

    registry.internal_fields = ["annual_fee", "partner_organisations"]
    registry.full_clean()
    registry.save()
    atelier.internal_fields = ["amount_dkk"]
    atelier.save()
    page = Client().get("/public/0101/").content.decode()
    assert "250.000 kr." not in page and "4.971.000 kr." not in page
    assert "EUROCITIES" in page  # the record itself is still public
    answer = APIClient().get(f"/api/engagements/{registry.pk}/").json()
    assert answer["annual_fee"] is None and answer["partner_organisations"] == []
    assert APIClient().get(f"/api/funding/{atelier.pk}/").json()["amount_dkk"] is None
    # Signed-in staff still see everything.
    client = APIClient()
    client.force_authenticate(coordinator)
    assert client.get(f"/api/engagements/{registry.pk}/").json()["annual_fee"] == "250000.00"


def test_only_publishable_fields_can_be_marked_internal(registry: Engagement) -> None:
    from django.core.exceptions import ValidationError

    registry.internal_fields = ["title"]
    with pytest.raises(ValidationError, match="internal_fields"):
        registry.full_clean()


def test_the_map_is_drawn_once_per_content_and_language(registry: Engagement, monkeypatch: Any) -> None:
    """Drawing the map takes seconds: every process reuses the drawing until the cities change."""
    from udsyn.reports import charts

    drawn = []
    real = charts.map_picture
    monkeypatch.setattr(charts, "map_picture", lambda cities: drawn.append(cities) or real(cities))
    for address in ("/public/0101/", "/public/0101/", "/en/public/0101/", "/en/public/0101/"):
        assert 'src="data:image/svg+xml;base64,' in Client().get(address).content.decode()
    assert len(drawn) == 2  # Danish and English
    city = registry.partner_cities.create(name="Malmö", country="SE", latitude=55.6, longitude=13.0)
    assert city.name in Client().get("/public/0101/").content.decode()
    assert len(drawn) == 3  # the cities changed: drawn again


def test_what_is_open_is_declared_once_on_the_model_and_read_everywhere(registry: Engagement,
                                                                        atelier: Funding) -> None:
    """The open fields (OPEN_FIELDS) are what anonymous readers get from the open API, the public page's
    queries and the open exports; no person, note or source reference is among them."""
    from rest_framework.test import APIClient

    from udsyn.api.serializers import PublicEngagementSerializer, PublicFundingSerializer
    from udsyn.interop import tabular
    from udsyn.organisation.models import Person
    from udsyn.public.data import ENGAGEMENT_FIELDS, FUNDING_FIELDS

    for model, serializer, read in ((Engagement, PublicEngagementSerializer, ENGAGEMENT_FIELDS),
                                    (Funding, PublicFundingSerializer, FUNDING_FIELDS)):
        fields = {f.name: f for f in model._meta.get_fields()}
        assert set(model.PUBLIC_FIELDS) <= set(model.OPEN_FIELDS)
        for name in model.OPEN_FIELDS:
            assert getattr(fields[name], "related_model", None) is not Person, name
            assert name not in ("notes", "source_reference", "contacts", "representatives"), name
        assert list(serializer.Meta.fields) == ["id", *model.OPEN_FIELDS]
        own = {f.attname for f in model._meta.concrete_fields}
        assert {name for name in read if name in own} <= {"id", "internal_fields", *model.open_columns()}
        table = next(t for t in tabular.tables() if t.model is model)
        for column in table.columns:
            if column.field:
                assert table.is_open(column) == (column.field in model.OPEN_FIELDS), column.name
    answer = APIClient().get(f"/api/engagements/{registry.pk}/").json()
    assert set(answer) == {"id", *Engagement.OPEN_FIELDS}
    assert set(APIClient().get(f"/api/funding/{atelier.pk}/").json()) == {"id", *Funding.OPEN_FIELDS}
