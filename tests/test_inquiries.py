"""Inquiries: the public form and its spam defence, each transition and its rules, who sees what, the
status page, e-mails through a real SMTP server, calendars and statistics."""

import datetime
from collections.abc import Iterator
from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.mail import Inbox
from udsyn.inquiries import workflow
from udsyn.inquiries.models import DeclineReason, Inquiry, InquiryEvent
from udsyn.organisation.models import Department, Municipality, StatedFigure

pytestmark = pytest.mark.django_db(transaction=True)  # e-mails go out when a change is committed
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _danish() -> Iterator[None]:
    """Messages raised outside a request come in the default language, Danish."""
    with translation.override("da"):
        yield


def _form(municipality: Municipality, **changes: Any) -> dict[str, Any]:
    data = {
        "municipality": municipality.pk, "kind": "visit", "organisation": "City of Rotterdam",
        "organisation_kind": "public_authority", "country": "NL", "contact_name": "Anna de Vries",
        "contact_email": "anna@rotterdam.nl", "group_size": "12",
        "preferred_from": (TOMORROW + datetime.timedelta(days=90)).isoformat(),
        "preferred_to": (TOMORROW + datetime.timedelta(days=92)).isoformat(), "topics": "climate adaptation",
        "language": "en", "message": "We would like to learn about the cloudburst plan.", "website": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def staff(copenhagen: Municipality, departments: dict[str, Department], coordinator: User, tmf_editor: User,
          suf_editor: User) -> dict[str, User]:
    for user, address in ((coordinator, "sekretariat@kk.dk"), (tmf_editor, "tmf@kk.dk"), (suf_editor, "suf@kk.dk")):
        user.email = address
        user.save()
    return {"coordinator": coordinator, "tmf": tmf_editor, "suf": suf_editor}


def _received(copenhagen: Municipality, **changes: Any) -> Inquiry:
    values = {"municipality": copenhagen, "kind": Inquiry.Kind.VISIT, "organisation": "City of Rotterdam",
              "organisation_kind": "public_authority", "country": "NL", "contact_name": "Anna de Vries",
              "contact_email": "anna@rotterdam.nl", "group_size": 12, "preferred_from": TOMORROW,
              "message": "We would like to visit.", "locale": "en"}
    values.update(changes)
    return workflow.receive(Inquiry(**values))


def _start(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# The public form.

def test_form_is_open_to_anyone_in_both_languages(copenhagen: Municipality, departments: Any) -> None:
    client = Client()
    danish = client.get("/inquiries/new/?municipality=0101")
    english = client.get("/en/inquiries/new/?municipality=0101")
    assert danish.status_code == english.status_code == 200
    assert "Skriv til kommunen" in danish.content.decode()
    assert "Write to the municipality" in english.content.decode()
    assert 'name="website"' in english.content.decode()  # the honeypot


def test_sending_the_form_confirms_by_mail_with_a_private_link(
        copenhagen: Municipality, staff: dict[str, User], smtp: Inbox) -> None:
    client = Client()
    response = client.post("/en/inquiries/new/", _form(copenhagen))
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/inquiries/received/{inquiry.token}/"
    assert len(inquiry.token) >= 40 and inquiry.locale == "en" and inquiry.state == Inquiry.State.RECEIVED
    page = client.get(response["Location"]).content.decode()
    assert inquiry.reference in page and inquiry.get_status_url() in page
    confirmation = smtp.to("anna@rotterdam.nl")[0]
    assert Inbox.subject(confirmation) == f"We have received your inquiry ({inquiry.reference})"
    assert f"/en/inquiries/status/{inquiry.token}/" in Inbox.body(confirmation)
    assert Inbox.subject(smtp.to("sekretariat@kk.dk")[0]) == \
        f"Ny henvendelse {inquiry.reference} fra City of Rotterdam"


def test_an_error_keeps_everything_typed(copenhagen: Municipality, departments: Any) -> None:
    response = Client().post("/en/inquiries/new/", _form(copenhagen, contact_email="not-an-address"))
    page = response.content.decode()
    assert response.status_code == 400 and not Inquiry.objects.exists()
    assert "Enter a valid email address." in page
    assert "We would like to learn about the cloudburst plan." in page and 'value="City of Rotterdam"' in page


def test_a_visit_needs_a_group_size_and_a_date_to_come(copenhagen: Municipality, departments: Any) -> None:
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = Client().post("/en/inquiries/new/", _form(copenhagen, group_size="", preferred_from=yesterday))
    errors = response.context["form"].errors
    assert errors["group_size"] == ["Tell us how many people will come."]
    assert errors["preferred_from"] == ["The date has passed. Choose a date from today on."]
    idea = Client().post("/en/inquiries/new/", _form(copenhagen, kind="idea", group_size="", preferred_from="",
                                                      preferred_to=""))
    assert idea.status_code == 302


def test_robots_filling_the_honeypot_are_thanked_and_ignored(copenhagen: Municipality, staff: Any,
                                                            smtp: Inbox) -> None:
    response = Client().post("/en/inquiries/new/", _form(copenhagen, website="http://spam.example"))
    assert response.status_code == 200 and not Inquiry.objects.exists() and not smtp.messages


def test_rate_limit_per_address_keeps_the_text(copenhagen: Municipality, departments: Any, settings: Any) -> None:
    client = Client()
    limit = settings.UDSYN_INQUIRIES_PER_HOUR
    for _ in range(limit):
        assert client.post("/en/inquiries/new/", _form(copenhagen)).status_code == 302
    refused = client.post("/en/inquiries/new/", _form(copenhagen, message="One more idea"))
    assert refused.status_code == 429 and Inquiry.objects.count() == limit
    assert "wait an hour" in refused.content.decode() and "One more idea" in refused.content.decode()
    other_sender = Client(REMOTE_ADDR="10.0.0.9").post("/en/inquiries/new/", _form(
        copenhagen, contact_email="someone@else.org"))
    assert other_sender.status_code == 302


# Transitions and their rules.

def test_the_whole_way_from_received_to_closed(copenhagen: Municipality, departments: dict[str, Department],
                                              staff: dict[str, User], smtp: Inbox) -> None:
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"], [departments["KFF"]])
    assert inquiry.state == "routed" and inquiry.response_due == timezone.localdate() + datetime.timedelta(days=10)
    assert Inbox.subject(smtp.to("tmf@kk.dk")[0]).startswith(f"Henvendelse {inquiry.reference}")
    workflow.accept(inquiry, staff["tmf"], "Welcome!")
    assert inquiry.first_response_at is not None and inquiry.decided_at is not None
    day = TOMORROW + datetime.timedelta(days=30)
    workflow.plan(inquiry, staff["tmf"], _start(day, 10), _start(day, 12), "Copenhagen City Hall",
                  "Meet Copenhagen City", [workflow.Step(datetime.time(10), "Welcome"),
                                           workflow.Step(None, "Harbour bath tour")])
    planned = smtp.to("anna@rotterdam.nl")[-1]
    assert Inbox.subject(planned) == f"Your visit {inquiry.reference} is planned"
    ics = icalendar.Calendar.from_ical(Inbox.attachments(planned)[f"visit-{inquiry.reference}.ics"])
    event = next(iter(ics.walk("VEVENT")))
    assert str(event["location"]) == "Copenhagen City Hall" and event.decoded("dtstart") == _start(day, 10)
    assert inquiry.get_status_url() in str(event["url"])
    workflow.plan(inquiry, staff["tmf"], _start(day, 13), _start(day, 15), "Copenhagen City Hall")
    assert inquiry.calendar_sequence == 1 and Inbox.subject(smtp.to("anna@rotterdam.nl")[-1]).endswith("changed")
    workflow.hold(inquiry, staff["tmf"], "They want to come back with their water board.")
    assert "give us a score" in Inbox.body(smtp.to("anna@rotterdam.nl")[-1]).lower()
    workflow.give_feedback(inquiry, 5, "Inspiring.")
    with pytest.raises(workflow.TransitionError):
        workflow.give_feedback(inquiry, 1)
    workflow.close(inquiry, staff["tmf"])
    states = list(inquiry.events.filter(kind="state").values_list("state", flat=True))
    assert states == ["received", "routed", "accepted", "planned", "planned", "held", "closed"]
    history = inquiry.history.order_by("history_date")  # type: ignore[attr-defined]
    assert {h.state for h in history} >= {"received", "routed", "accepted", "planned", "held", "closed"}
    assert history.last().history_user == staff["tmf"]


def test_a_state_allows_only_its_own_transitions(copenhagen: Municipality, departments: dict[str, Department],
                                                 staff: dict[str, User]) -> None:
    inquiry = _received(copenhagen)
    with pytest.raises(workflow.TransitionError, match="modtaget, kan ikke blive accepteret"):
        workflow.accept(inquiry, staff["coordinator"])
    with pytest.raises(workflow.TransitionError):
        workflow.hold(inquiry, staff["coordinator"])
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    with pytest.raises(workflow.TransitionError, match="begrundelsen"):
        workflow.decline(inquiry, staff["tmf"], "  ")
    workflow.accept(inquiry, staff["tmf"])
    day = TOMORROW
    with pytest.raises(workflow.TransitionError, match="slutte efter det begynder"):
        workflow.plan(inquiry, staff["tmf"], _start(day, 12), _start(day, 10), "Rådhuset")
    assert inquiry.state == Inquiry.State.ACCEPTED


def test_only_the_secretariat_routes_and_only_the_lead_department_decides(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User]) -> None:
    inquiry = _received(copenhagen)
    with pytest.raises(PermissionDenied):
        workflow.route(inquiry, staff["tmf"], departments["TMF"])
    workflow.route(inquiry, staff["coordinator"], departments["TMF"], [departments["SUF"]])
    with pytest.raises(PermissionDenied):
        workflow.accept(inquiry, staff["suf"])  # contributing, not lead
    workflow.note(inquiry, staff["suf"], "SUF can show a care home.")  # but it may add notes
    workflow.decline(inquiry, staff["tmf"], "We are fully booked in March.")
    assert inquiry.state == Inquiry.State.DECLINED


def test_a_department_sees_only_what_is_routed_to_it(copenhagen: Municipality, departments: dict[str, Department],
                                                     staff: dict[str, User], reader: User, login: Any) -> None:
    to_tmf = _received(copenhagen, organisation="Rotterdam")
    to_suf = _received(copenhagen, organisation="Malmö stad", contact_email="m@malmo.se")
    unrouted = _received(copenhagen, organisation="Oslo kommune", contact_email="o@oslo.no")
    workflow.route(to_tmf, staff["coordinator"], departments["TMF"])
    workflow.route(to_suf, staff["coordinator"], departments["SUF"])
    tmf = login(staff["tmf"])
    queue = tmf.get("/inquiries/").content.decode()
    assert "Rotterdam" in queue and "Malmö" not in queue and "Oslo" not in queue
    assert tmf.get(f"/inquiries/{to_suf.pk}/").status_code == 403
    assert tmf.get(f"/inquiries/{to_tmf.pk}/").status_code == 200
    secretariat = login(staff["coordinator"]).get("/inquiries/").content.decode()
    assert all(name in secretariat for name in ("Rotterdam", "Malmö", "Oslo"))
    assert login(reader).get("/inquiries/").status_code == 403
    assert login(reader).get(f"/inquiries/{unrouted.pk}/").status_code == 403
    assert Client().get("/inquiries/").status_code == 302  # to the login page


def test_overdue_inquiries_stand_out(copenhagen: Municipality, departments: dict[str, Department],
                                     staff: dict[str, User], login: Any) -> None:
    late = _received(copenhagen, organisation="Late city")
    workflow.route(late, staff["coordinator"], departments["TMF"])
    Inquiry.objects.filter(pk=late.pk).update(response_due=timezone.localdate() - datetime.timedelta(days=1))
    response = login(staff["coordinator"]).get("/inquiries/")
    assert [i.pk for i in response.context["overdue"]] == [late.pk]
    assert "1 henvendelse har overskredet sin svarfrist." in response.content.decode()


def test_priority_and_capacity_rules_of_a_department(copenhagen: Municipality,
                                                     departments: dict[str, Department], staff: dict[str, User],
                                                     login: Any) -> None:
    rules = workflow.settings_of(departments["TMF"])
    rules.priority_kinds, rules.monthly_capacity = ["public_authority"], 1
    rules.save()
    business = _received(copenhagen, organisation="Acme Water", organisation_kind="business")
    authority = _received(copenhagen, organisation="Ministry of Water", contact_email="x@minvenw.nl")
    for inquiry in (business, authority):
        workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    queue = login(staff["tmf"]).get("/inquiries/")
    assert [i.organisation for i in queue.context["open"]] == ["Ministry of Water", "Acme Water"]
    workflow.accept(authority, staff["tmf"])
    with pytest.raises(workflow.CapacityReached, match="kapaciteten er 1 om måneden"):
        workflow.accept(business, staff["tmf"])
    workflow.accept(business, staff["tmf"], over_capacity=True)
    assert business.state == Inquiry.State.ACCEPTED


def test_stock_reasons_are_offered_in_the_requesters_language(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User], login: Any,
        smtp: Inbox) -> None:
    DeclineReason.objects.create(department=departments["TMF"], text="Vi har ikke kapacitet.",
                                 text_en="We do not have capacity.")
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    client = login(staff["tmf"])
    response = client.post(f"/inquiries/{inquiry.pk}/decline/", {"decline-reason": "We do not have capacity."})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.decline_reason == "We do not have capacity."
    assert "We do not have capacity." in Inbox.body(smtp.to("anna@rotterdam.nl")[-1])


