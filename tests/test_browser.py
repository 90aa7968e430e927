"""A coordinator, in a real browser: log in, create an engagement shared by two departments, find it by
search, and every page visited passes axe with zero violations."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import assert_accessible
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Theme
from udsyn.organisation.models import Department, Municipality, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry() -> Municipality:
    copenhagen = Municipality.objects.create(code="0101", name="København")
    for code, name in [("ØKF", "Økonomiforvaltningen"), ("TMF", "Teknik- og Miljøforvaltningen"),
                       ("KFF", "Kultur- og Fritidsforvaltningen")]:
        Department.objects.create(municipality=copenhagen, code=code, name=name)
    Theme.objects.create(name="Klima", name_en="Climate")
    ExternalOrganisation.objects.create(name="Carbon Neutral Cities Alliance", kind="network", country="US")
    City.objects.create(name="Malmö", country="SE", latitude=55.6, longitude=13.0)
    user = User.objects.create_user("koordinator", password="koordinator-pass")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, municipality=copenhagen)
    return copenhagen


def test_coordinator_creates_and_finds_a_shared_engagement(page: Any, live_server: Any,
                                                           registry: Municipality) -> None:
    base = live_server.url
    page.goto(base + "/")
    assert page.url.startswith(base + "/login/")
    # DKFDS is served by the app itself: its font is in use, so axe checks the real styling.
    assert "IBM Plex Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert_accessible(page)
    page.fill("#id_username", "koordinator")
    page.fill("#id_password", "koordinator-pass")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    assert "Københavns Kommune" in page.inner_text("h1")
    assert_accessible(page)

    page.goto(base + "/engagements/add/")
    assert_accessible(page)
    page.fill("#id_title", "Øresundsvandsamarbejdet")
    page.select_option("#id_kind", "collaboration")
    page.select_option("#id_lead_department", label="Teknik- og Miljøforvaltningen (TMF)")
    page.check("label:has-text('Økonomiforvaltningen (ØKF)') >> xpath=preceding-sibling::input")
    page.select_option("#id_themes", label="Klima")
    page.select_option("#id_partner_cities", label="Malmö")
    page.fill("#id_description", "Samarbejde mellem danske og svenske myndigheder om Øresund.")
    page.click("button[type=submit]:has-text('Gem'), button[type=submit]:has-text('Save')")
    page.wait_for_selector("h1:has-text('Øresundsvandsamarbejdet')")
    assert_accessible(page)
    engagement = Engagement.objects.get(title="Øresundsvandsamarbejdet")
    assert {d.code for d in engagement.departments} == {"TMF", "ØKF"}

    # Found through the header search, typed without Danish letters.
    page.fill("#global-search", "oresundsvand")
    page.press("#global-search", "Enter")
    page.wait_for_selector(".udsyn-results")
    assert_accessible(page)
    page.click(".udsyn-results a:has-text('Øresundsvandsamarbejdet')")
    page.wait_for_selector("h1:has-text('Øresundsvandsamarbejdet')")

    # Both departments list it, and the list filter finds it.
    page.goto(base + "/engagements/?department={}".format(Department.objects.get(code="ØKF").pk))
    assert "Øresundsvandsamarbejdet" in page.inner_text("#results")
    assert_accessible(page)
    page.goto(base + f"/engagements/{engagement.pk}/history/")
    assert "koordinator" in page.inner_text("main")
    assert_accessible(page)
    page.goto(base + f"/en/engagements/{engagement.pk}/")
    assert "Lead department" in page.inner_text("main")
    assert_accessible(page)
