"""The public inquiry form cannot be abused: an hourly limit that holds when many send at once, counted per
real client behind trusted proxies, bounded fields that a refused post does not echo, a limit on replies, and
mails to requesters that carry nothing a sender typed (one receipt an hour to an address). Real threads with
their own database connections, a real SMTP server."""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import icalendar
import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from tests.mail import Inbox
from tests.threads import at_once
from udsyn.core.requests import client_address
from udsyn.inquiries import workflow
from udsyn.inquiries.forms import PublicInquiryForm
from udsyn.inquiries.models import MESSAGE_LENGTH, Inquiry, InquiryEvent, SenderLock
from udsyn.inquiries.personal import prune_sender_locks
from udsyn.organisation.models import Department, Municipality

pytestmark = pytest.mark.django_db(transaction=True)  # threads, and e-mails that go out on commit
LATER = timezone.localdate() + datetime.timedelta(days=60)
# What a sender chose to type, which must never come back to the address they typed.
CHOSEN = {"contact_name": "Win a prize at http://evil.example", "organisation": "Free money ltd",
          "topics": "cheap pills", "message": "Visit http://phish.example now"}


@pytest.fixture(autouse=True)
def _danish() -> Iterator[None]:
    with translation.override("da"):
        yield


def _form(municipality: Municipality, **changes: Any) -> dict[str, Any]:
    data = {"municipality": municipality.pk, "kind": "visit", "organisation": "City of Rotterdam",
            "organisation_kind": "public_authority", "country": "NL", "contact_name": "Anna de Vries",
            "contact_email": "anna@rotterdam.nl", "group_size": "12", "preferred_from": LATER.isoformat(),
            "preferred_to": LATER.isoformat(), "topics": "climate", "language": "en",
            "message": "We would like to visit.", "website": ""}
    data.update(changes)
    return data


# The hourly limit, atomic.

def test_twenty_sends_at_once_from_one_address_save_at_most_the_limit(
        copenhagen: Municipality, departments: Any, settings: Any) -> None:
    limit = settings.UDSYN_INQUIRIES_PER_HOUR

    def send(i: int) -> Callable[[], HttpResponse]:
        return lambda: Client(REMOTE_ADDR="203.0.113.7").post(
            "/en/inquiries/new/", _form(copenhagen, contact_email=f"sender{i}@example.org"))

    responses = at_once([send(i) for i in range(20)])
    codes = sorted(r.status_code for r in responses)
    assert Inquiry.objects.count() == limit, codes
    assert codes == [302] * limit + [429] * (20 - limit)


def test_twenty_sends_at_once_of_one_email_save_at_most_the_limit(
        copenhagen: Municipality, departments: Any, settings: Any) -> None:
    def send(i: int) -> Callable[[], HttpResponse]:
        return lambda: Client(REMOTE_ADDR=f"198.51.100.{i + 1}").post("/en/inquiries/new/", _form(copenhagen))

    at_once([send(i) for i in range(20)])
    assert Inquiry.objects.count() == settings.UDSYN_INQUIRIES_PER_HOUR


# The real client behind trusted proxies.