def test_web_actions_report_errors_by_field_and_keep_the_input(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User], login: Any) -> None:
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    workflow.accept(inquiry, staff["tmf"])
    client = login(staff["tmf"])
    response = client.post(f"/inquiries/{inquiry.pk}/plan/", {
        "plan-start": "2027-03-10T12:00", "plan-end": "2027-03-10T10:00", "plan-place": "Rådhuset",
        "plan-programme": "10:00 Velkomst"})
    assert response.status_code == 400
    assert response.context["forms"]["plan"].errors["end"] == ["Besøget skal slutte efter det begynder."]
    assert "10:00 Velkomst" in response.content.decode()
    ok = client.post(f"/inquiries/{inquiry.pk}/plan/", {
        "plan-start": "2027-03-10T10:00", "plan-end": "2027-03-10T11:30", "plan-place": "Rådhuset",
        "plan-programme": "10:00 Velkomst\n10.30 Rundvisning\nSpørgsmål"})
    assert ok.status_code == 302
    assert [(s.starts, s.title) for s in inquiry.programme.all()] == [  # in the order written
        (datetime.time(10), "Velkomst"), (datetime.time(10, 30), "Rundvisning"), (None, "Spørgsmål")]


# The requester's status page.

def test_status_page_shows_steps_and_messages_but_not_internal_notes(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User], smtp: Inbox) -> None:
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"], note="Secret: they asked before.")
    workflow.write(inquiry, staff["tmf"], "Which dates suit you best?")
    client = Client()
    page = client.get(f"/en/inquiries/status/{inquiry.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and page["X-Robots-Tag"].startswith("noindex")
    assert page["Referrer-Policy"] == "same-origin"  # the link does not leak to other sites
    assert "Which dates suit you best?" in html and "Passed to Teknik- og Miljøforvaltningen" in html
    assert "Secret" not in html and "How did we do?" not in html
    assert client.get("/en/inquiries/status/not-the-token/").status_code == 404
    reply = client.post(f"/en/inquiries/status/{inquiry.token}/", {"reply-text": "Any day in March."})
    assert reply.status_code == 302
    assert inquiry.events.filter(kind=InquiryEvent.Kind.MESSAGE_IN, text="Any day in March.").exists()
    assert "Any day in March." in Inbox.body(smtp.to("tmf@kk.dk")[-1])


def test_feedback_is_asked_after_the_visit_and_counted(copenhagen: Municipality,
                                                       departments: dict[str, Department],
                                                       staff: dict[str, User], login: Any) -> None:
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    workflow.accept(inquiry, staff["tmf"])
    workflow.plan(inquiry, staff["tmf"], _start(TOMORROW, 10), _start(TOMORROW, 11), "Rådhuset")
    workflow.hold(inquiry, staff["tmf"])
    client = Client()
    assert "How did we do?" in client.get(f"/en/inquiries/status/{inquiry.token}/").content.decode()
    assert client.post(f"/en/inquiries/status/{inquiry.token}/", {"feedback-score": "4",
                                                                 "feedback-comment": "Good"}).status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.feedback_score, inquiry.feedback_comment) == (4, "Good")
    stats = login(staff["coordinator"]).get("/inquiries/statistics/")
    row = stats.context["table"][0]
    year = timezone.localdate().year
    assert (row.year, row.department, row.received, row.accepted, row.declined, row.mean_score) == (
        year, "TMF", 1, 1, 0, 4)


