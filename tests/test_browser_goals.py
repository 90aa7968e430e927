"""A coordinator in a real browser: Odense's goal dashboard and its conformance per department, linking a
twin-city agreement to a goal, recording a review and seeing it on the due list; axe finds no violations on
any of the pages."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import assert_accessible
from tests.seeds import load
from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Municipality, Role
from udsyn.steering.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_steers_by_goals(page: Any, live_server: Any) -> None:
    load()
    odense = Municipality.objects.get(code="0461")
    user = User.objects.create_user("koordinator-odense", password="odense-pass")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, municipality=odense)
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", "koordinator-odense")
    page.fill("#id_password", "odense-pass")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    page.goto(base + "/goals/?municipality=0461")
    text = page.inner_text("main")
    assert "1. Børn og unge bliver klar til fremtiden" in text and "10. Færre borgere er relativt fattige" in text
    assert "Venskabsbyaftale med Klaksvík" in text  # flagged: serves no goal yet
    assert_accessible(page)

    page.click("main a[href$='/goals/conformance/?municipality=0461'] >> nth=0")
    page.wait_for_url("**/goals/conformance/?municipality=0461")
    assert "Venskabsbyaftale med Klaksvík" in page.inner_text("main")
    assert_accessible(page)
    lead = Engagement.objects.get(municipality=odense, title="Venskabsbyaftale med Klaksvík").lead_department
    page.select_option("#choose-department", lead.code)
    page.click("form.udsyn-filters button[type=submit]")
    page.wait_for_url("**department=*")
    assert "Venskabsbyaftale med Klaksvík" in page.inner_text("main")
    assert_accessible(page)

    klaksvik = Engagement.objects.get(municipality=odense, title="Venskabsbyaftale med Klaksvík")
    page.goto(base + klaksvik.get_absolute_url())
    page.click("a:has-text('Knyt til et mål')")
    assert_accessible(page)
    page.select_option("#id_goal", label="Et sundere Odense")
    page.fill("#id_justification", "Erfaringsudveksling om sundhed")
    page.click("button:has-text('Gem')")
    page.wait_for_selector("text=Erfaringsudveksling om sundhed")

    page.click("a:has-text('Registrér en vurdering')")
    assert_accessible(page)
    page.fill("#id_staff_hours", "40")
    page.check("label:has-text('fortsæt') >> xpath=preceding-sibling::input")
    page.select_option("select[name$='-score'] >> nth=0", "4")
    page.click("button:has-text('Gem vurderingen')")
    page.wait_for_selector("h1:has-text('Vurdering')")
    assert "20.000 kr." in page.inner_text("main")  # 40 hours at 500 kr.
    assert_accessible(page)
    review = Review.objects.get(engagement=klaksvik)

    page.goto(base + "/goals/?municipality=0461")
    section = page.inner_text("section:has(h3:has-text('Et sundere Odense'))")
    assert "Venskabsbyaftale med Klaksvík" in section
    page.goto(base + "/goals/reviews/?municipality=0461")
    assert review.next_review_due.strftime("%d.%m.%Y") in page.inner_text("#later ~ div")
    assert_accessible(page)