def _address(settings: Any, proxies: str, remote: str, forwarded: str | None = None) -> str:
    settings.UDSYN_TRUSTED_PROXIES = [p for p in proxies.split(",") if p]
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_client_address_believes_forwarded_for_only_from_trusted_proxies(settings: Any) -> None:
    # Trusting nobody (the default): the peer, whatever the header says.
    assert _address(settings, "", "203.0.113.7", "1.2.3.4") == "203.0.113.7"
    # A peer that is not a trusted proxy cannot name another client.
    assert _address(settings, "127.0.0.1", "203.0.113.7", "1.2.3.4") == "203.0.113.7"
    # Behind nginx on loopback: the address nginx appended, not what the client wrote before it.
    assert _address(settings, "127.0.0.1", "127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert _address(settings, "127.0.0.1", "127.0.0.1", "203.0.113.7") == "203.0.113.7"
    # A chain of trusted proxies, as networks: the rightmost address that is none of them.
    assert _address(settings, "127.0.0.1,10.0.0.0/8", "127.0.0.1",
                    "6.6.6.6, 203.0.113.7, 10.1.2.3") == "203.0.113.7"
    assert _address(settings, "::1,2001:db8::/32", "::1", "2001:db8::5, 2001:db8:1::9") == "2001:db8::5"
    # No header, or nonsense where the proxy's entry should be: the proxy itself, never the nonsense.
    assert _address(settings, "127.0.0.1", "127.0.0.1") == "127.0.0.1"
    assert _address(settings, "127.0.0.1", "127.0.0.1", "203.0.113.7, not-an-address") == "127.0.0.1"


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(
        copenhagen: Municipality, departments: Any, settings: Any) -> None:
    """All requests come from the proxy; one sender using up the limit does not close the form for others,
    and cannot escape the limit by writing its own X-Forwarded-For."""
    settings.UDSYN_TRUSTED_PROXIES = ["127.0.0.1"]
    limit = settings.UDSYN_INQUIRIES_PER_HOUR
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for i in range(limit):
        assert proxy.post("/en/inquiries/new/", _form(copenhagen, contact_email=f"a{i}@example.org"),
                          HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302
    spoofed = proxy.post("/en/inquiries/new/", _form(copenhagen, contact_email="b@example.org"),
                         HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")
    assert spoofed.status_code == 429
    other = proxy.post("/en/inquiries/new/", _form(copenhagen, contact_email="c@example.org"),
                       HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other.status_code == 302
    assert Inquiry.objects.filter(client_key=workflow.client_key("198.51.100.20")).count() == 1


# Bounded fields, not echoed.

def test_a_message_has_a_maximum_length_and_a_refused_one_is_not_echoed(
        copenhagen: Municipality, departments: Any) -> None:
    huge = "x" * 1_000_000
    response = Client().post("/en/inquiries/new/", _form(copenhagen, message=huge, organisation="o" * 100_000,
                                                         kind="k" * 100_000, website=""))
    page = response.content.decode()
    assert response.status_code == 400 and not Inquiry.objects.exists()
    assert len(page) < 100_000  # not the megabyte sent
    form = response.context["form"]
    assert form.errors["message"] == [f"Ensure this value has at most {MESSAGE_LENGTH} characters (it has 1000000)."]
    assert len(form["message"].value()) == MESSAGE_LENGTH and "x" * (MESSAGE_LENGTH + 1) not in page
    assert f'maxlength="{MESSAGE_LENGTH}"' in page
    assert "k" * 101 not in page and "o" * 201 not in page  # the other fields are cut to their lengths too
    # At the limit it is taken.
    assert Client().post("/en/inquiries/new/", _form(copenhagen, message="y" * MESSAGE_LENGTH)).status_code == 302


def test_every_field_of_the_public_form_has_a_maximum_length(copenhagen: Municipality) -> None:
    form = PublicInquiryForm()
    for name, field in form.fields.items():
        if hasattr(field, "max_length"):
            assert field.max_length, name


# Replies on the status page.

def test_replies_are_limited_per_inquiry_and_hour(copenhagen: Municipality, departments: Any,
                                                  settings: Any) -> None:
    settings.UDSYN_INQUIRY_REPLIES_PER_HOUR = 3
    inquiry = workflow.receive(Inquiry(municipality=copenhagen, country="NL", contact_name="Anna",
                                       contact_email="anna@rotterdam.nl", message="Hello", locale="en"))
    client = Client()
    url = f"/en/inquiries/status/{inquiry.token}/"
    for i in range(3):
        assert client.post(url, {"reply-text": f"Message {i}"}).status_code == 302
    refused = client.post(url, {"reply-text": "One more"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You have sent 3 messages about this inquiry within the last hour" in page and "One more" in page
    assert inquiry.events.filter(kind=InquiryEvent.Kind.MESSAGE_IN).count() == 3
    # An hour later they may write again.
    inquiry.events.update(at=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    assert client.post(url, {"reply-text": "Next day"}).status_code == 302
    too_long = client.post(url, {"reply-text": "z" * 200_000})
    assert too_long.status_code == 400 and len(too_long.content) < 100_000


# Mails to the address the sender typed.

@pytest.fixture
def coordinator_mail(coordinator: User) -> User:
    coordinator.email = "sekretariat@kk.dk"
    coordinator.save()
    return coordinator


def _chosen_text_in(message: Any) -> list[str]:
    text = Inbox.subject(message) + Inbox.body(message) + "".join(
        v.decode(errors="replace") for v in Inbox.attachments(message).values())
    return [value for value in CHOSEN.values() if value in text]


def test_the_receipt_has_fixed_text_and_goes_once_an_hour_to_an_address(
        copenhagen: Municipality, departments: Any, coordinator_mail: User, smtp: Inbox) -> None:
    client = Client()
    first = client.post("/en/inquiries/new/", _form(copenhagen, **CHOSEN))
    assert first.status_code == 302
    inquiry = Inquiry.objects.get()
    (receipt,) = smtp.to("anna@rotterdam.nl")
    assert _chosen_text_in(receipt) == []
    assert f"/en/inquiries/status/{inquiry.token}/" in Inbox.body(receipt)
    assert Inbox.body(receipt).startswith("Hello,")
    # The secretariat reads what was sent, as before.
    assert CHOSEN["message"] in Inbox.body(smtp.to("sekretariat@kk.dk")[0])
    # A second inquiry to the same address (in another case) within the hour is saved, without a mail.
    second = client.post("/en/inquiries/new/", _form(copenhagen, contact_email="Anna@Rotterdam.NL"))
    assert second.status_code == 302 and Inquiry.objects.count() == 2
    assert len(smtp.to("anna@rotterdam.nl")) + len(smtp.to("Anna@Rotterdam.NL")) == 1
    later = Inquiry.objects.order_by("-pk")[0]
    assert not later.receipt_sent
    page = client.get(second["Location"]).content.decode()
    assert "not confirmed by e-mail" in page and later.get_status_url() in page
    assert len(smtp.to("sekretariat@kk.dk")) == 2  # the secretariat hears of both
    # After the hour, a receipt again.
    Inquiry.objects.update(received_at=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    assert client.post("/en/inquiries/new/", _form(copenhagen)).status_code == 302
    assert len(smtp.to("anna@rotterdam.nl")) == 2


def test_no_mail_to_a_requester_carries_what_the_sender_typed(
        copenhagen: Municipality, departments: dict[str, Department], coordinator_mail: User, tmf_editor: User,
        smtp: Inbox) -> None:
    inquiry = workflow.receive(Inquiry(municipality=copenhagen, country="NL", contact_email="anna@rotterdam.nl",
                                       kind=Inquiry.Kind.VISIT, group_size=5, locale="en", **CHOSEN))
    workflow.route(inquiry, coordinator_mail, departments["TMF"])
    workflow.write(inquiry, tmf_editor, "Which dates suit you?")
    workflow.accept(inquiry, tmf_editor, "Welcome")
    start = timezone.make_aware(datetime.datetime.combine(LATER, datetime.time(10)))
    workflow.plan(inquiry, tmf_editor, start, start + datetime.timedelta(hours=2), "City Hall", "The mayor",
                  [workflow.Step(datetime.time(10), "Welcome")])
    workflow.hold(inquiry, tmf_editor)
    workflow.close(inquiry, tmf_editor, "Thank you")
    mails = smtp.to("anna@rotterdam.nl")
    assert len(mails) == 7  # received, passed on, message, accepted, planned, held, closed
    for message in mails:
        assert _chosen_text_in(message) == [], Inbox.subject(message)
    planned = next(m for m in mails if Inbox.attachments(m))
    ics = icalendar.Calendar.from_ical(next(iter(Inbox.attachments(planned).values())))
    assert str(next(iter(ics.walk("VEVENT")))["summary"]) == "Visit to Copenhagen Municipality"


# The honeypot stays.

def test_the_honeypot_still_catches_robots_without_using_anyones_budget(
        copenhagen: Municipality, departments: Any, smtp: Inbox, settings: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.UDSYN_INQUIRIES_PER_HOUR + 2):
        robot = client.post("/en/inquiries/new/", _form(copenhagen, website="http://spam.example"))
        assert robot.status_code == 200 and "Thank you for writing" in robot.content.decode()
    assert not Inquiry.objects.exists() and not smtp.messages and not SenderLock.objects.exists()
    assert client.post("/en/inquiries/new/", _form(copenhagen)).status_code == 302


def test_senders_not_heard_from_for_a_day_are_forgotten(copenhagen: Municipality, departments: Any) -> None:
    assert Client(REMOTE_ADDR="203.0.113.7").post("/en/inquiries/new/", _form(copenhagen)).status_code == 302
    assert SenderLock.objects.count() == 2  # the e-mail address and the client address, as keyed hashes
    assert "anna" not in "".join(SenderLock.objects.values_list("key", flat=True))
    assert prune_sender_locks() == 0
    assert prune_sender_locks(timezone.now() + datetime.timedelta(days=1, minutes=1)) == 2