# Calendars.

def test_department_feed_has_the_visit_and_no_personal_data(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User]) -> None:
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"], [departments["KFF"]])
    workflow.accept(inquiry, staff["tmf"])
    workflow.plan(inquiry, staff["tmf"], _start(TOMORROW, 10), _start(TOMORROW, 12), "Rådhuset", "Borgmesteren")
    for code in ("TMF", "KFF"):
        token = workflow.settings_of(departments[code]).feed_token
        response = Client().get(f"/inquiries/feed/{token}.ics")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        feed = icalendar.Calendar.from_ical(response.content)
        events = list(feed.walk("VEVENT"))
        assert len(events) == 1 and f"/inquiries/{inquiry.pk}/" in str(events[0]["url"])
        body = response.content.decode()
        assert "anna@rotterdam.nl" not in body and "Anna de Vries" not in body
    none = workflow.settings_of(departments["SUF"]).feed_token
    assert "VEVENT" not in Client().get(f"/inquiries/feed/{none}.ics").content.decode()
    assert Client().get("/inquiries/feed/guess.ics").status_code == 404


# Statistics and seeds.

def test_statistics_show_the_stated_history(copenhagen: Municipality, departments: dict[str, Department],
                                            staff: dict[str, User], login: Any) -> None:
    StatedFigure.objects.create(municipality=copenhagen, department=departments["TMF"],
                                key="delegation_requests-tmf", label="Delegationshenvendelser til TMF",
                                value=412, period="2019", source="Kortlægning 2021 §8.3")
    declined = _received(copenhagen)
    workflow.decline(declined, staff["coordinator"], "Outside our remit.")
    page = login(staff["coordinator"]).get("/inquiries/statistics/")
    html = page.content.decode()
    assert "Delegationshenvendelser til TMF" in html and "412" in html
    assert "2019 TMF (oplyst) 412" in page.context["chart"].description
    assert [(r.department, r.received, r.declined) for r in page.context["table"]] == [("", 1, 1)]


