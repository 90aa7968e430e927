"""End to end in a real browser: a delegation from abroad asks in English to visit Copenhagen's technical
and environmental administration; the secretariat routes it to TMF; TMF accepts and plans it; the
requester's status link shows each step; TMF's calendar feed has the visit; the requester gives feedback;
the statistics count it. axe finds no violations on any page on the way."""

import datetime
import re
from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.browser import assert_accessible, log_in
from tests.seeds import load
from udsyn.inquiries import workflow
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Department, Municipality, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_public_form_to_a_planned_visit_and_feedback(browser: Any, page: Any, live_server: Any) -> None:
    load()
    copenhagen = Municipality.objects.get(code="0101")
    tmf = Department.objects.get(municipality=copenhagen, code="TMF")
    for username, kind, department in (("sekretariat", Role.Kind.COORDINATOR, None),
                                       ("tmf", Role.Kind.EDITOR, tmf)):
        user = User.objects.create_user(username, password="secret-pass-123")
        Role.objects.create(user=user, kind=kind, municipality=copenhagen, department=department)
    base = live_server.url
    visit_day = timezone.localdate() + datetime.timedelta(days=60)

    # The requester, in English, without logging in.
    requester = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    requester.goto(base + "/en/inquiries/new/?municipality=0101")
    assert_accessible(requester)
    requester.check("input[name=kind][value=visit]")
    requester.fill("#id_message", "A delegation of water engineers would like to learn about cloudburst planning.")
    requester.fill("#id_contact_name", "Anna de Vries")
    requester.fill("#id_contact_email", "anna@rotterdam.nl")
    requester.fill("#id_organisation", "City of Rotterdam")
    requester.select_option("#id_organisation_kind", "public_authority")
    requester.select_option("#id_country", "NL")
    requester.fill("#id_group_size", "12")
    requester.click("button:has-text('Send the inquiry')")
    # Forgot the date: the error names the field and nothing typed is lost.
    assert "Tell us when you would like to come." in requester.inner_text("main")
    assert requester.input_value("#id_message").startswith("A delegation of water engineers")
    assert_accessible(requester)
    requester.fill("#id_preferred_from", visit_day.isoformat())
    requester.click("button:has-text('Send the inquiry')")
    requester.wait_for_url(re.compile(r".*/en/inquiries/received/.+/"))
    assert "Your inquiry is received" in requester.inner_text("main")
    assert_accessible(requester)
    requester.click("a:has-text('See the status of your inquiry')")
    status_url = requester.url
    assert "Status: received" in requester.inner_text("main")
    assert_accessible(requester)
    inquiry = Inquiry.objects.get()
    assert inquiry.locale == "en" and inquiry.country == "NL"

    # The secretariat routes it to TMF.
    log_in(page, base, "sekretariat")
    page.goto(base + "/inquiries/")
    assert "City of Rotterdam" in page.inner_text("#main-content")
    assert_accessible(page)
    page.click(f"a:has-text('{inquiry.reference}')")
    assert_accessible(page)
    page.select_option("#id_route-lead", str(tmf.pk))
    page.click("button:has-text('Send videre')")
    assert "Henvendelsen er sendt videre til TMF." in page.inner_text("main")

    # TMF accepts and plans it.
    tmf_page = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900}).new_page()
    log_in(tmf_page, base, "tmf")
    tmf_page.goto(base + "/inquiries/")
    assert "City of Rotterdam" in tmf_page.inner_text("main")
    tmf_page.click(f"a:has-text('{inquiry.reference}')")
    tmf_page.fill("#id_accept-message", "We look forward to welcoming you.")
    tmf_page.click("button:has-text('Accepter henvendelsen')")
    tmf_page.fill("#id_plan-start", f"{visit_day.isoformat()}T10:00")
    tmf_page.fill("#id_plan-end", f"{visit_day.isoformat()}T11:30")
    tmf_page.fill("#id_plan-place", "Copenhagen City Hall")
    tmf_page.fill("#id_plan-programme", "10:00 Welcome\n10:30 Cloudburst plan\n11:00 Questions")
    tmf_page.click("button:has-text('Gem planen')")
    assert "Besøget er planlagt" in tmf_page.inner_text("main")
    assert_accessible(tmf_page)

    # The requester sees each step, and the visit.
    requester.goto(status_url)
    text = requester.inner_text("main")
    assert "Status: planned" in text and f"Passed to {tmf.name_en}" in text
    assert "We look forward to welcoming you." in text and "Copenhagen City Hall" in text
    assert "10:30 Cloudburst plan" in text
    assert_accessible(requester)

    # TMF's calendar feed has the visit, linked to the inquiry.
    feed = Client().get(f"/inquiries/feed/{workflow.settings_of(tmf).feed_token}.ics")
    events = list(icalendar.Calendar.from_ical(feed.content).walk("VEVENT"))
    assert len(events) == 1 and str(events[0]["location"]) == "Copenhagen City Hall"
    assert f"/inquiries/{inquiry.pk}/" in str(events[0]["url"])

    # After the visit: held, feedback, counted.
    tmf_page.fill("#id_hold-notes", "They will come back with their water board.")
    tmf_page.click("button:has-text('Besøget er afholdt')")
    requester.goto(status_url)
    requester.check("input[name=feedback-score][value='5']")
    requester.fill("#id_feedback-comment", "Very well organised.")
    requester.click("button:has-text('Send feedback')")
    assert "Thank you for your feedback: 5 of 5." in requester.inner_text("main")
    assert_accessible(requester)

    page.goto(base + "/inquiries/statistics/?municipality=0101")
    assert_accessible(page)
    table = page.inner_text("table")
    assert re.search(rf"{timezone.localdate().year}\s+TMF\s+1\s+1\s+0", table)
    assert "Delegationshenvendelser til Teknik- og Miljøforvaltningen" in page.inner_text("main")
    page.goto(base + "/inquiries/settings/?municipality=0101")
    assert "Jobcenter København" in page.inner_text("main")
    assert_accessible(page)
