"""No lost updates, no mail for rolled-back work: edits and API writes based on the same version, and
handlers deciding one inquiry, at once, in real threads with their own database connections."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from tests.mail import Inbox
from tests.threads import at_once
from udsyn.engagements.models import City, Engagement, Theme
from udsyn.inquiries import workflow
from udsyn.inquiries.models import DeclineReason, Inquiry
from udsyn.organisation.models import Department, Municipality, Role
from udsyn.organisation.tokens import do_make_token

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTER = "anna@rotterdam.nl"


class _Form(HTMLParser):
    """What a browser would send of a page's edit form (``data``): inputs, checked boxes, texts, selections."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.data = QueryDict(mutable=True)
        self._text: str | None = None
        self._select: str | None = None
        self._inside = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "udsyn-form" in a.get("class", ""):
            self._inside = True
        if not self._inside or "name" not in a and tag in ("input", "textarea", "select"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.appendlist(a["name"], a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "textarea":
            self._text = a["name"]
            self.data.appendlist(self._text, "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.appendlist(self._select, a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._text:
            self.data.setlist(self._text, [self.data.getlist(self._text)[-1] + data])

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            if self._text:  # a browser drops the newline that follows <textarea>
                self.data.setlist(self._text, [self.data.getlist(self._text)[-1].removeprefix("\n")])
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def test_ten_simultaneous_edits_are_each_saved_or_shown_as_a_conflict(
        login: Callable[[User], Client], coordinator: User, eurocities: Engagement) -> None:
    climate = Theme.objects.get(name="Klima")
    sport = Theme.objects.create(name="Sport", name_en="Sport")
    malmo = City.objects.create(name="Malmö", country="SE")
    # Ten people open the same version of the form and each changes another field (two of them a relation).
    changes: dict[str, tuple[Any, Any]] = {
        "title": ("EUROCITIES network", "EUROCITIES network"),
        "description": ("Storbyernes netværk i Europa", "Storbyernes netværk i Europa"),
        "notes": ("Bestyrelsesmøde i maj", "Bestyrelsesmøde i maj"),
        "source_reference": ("Aftale 2019/17", "Aftale 2019/17"),
        "annual_fee": ("265000", Decimal("265000")),
        "co_financing": ("40000", Decimal("40000")),
        "start_date": ("2011-03-01", datetime.date(2011, 3, 1)),
        "end_date": ("2031-12-31", datetime.date(2031, 12, 31)),
        "themes": ([climate.pk, sport.pk], {climate.pk, sport.pk}),
        "partner_cities": ([malmo.pk], {malmo.pk}),
    }
    url = f"/en/engagements/{eurocities.pk}/edit/"
    clients = [login(coordinator) for _ in changes]
    opened = _Form(clients[0].get(url).content.decode()).data

    def save(client: Client, name: str, typed: Any) -> Any:
        data = opened.copy()
        data.setlist(name, typed if isinstance(typed, list) else [typed])
        return lambda: client.post(url, dict(data.lists()))

    responses = at_once([save(c, name, typed) for c, (name, (typed, _value)) in zip(clients, changes.items(),
                                                                                     strict=True)])
    assert {r.status_code for r in responses} <= {302, 409}
    assert 302 in [r.status_code for r in responses]

    def stored(name: str) -> Any:
        engagement = Engagement.objects.get(pk=eurocities.pk)
        if name in ("themes", "partner_cities"):
            return {o.pk for o in getattr(engagement, name).all()}
        return getattr(engagement, name)

    pending = []
    for (name, (typed, value)), response in zip(changes.items(), responses, strict=True):
        if response.status_code == 302:
            assert stored(name) == value, f"{name} was shown as saved but is lost"
            continue
        # Not saved, and nothing lost: the conflict is shown and the form keeps what was typed.
        page = response.content.decode()
        assert "after you opened it" in page and "Nothing of yours is saved yet" in page
        form = _Form(page).data
        assert form.getlist(name) == ([str(v) for v in typed] if isinstance(typed, list) else [typed]), name
        pending.append((name, value, form))
    assert Engagement.objects.get(pk=eurocities.pk).version == 1 + len(changes) - len(pending)

    # Each may save again deliberately from the conflict page; as others save first, a form may be stale again.
    client = clients[0]
    while pending:
        name, value, data = pending.pop(0)
        response = client.post(url, dict(data.lists()))
        if response.status_code == 409:
            pending.append((name, value, _Form(response.content.decode()).data))
            continue
        assert response.status_code == 302
    for name, (_typed, value) in changes.items():  # every change is in the record: none was lost
        assert stored(name) == value, name


def test_the_conflict_shows_both_values_and_takes_changes_the_user_did_not_make(
        login: Callable[[User], Client], coordinator: User, okf_editor: User, eurocities: Engagement) -> None:
    url = f"/en/engagements/{eurocities.pk}/edit/"
    opened = _Form(login(coordinator).get(url).content.decode()).data.dict()
    assert login(okf_editor).post(url, {**opened, "annual_fee": "300000", "notes": "Fra TMF"}).status_code == 302
    response = login(coordinator).post(url, {**opened, "annual_fee": "275000", "title": "Eurocities"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "okf saved this record on" in page
    rows = {row.label: row for row in response.context["conflict"]}
    assert rows["Annual fee (DKK)"].kept_yours and "300000" in rows["Annual fee (DKK)"].stored.replace(".", "")
    assert not rows["Internal notes"].kept_yours and rows["Internal notes"].stored == "Fra TMF"
    data = response.context["form"].data
    assert (data["annual_fee"], data["title"], data["notes"]) == ("275000", "Eurocities", "Fra TMF")
    assert data["version"] == str(Engagement.objects.get(pk=eurocities.pk).version)
    engagement = Engagement.objects.get(pk=eurocities.pk)
    assert (engagement.title, engagement.annual_fee) == ("EUROCITIES", Decimal("300000"))


def _api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {do_make_token(user, user)[1]}")
    return client


def test_simultaneous_api_changes_of_one_version_one_wins_the_rest_412(coordinator: User,
                                                                       eurocities: Engagement) -> None:
    url = f"/api/engagements/{eurocities.pk}/"
    client = _api(coordinator)
    etag = client.get(url).headers.get("ETag")
    values = [f"Note {i}" for i in range(10)]

    def patch(value: str) -> Callable[[], Any]:
        return lambda: client.patch(url, {"notes": value}, format="json", HTTP_IF_MATCH=etag or "")

    responses = at_once([patch(v) for v in values])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [412] * 9, codes
    assert etag == '"1"'
    winner = next(v for v, r in zip(values, responses, strict=True) if r.status_code == 200)
    engagement = Engagement.objects.get(pk=eurocities.pk)
    assert engagement.notes == winner and engagement.version == eurocities.version + 1
    stale = next(r for r in responses if r.status_code == 412).json()
    assert stale["version"] == engagement.version and "If-Match" in stale["detail"]
    assert next(r for r in responses if r.status_code == 200)["ETag"] == f'"{engagement.version}"'


def test_api_changes_must_say_their_version(coordinator: User, eurocities: Engagement,
                                            departments: dict[str, Department]) -> None:
    client, url = _api(coordinator), f"/api/engagements/{eurocities.pk}/"
    for response in (client.patch(url, {"notes": "Uden version"}, format="json"), client.delete(url),
                     client.patch(url, {"notes": "Alt"}, format="json", HTTP_IF_MATCH="*")):
        assert response.status_code == 428 and "If-Match" in response.json()["detail"]
    assert client.patch(url, {"notes": "Gammel"}, format="json", HTTP_IF_MATCH='"99"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH='"99"').status_code == 412
    # The version in the body does as well as the header: a record read, changed and sent back is checked.
    record = client.get(url).json()
    assert client.put(url, {**record, "notes": "Hele posten"}, format="json").status_code == 200
    assert client.put(url, {**record, "notes": "Igen"}, format="json").status_code == 412
    engagement = Engagement.objects.get(pk=eurocities.pk)
    assert engagement.notes == "Hele posten" and Engagement.objects.filter(pk=eurocities.pk).exists()
    # A department, read through the API, deleted with its ETag.
    unused = Department.objects.create(municipality=eurocities.municipality, code="BUF", name="Børne- og Ungdom")
    department_url = f"/api/departments/{unused.pk}/"
    etag = client.get(department_url)["ETag"]
    assert client.delete(department_url, HTTP_IF_MATCH=etag).status_code == 204


def test_imports_and_other_saves_bump_the_version_without_a_check(eurocities: Engagement) -> None:
    stale_copy = Engagement.objects.get(pk=eurocities.pk)
    eurocities.notes = "Først"
    eurocities.save()
    stale_copy.description = "Senere, fra en ældre kopi"
    stale_copy.save()  # an import or a workflow step: no version was promised, so it goes through
    engagement = Engagement.objects.get(pk=eurocities.pk)
    assert engagement.version == stale_copy.version == 3


# Inquiries.

@pytest.fixture
def routed(copenhagen: Municipality, departments: dict[str, Department], coordinator: User, tmf_editor: User,
           smtp: Inbox) -> Callable[[], Inquiry]:
    def make() -> Inquiry:
        inquiry = workflow.receive(Inquiry(
            municipality=copenhagen, kind=Inquiry.Kind.VISIT, organisation="City of Rotterdam",
            organisation_kind="public_authority", country="NL", contact_name="Anna de Vries",
            contact_email=REQUESTER, group_size=12, preferred_from=timezone.localdate() + datetime.timedelta(days=9),
            message="We would like to visit.", locale="en"))
        workflow.route(inquiry, coordinator, departments["TMF"])
        smtp.messages.clear()
        return inquiry

    return make


@pytest.fixture
def handlers(copenhagen: Municipality, departments: dict[str, Department], coordinator: User,
             tmf_editor: User) -> list[User]:
    other = User.objects.create_user(username="tmf2", first_name="Mette", last_name="Holm")
    Role.objects.create(user=other, kind=Role.Kind.EDITOR, municipality=copenhagen, department=departments["TMF"])
    return [tmf_editor, other]


def test_two_handlers_accepting_at_once_one_succeeds_and_one_mail_goes_out(
        login: Callable[[User], Client], handlers: list[User], routed: Callable[[], Inquiry], smtp: Inbox) -> None:
    inquiry = routed()
    clients = [login(user) for user in handlers]
    url = f"/en/inquiries/{inquiry.pk}/accept/"
    responses = at_once([partial(c.post, url, {"accept-message": "Welcome!"}) for c in clients])
    assert sorted(r.status_code for r in responses) == [302, 400]
    winner = handlers[[r.status_code for r in responses].index(302)]
    refused = next(r for r in responses if r.status_code == 400).content.decode()
    assert f"already accepted by {winner.get_full_name() or winner.username}" in refused
    assert len(smtp.to(REQUESTER)) == 1
    assert Inbox.subject(smtp.to(REQUESTER)[0]) == f"Your inquiry {inquiry.reference} is accepted"
    inquiry.refresh_from_db()
    assert inquiry.state == Inquiry.State.ACCEPTED
    assert inquiry.events.filter(kind="state", state="accepted").count() == 1


def _attempt(transition: Callable[..., None], *args: Any) -> Callable[[], str]:
    """A handler's transition: "done", or the message that refused it."""

    def run() -> str:
        try:
            with translation.override("en"):
                transition(*args)
        except workflow.TransitionError as error:
            return str(error)
        return "done"

    return run


def test_accept_and_decline_at_once_one_wins_and_the_reason_stays(
        handlers: list[User], routed: Callable[[], Inquiry], smtp: Inbox, departments: dict[str, Department]) -> None:
    DeclineReason.objects.create(department=departments["TMF"], text="Ingen kapacitet", text_en="No capacity.")
    for _round in range(3):
        smtp.messages.clear()
        inquiry = routed()
        smtp.messages.clear()
        copies = [Inquiry.objects.get(pk=inquiry.pk) for _ in handlers]  # each handler's page as opened

        accepted, declined = at_once([
            _attempt(workflow.accept, copies[0], handlers[0], "Welcome!"),
            _attempt(workflow.decline, copies[1], handlers[1], "No capacity."),
        ])
        assert sorted([accepted, declined]).count("done") == 1, (accepted, declined)
        mails = smtp.to(REQUESTER)
        assert len(mails) == 1
        inquiry.refresh_from_db()
        if declined == "done":
            assert inquiry.state == Inquiry.State.DECLINED and inquiry.decline_reason == "No capacity."
            assert Inbox.subject(mails[0]) == f"Answer to your inquiry {inquiry.reference}"
            assert "already" in accepted
        else:
            assert inquiry.state == Inquiry.State.ACCEPTED and inquiry.decline_reason == ""
            assert Inbox.subject(mails[0]) == f"Your inquiry {inquiry.reference} is accepted"
            assert "already" in declined


def test_a_transition_rolled_back_sends_no_mail(handlers: list[User], routed: Callable[[], Inquiry],
                                                smtp: Inbox) -> None:
    inquiry = routed()
    with transaction.atomic():
        workflow.accept(inquiry, handlers[0], "Welcome!")
        transaction.set_rollback(True)  # something later in the same request failed
    assert not smtp.messages
    assert Inquiry.objects.get(pk=inquiry.pk).state == Inquiry.State.ROUTED
    workflow.accept(inquiry, handlers[0], "Welcome!")
    assert len(smtp.to(REQUESTER)) == 1


def test_two_people_ending_an_engagement_at_once_after_a_review(
        login: Callable[[User], Client], coordinator: User, okf_editor: User, eurocities: Engagement) -> None:
    clients = [login(coordinator), login(okf_editor)]
    url = f"/en/goals/end/{eurocities.pk}/"
    responses = at_once([partial(c.post, url, {"reason": f"Reason {i}"}) for i, c in enumerate(clients)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    winner = [r.status_code for r in responses].index(302)
    engagement = Engagement.objects.get(pk=eurocities.pk)
    assert engagement.status == Engagement.Status.TERMINATED and engagement.termination_reason == f"Reason {winner}"
    assert "is already terminated" in next(r for r in responses if r.status_code == 409).content.decode()


def test_accepting_what_another_handler_accepted_a_moment_ago_says_who(
        login: Callable[[User], Client], handlers: list[User], routed: Callable[[], Inquiry], smtp: Inbox) -> None:
    """The second handler's page was opened before the first accepted, and is sent after: no form to show
    the refusal next to any more, so it is said at the top of the page."""
    inquiry = routed()
    url = f"/en/inquiries/{inquiry.pk}/accept/"
    assert login(handlers[0]).post(url, {"accept-message": "Welcome!"}).status_code == 302
    late = login(handlers[1]).post(url, {"accept-message": "Welcome too!"})
    assert late.status_code == 400
    assert f"already accepted by {handlers[0].username}" in late.content.decode()
    assert len(smtp.to(REQUESTER)) == 1