def test_queue_queries_do_not_grow_with_inquiries(copenhagen: Municipality, departments: dict[str, Department],
                                                  staff: dict[str, User], login: Any) -> None:
    client = login(staff["coordinator"])

    def grow(n: int) -> None:
        for i in range(n):
            inquiry = _received(copenhagen, organisation=f"City {i}", contact_email=f"c{i}@x.org")
            workflow.route(inquiry, staff["coordinator"], departments["TMF"], [departments["KFF"]])
            if i % 2:
                workflow.decline(inquiry, staff["coordinator"], "No.")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    grow(2)
    pages = ["/inquiries/", "/inquiries/statistics/", f"/inquiries/{Inquiry.objects.first().pk}/"]  # type: ignore[union-attr]
    small = [count(url) for url in pages]
    grow(8)
    assert [count(url) for url in pages] == small
    assert small[0] <= 12


def test_delegation_visits_indicator_counts_held_visits_per_year(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User]) -> None:
    from udsyn.steering import status
    from udsyn.steering.models import Indicator

    indicator = Indicator.objects.create(municipality=copenhagen, name="Delegationsbesøg", measure="Antal",
                                         computed=Indicator.Computed.DELEGATION_VISITS)
    for held in (True, False):
        inquiry = _received(copenhagen, contact_email=f"{held}@x.org")
        workflow.route(inquiry, staff["coordinator"], departments["TMF"])
        workflow.accept(inquiry, staff["tmf"])
        workflow.plan(inquiry, staff["tmf"], _start(TOMORROW, 10), _start(TOMORROW, 11), "Rådhuset")
        if held:
            workflow.hold(inquiry, staff["tmf"])
    values = status.values_of(indicator, timezone.localdate())
    assert values.series == [(datetime.date(TOMORROW.year, 12, 31), 1)]  # the planned one is not yet held


