"""The Content Security Policy in a real browser: a crawl of the main pages, anonymously, as a coordinator and as
a superuser (the admin, the API's own pages and its Swagger UI included), finds no violation, and the pages
still work under it (HTMX filters, Swagger UI drawing the schema). Every browser test fails on a violation
(tests/browser.py); this one visits what the others do not."""

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.browser import CSP_VIOLATIONS, log_in
from tests.seeds import load
from udsyn.engagements.models import Engagement
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Municipality, Role
from udsyn.steering.models import Indicator, Observation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _visit(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")


def test_the_policy_is_enforced_and_a_violation_fails_the_test(page: Any, live_server: Any, db: None) -> None:
    """The watch in tests/browser.py sees what the browser refuses: markup with a style attribute, added by
    script, is refused and reported."""
    _visit(page, live_server.url + "/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert any("style-src" in found for found in CSP_VIOLATIONS), CSP_VIOLATIONS
    assert page.evaluate("getComputedStyle(document.querySelector('main p:last-child')).color") != "rgb(255, 0, 0)"
    CSP_VIOLATIONS.clear()


def test_a_crawl_of_the_main_pages_finds_no_violation(page: Any, live_server: Any) -> None:
    load()
    copenhagen = Municipality.objects.get(code="0101")
    coordinator = User.objects.create_user("koordinator", password="secret-pass-123")
    Role.objects.create(user=coordinator, kind=Role.Kind.COORDINATOR, municipality=copenhagen)
    User.objects.create_superuser("root", password="secret-pass-123")
    engagement = Engagement.objects.filter(municipality=copenhagen).order_by("pk").first()
    assert engagement
    indicator = Indicator.objects.create(municipality=copenhagen, name="Delegationsbesøg", measure="Antal",
                                         data_source="Udsyn", unit="besøg")
    for year, value in ((2023, 12), (2024, 17), (2025, 21)):  # a trend chart
        Observation.objects.create(indicator=indicator, date=datetime.date(year, 12, 31), value=value)
    base = live_server.url

    # Anonymous: the public pages (map and charts are SVG pictures), the inquiry form, the API's own pages.
    for path in ("/login/", "/public/", "/public/0101/", "/en/public/0101/", "/inquiries/new/?municipality=0101",
                 "/api/engagements/", "/api/docs/"):
        _visit(page, base + path)
    assert page.locator(".swagger-ui .opblock").count() > 10  # Swagger UI drew the schema under the policy
    _visit(page, base + "/inquiries/new/?municipality=0101")
    page.check("input[name=kind][value=idea]")
    page.fill("#id_message", "Et forslag om et venskabsbysamarbejde om cykelstier.")
    page.fill("#id_contact_name", "Anna Jensen")
    page.fill("#id_contact_email", "anna@example.dk")
    page.fill("#id_organisation", "Cyklistforbundet")
    page.select_option("#id_organisation_kind", "public_authority")
    page.select_option("#id_country", "DK")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/inquiries/received/.+/"))

    # A coordinator: the start page, lists with their HTMX filter, a record, its edit form and history, goals,
    # reports, inquiries, search, import and export, the API's browsable pages and Swagger UI signed in.
    log_in(page, base, "koordinator")
    for path in ("/", "/engagements/", f"/engagements/{engagement.pk}/", f"/engagements/{engagement.pk}/edit/",
                 f"/engagements/{engagement.pk}/history/", "/funding/", "/cities/", "/goals/",
                 f"/goals/indicators/{indicator.pk}/", "/goals/reviews/", "/reports/", "/inquiries/",
                 "/inquiries/statistics/", "/search/?q=eurocities", "/import/", "/export/", "/users/",
                 f"/municipalities/{copenhagen.pk}/", "/api/", f"/api/engagements/{engagement.pk}/", "/api/docs/"):
        _visit(page, base + path)
    _visit(page, base + "/engagements/")
    before = page.inner_text("#results")
    with page.expect_response(lambda r: "/engagements/?" in r.url):  # the filter form asks by HTMX
        page.select_option("select[name=kind]", "project")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#results") != before and "kind=project" in page.url
    _visit(page, base + f"/inquiries/{Inquiry.objects.get().pk}/")  # the inquiry sent above, with its forms

    # A superuser: the admin's index, a list, a change form and its history.
    page.context.clear_cookies()
    log_in(page, base, "root")
    for path in ("/admin/", "/admin/engagements/engagement/", f"/admin/engagements/engagement/{engagement.pk}/change/",
                 f"/admin/engagements/engagement/{engagement.pk}/history/", "/admin/auth/user/"):
        _visit(page, base + path)
