"""Personal data: a coordinator exports everything held on a person and erases it (the person becomes "deleted
person" in the records and their history), and requester details of finished inquiries are anonymised after
the configured period."""

import datetime
import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import _user
from udsyn.core.models import SearchEntry
from udsyn.engagements.models import Engagement, Representative
from udsyn.inquiries.models import Inquiry, InquiryEvent
from udsyn.inquiries.personal import anonymise_closed_inquiries
from udsyn.organisation.models import Municipality, Person, Role
from udsyn.organisation.personal import do_erase_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mette(copenhagen: Municipality, eurocities: Engagement) -> Person:
    person = Person.objects.create(municipality=copenhagen, name="Mette Frederiksen Hansen", title="Kontorchef",
                                   email="Mette.Hansen@kk.dk", phone="+45 33 66 33 66")
    person.title = "Vicedirektør"
    person.save()  # a second history row with her name
    Representative.objects.create(engagement=eurocities, person=person, role="Bestyrelsesmedlem")
    account = User.objects.create_user("mette", "mette.hansen@kk.dk", "secret-pass-123", first_name="Mette")
    Role.objects.create(user=account, kind=Role.Kind.READER, municipality=copenhagen)
    Inquiry.objects.create(municipality=copenhagen, country="DE", contact_name="Mette Frederiksen Hansen",
                           contact_email="mette.hansen@kk.dk", message="Jeg skriver privat om et besøg.")
    return person


def test_the_coordinator_sees_and_downloads_everything_held_on_a_person(
        mette: Person, coordinator: User, login: Callable[[User], Client]) -> None:
    client = login(coordinator)
    url = reverse("organisation:person_personal_data", args=[mette.pk])
    assert url in client.get(mette.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    assert "mette.hansen@kk.dk" in page and "Jeg skriver privat" in page and "Bestyrelsesmedlem" in page
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    data = json.loads(download.content)
    held = {part["what"]: part["records"] for part in data["held"]}
    assert len(held) == 4  # the person record, the account, the engagements, the inquiry
    text = download.content.decode()
    for expected in ("Kontorchef", "Vicedirektør", "+45 33 66 33 66", "mette", "Jeg skriver privat",
                     "Bestyrelsesmedlem", "EUROCITIES"):
        assert expected in text, expected
    assert "secret-pass" not in text and "md5$" not in text  # never the password hash


def test_only_the_persons_coordinators_may_see_or_erase_it(
        mette: Person, reader: User, tmf_editor: User, odense: Municipality,
        login: Callable[[User], Client]) -> None:
    other = _user("odense-koordinator", Role.Kind.COORDINATOR, odense)
    url = reverse("organisation:person_personal_data", args=[mette.pk])
    for user in (reader, tmf_editor, other):
        client = login(user)
        assert url not in client.get(mette.get_absolute_url()).content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, {"confirm": "yes"}).status_code == 403
        with pytest.raises(PermissionDenied):
            do_erase_person(mette, user)
    mette.refresh_from_db()
    assert mette.email == "Mette.Hansen@kk.dk"


def test_erasing_replaces_the_person_by_deleted_person_in_records_and_history(
        mette: Person, coordinator: User, login: Callable[[User], Client], eurocities: Engagement) -> None:
    # Other records' history quotes the name (as when the person was deleted and restored), and so does the
    # admin's log.
    eurocities._change_reason = "Person “Mette Frederiksen Hansen” deleted"  # type: ignore[attr-defined]
    eurocities.save()
    LogEntry.objects.create(user=coordinator, content_type=ContentType.objects.get_for_model(Person),
                            object_id=str(mette.pk), object_repr="Mette Frederiksen Hansen", action_flag=CHANGE)
    client = login(coordinator)
    url = reverse("organisation:person_personal_data", args=[mette.pk])
    assert client.post(url, {}).status_code == 302  # not confirmed: nothing happens
    assert Person.objects.get(pk=mette.pk).name == "Mette Frederiksen Hansen"

    assert client.post(url, {"confirm": "yes"}).status_code == 302
    mette.refresh_from_db()
    assert mette.name == f"Slettet person {mette.pk}"
    assert (mette.email, mette.phone, mette.title) == ("", "", "")
    history = list(mette.history.values("name", "email", "phone", "title"))
    assert len(history) == 3
    assert {row["name"] for row in history} == {mette.name}
    assert {(row["email"], row["phone"], row["title"]) for row in history} == {("", "", "")}
    assert not SearchEntry.objects.filter(title__contains="Mette").exists()
    assert eurocities.history.filter(history_change_reason=f"Person “{mette.name}” deleted").exists()
    assert LogEntry.objects.get().object_repr == mette.name
    assert mette.representations.get().role == "Bestyrelsesmedlem"  # the representation stays, by a deleted person

    inquiry = Inquiry.objects.get()
    assert (inquiry.contact_name, inquiry.contact_email, inquiry.message) == ("Slettet person", "", "")
    assert not inquiry.history.filter(contact_email__icontains="mette").exists()
    account = User.objects.get(username__startswith="deleted-")
    assert account.email == "" and not account.is_active and not account.has_usable_password()
    assert not Client().login(username="mette", password="secret-pass-123")
    newest = mette.history.first()
    assert newest is not None
    assert newest.history_change_reason in ("Personal data erased", "Personoplysninger slettet")
    assert newest.history_user == coordinator


