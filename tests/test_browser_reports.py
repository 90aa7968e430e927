"""A coordinator asks for the mapping report in the browser, follows its progress, and reads the HTML
report; the form, the progress page and the report itself pass axe with zero violations."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import assert_accessible
from tests.seeds import load
from udsyn.organisation.models import Municipality, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_makes_and_reads_the_html_report(page: Any, live_server: Any) -> None:
    load()
    copenhagen = Municipality.objects.get(code="0101")
    user = User.objects.create_user("koordinator", password="koordinator-pass")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, municipality=copenhagen)
    base = live_server.url
    page.goto(base + "/login/")
    page.fill("#id_username", "koordinator")
    page.fill("#id_password", "koordinator-pass")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")

    page.goto(base + copenhagen.get_absolute_url())
    page.click("a:has-text('Lav en rapport')")
    page.wait_for_selector("h1:has-text('Kortlægningsrapporten')")
    assert_accessible(page)
    page.check("label:has-text('HTML') >> xpath=preceding-sibling::input")
    page.click("button:has-text('Lav rapporten')")
    page.wait_for_selector("#report-progress")
    page.wait_for_selector("text=Rapporten er klar", timeout=60_000)
    assert_accessible(page)

    page.click("a:has-text('Åbn i browseren')")
    page.wait_for_selector("h1:has-text('Internationalt arbejde i Københavns Kommune')")
    assert "EUROCITIES" in page.inner_text("main")
    assert page.locator("figure img").count() == 3
    assert_accessible(page)