def test_a_visit_that_led_to_a_partnership_keeps_the_trail(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User], reader: User,
        login: Any, make_engagement: Any) -> None:
    partnership = make_engagement("Samarbejde med Rotterdam om skybrud", "TMF", kind="partnership")
    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    client = login(staff["tmf"])
    response = client.post(f"/inquiries/{inquiry.pk}/link/", {"link-engagement": partnership.pk,
                                                               "link-relation": "led_to"})
    assert response.status_code == 302
    assert f'Førte til: <a href="{partnership.get_absolute_url()}">Samarbejde med Rotterdam om skybrud</a>' in \
        client.get(f"/inquiries/{inquiry.pk}/").content.decode()
    assert "førte til dette engagement" in client.get(partnership.get_absolute_url()).content.decode()
    # A reader of the registry sees the engagement, but not the inquiry behind it.
    assert "City of Rotterdam" not in login(reader).get(partnership.get_absolute_url()).content.decode()


def test_queue_shows_those_under_way_fifty_at_a_time(copenhagen: Municipality, departments: dict[str, Department],
                                                    staff: dict[str, User], login: Any) -> None:
    client = login(staff["coordinator"])
    for i in range(55):
        inquiry = _received(copenhagen, organisation=f"City {i:02d}", contact_email=f"c{i}@x.org")
        workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    first = client.get("/inquiries/")
    assert len(first.context["open"].object_list) == 50 and first.context["open"].paginator.count == 55
    html = first.content.decode()
    assert 'href="?open=2"' in html and "City 00" in html
    second = client.get("/inquiries/?open=2")
    assert {i.organisation for i in second.context["open"].object_list} <= {f"City {i:02d}" for i in range(55)}
    assert len(second.context["open"].object_list) == 5


def test_a_contributing_department_reads_the_follow_ups_but_does_not_tick_them(
        copenhagen: Municipality, departments: dict[str, Department], staff: dict[str, User], login: Any) -> None:
    """Ticking a follow-up off is a change: the lead department's and the secretariat's (the policy), not
    every department that may read the inquiry."""
    from udsyn.inquiries.models import FollowUp

    inquiry = _received(copenhagen)
    workflow.route(inquiry, staff["coordinator"], departments["TMF"])
    inquiry.contributing_departments.add(departments["SUF"])
    follow_up = FollowUp.objects.create(inquiry=inquiry, text="Send the programme to the guests")
    contributor = login(staff["suf"])
    assert contributor.get(f"/inquiries/{inquiry.pk}/").status_code == 200  # they read it
    assert contributor.post(f"/inquiries/follow-ups/{follow_up.pk}/done/").status_code == 403
    follow_up.refresh_from_db()
    assert not follow_up.done
    assert login(staff["tmf"]).post(f"/inquiries/follow-ups/{follow_up.pk}/done/").status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done