def _finished_inquiry(municipality: Municipality, email: str, months_ago: int,
                      state: str = Inquiry.State.CLOSED) -> Inquiry:
    when = timezone.now() - datetime.timedelta(days=round(months_ago * 30.5))
    inquiry = Inquiry.objects.create(municipality=municipality, country="SE", contact_name="Sven Svensson",
                                     contact_email=email, message="Hej, vi vill besöka er.", received_at=when,
                                     feedback_comment="Tack!")
    InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.MESSAGE_IN, text="Sven här igen", at=when)
    InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.STATE, state=state, at=when)
    inquiry.state = state
    inquiry.save()
    return inquiry


def test_finished_inquiries_are_anonymised_after_the_period(
        copenhagen: Municipality, settings: Any, client: Client) -> None:
    settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS = 24
    old = _finished_inquiry(copenhagen, "old@example.se", 25)
    declined = _finished_inquiry(copenhagen, "declined@example.se", 30, Inquiry.State.DECLINED)
    recent = _finished_inquiry(copenhagen, "recent@example.se", 23)
    open_old = _finished_inquiry(copenhagen, "open@example.se", 40, Inquiry.State.ROUTED)
    old_link = reverse("inquiries:status", args=[old.token])
    assert client.get(old_link).status_code == 200

    assert anonymise_closed_inquiries() == 2
    assert anonymise_closed_inquiries() == 0  # done once
    for inquiry in (old, declined):
        inquiry.refresh_from_db()
        assert (inquiry.contact_name, inquiry.contact_email, inquiry.message, inquiry.feedback_comment) == (
            "Slettet person", "", "", "")
        assert inquiry.country == "SE" and inquiry.state in Inquiry.FINISHED  # what it was about stays
        assert not inquiry.history.filter(contact_name="Sven Svensson").exists()
        assert not inquiry.events.filter(text__contains="Sven").exists()
    for inquiry in (recent, open_old):
        inquiry.refresh_from_db()
        assert inquiry.contact_name == "Sven Svensson"
    assert client.get(old_link).status_code == 404  # the private link no longer shows it
    # Twenty months after, with a period of twelve: the recent one is due too.
    settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS = 12
    assert anonymise_closed_inquiries(now=timezone.now()) == 1
    settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS = 0
    assert anonymise_closed_inquiries(now=timezone.now() + datetime.timedelta(days=3650)) == 0


def test_the_commands_export_erase_and_anonymise(mette: Person, copenhagen: Municipality, tmp_path: Any,
                                                 settings: Any) -> None:
    out = tmp_path / "mette.json"
    call_command("privacy", "export", "--person", str(mette.pk), "--output", str(out), stdout=StringIO())
    assert "Vicedirektør" in out.read_text(encoding="utf-8")
    listing = StringIO()
    call_command("privacy", "erase", "--email", "mette.hansen@kk.dk", stdout=listing)
    assert "Nothing erased" in listing.getvalue()
    assert Inquiry.objects.get().contact_email == "mette.hansen@kk.dk"
    call_command("privacy", "erase", "--email", "METTE.hansen@kk.dk", "--yes", stdout=StringIO())
    assert Inquiry.objects.get().contact_email == ""
    assert not User.objects.filter(email__iexact="mette.hansen@kk.dk").exists()
    mette.refresh_from_db()
    assert mette.email == ""  # the person record with that address too

    _finished_inquiry(copenhagen, "old@example.se", 30)
    report = StringIO()
    call_command("anonymise", stdout=report)
    assert "Anonymised 1 " in report.getvalue()
