"""Every change of an inquiry's state, one function per transition:

    received → routed → accepted or declined → planned → held → closed

Each function locks the inquiry's row and reads it again (so that of two handlers deciding at once, the
second sees the first's decision), checks who may make the change and from which state, saves it, writes
the timeline the requester and staff see, and queues the e-mails, which go out only when the change is
committed. Views, the API and commands call these and nothing else to change an inquiry's state.
"""

import datetime
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.inquiries import mail, rules
from udsyn.inquiries.models import DepartmentInquirySettings, Inquiry, InquiryEvent, ProgrammeItem, SenderLock
from udsyn.organisation.models import Department

State = Inquiry.State
# At most settings.UDSYN_INQUIRIES_PER_HOUR inquiries per sender (e-mail address or client address), and
# settings.UDSYN_INQUIRY_REPLIES_PER_HOUR replies per inquiry, and one receipt per e-mail address, in this window.
RATE_WINDOW = datetime.timedelta(hours=1)


class TransitionError(ValueError):
    """The inquiry is not in a state that allows the change, or the change is incomplete."""


class CapacityReached(TransitionError):
    pass


class TooMany(TransitionError):
    """The sender has sent as many inquiries as the hour allows, or the requester as many replies."""


@dataclass
class Step:
    starts: datetime.time | None
    title: str
    presenter: str = ""


def client_key(address: str) -> str:
    """A keyed hash of an IP address: enough to count a sender's inquiries, useless for anything else."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def too_many(email: str, key: str, now: datetime.datetime | None = None) -> bool:
    """Whether the sender (by e-mail address, and by the keyed hash of the client address) has sent as many
    inquiries in the last hour as the limit allows. Counted under the sender's locks in ``receive_public``."""
    since = (now or timezone.now()) - RATE_WINDOW
    recent = Inquiry.objects.filter(received_at__gte=since)
    limit = settings.UDSYN_INQUIRIES_PER_HOUR
    if recent.filter(contact_email__iexact=email.strip()).count() >= limit:
        return True
    return bool(key) and recent.filter(client_key=key).count() >= limit


def _lock_senders(keys: Iterable[str], now: datetime.datetime) -> None:
    """Lock the senders' rows until the transaction ends: made if new, then written one by one in one order
    (an UPDATE locks the row on PostgreSQL and takes the database's write lock on SQLite), so that two sends
    sharing an address or e-mail are counted one after the other, and two sharing both cannot wait on
    each other."""
    ordered = sorted(set(keys))
    SenderLock.objects.bulk_create([SenderLock(key=k, used_at=now) for k in ordered], ignore_conflicts=True)
    for key in ordered:
        SenderLock.objects.filter(key=key).update(used_at=now)


@transaction.atomic
def receive_public(inquiry: Inquiry, address: str) -> Inquiry:
    """An inquiry sent on the public form from ``address`` (the client's address, see
    ``udsyn.core.requests.client_address``): counted against the sender's hourly limit and received, or
    refused with ``TooMany``. Counting and saving happen under the sender's locks, so inquiries sent at the
    same moment, by any number of processes, save no more than the limit."""
    now = timezone.now()
    key = client_key(address) if address else ""
    email = inquiry.contact_email.strip().lower()
    _lock_senders([f"email:{client_key(email)}", *([f"address:{key}"] if key else [])], now)
    if too_many(email, key, now):
        raise TooMany(_("We have received several inquiries from you within the last hour. Please wait an hour "
                        "and send it again; what you wrote is kept below."))
    inquiry.client_key = key
    inquiry.received_at = now
    return receive(inquiry)


def _lock(inquiry: Inquiry) -> None:
    """Lock the inquiry's row until the transaction ends, and read it again as it is now."""
    if connection.vendor == "sqlite":  # no row locks: writing first takes the database's write lock
        Inquiry.objects.filter(pk=inquiry.pk).update(state=F("state"))
    inquiry.refresh_from_db(from_queryset=Inquiry.objects.select_for_update())


def _require(inquiry: Inquiry, allowed: Iterable[str], action: str) -> None:
    if inquiry.state not in allowed:
        done = inquiry.events.filter(kind=InquiryEvent.Kind.STATE, state=inquiry.state, by__isnull=False) \
            .select_related("by").order_by("-at", "-pk").first()
        if done is not None and done.by is not None:
            when = timezone.localtime(done.at)
            raise TransitionError(_("The inquiry was already {state} by {name} on {day} at {time}; it cannot be "
                                    "{action}.").format(state=inquiry.get_state_display(),
                                                        name=done.by.get_full_name() or done.by.get_username(),
                                                        day=when.strftime("%d.%m.%Y"), time=when.strftime("%H:%M"),
                                                        action=action))
        raise TransitionError(_("An inquiry that is {state} cannot be {action}.").format(
            state=inquiry.get_state_display(), action=action))


def _save(inquiry: Inquiry, by: Any) -> None:
    inquiry._history_user = by  # type: ignore[attr-defined]  # simple-history outside a request
    inquiry.save()


def _event(inquiry: Inquiry, kind: str, by: Any = None, *, state: str = "", text: str = "", public: bool = True,
           department: Department | None = None) -> InquiryEvent:
    return InquiryEvent.objects.create(inquiry=inquiry, kind=kind, state=state, text=text, public=public,
                                       by=by if getattr(by, "is_authenticated", False) else None,
                                       department=department)


def _to_state(inquiry: Inquiry, new: str, by: Any, text: str = "", department: Department | None = None) -> None:
    inquiry.state = new
    _save(inquiry, by)
    _event(inquiry, InquiryEvent.Kind.STATE, by, state=new, text=text, department=department)


def _answered(inquiry: Inquiry) -> None:
    if inquiry.first_response_at is None:
        inquiry.first_response_at = timezone.now()


@transaction.atomic
def receive(inquiry: Inquiry) -> Inquiry:
    """A new inquiry: saved, announced to the secretariat, and confirmed to the requester by a receipt (fixed
    text and the status link) unless their address had one within the last hour: whoever typed another's
    address gets them one mail an hour at most. The form's thank-you page shows the status link anyway."""
    inquiry.state = State.RECEIVED
    since = inquiry.received_at - RATE_WINDOW
    inquiry.receipt_sent = not Inquiry.objects.filter(
        contact_email__iexact=inquiry.contact_email.strip(), receipt_sent=True, received_at__gte=since).exists()
    _save(inquiry, None)
    _event(inquiry, InquiryEvent.Kind.STATE, state=State.RECEIVED)
    if inquiry.receipt_sent:
        mail.to_requester("received", inquiry)
    mail.to_staff("new", inquiry, mail.secretariat(inquiry))
    return inquiry


def settings_of(department: Department) -> DepartmentInquirySettings:
    found, _created = DepartmentInquirySettings.objects.get_or_create(department=department)
    return found


@transaction.atomic
def route(inquiry: Inquiry, by: Any, lead: Department, contributing: Sequence[Department] = (),
          due: datetime.date | None = None, note: str = "") -> None:
    _lock(inquiry)
    if not rules.may_route(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.RECEIVED, State.ROUTED), _("routed"))
    if lead.municipality_id != inquiry.municipality_id or any(
            d.municipality_id != inquiry.municipality_id for d in contributing):
        raise TransitionError(_("Route the inquiry to departments of its own municipality."))
    inquiry.lead_department = lead
    inquiry.response_due = due or timezone.localdate() + datetime.timedelta(days=settings_of(lead).response_days)
    _to_state(inquiry, State.ROUTED, by, department=lead)
    inquiry.contributing_departments.set([d for d in contributing if d.pk != lead.pk])
    if note:
        _event(inquiry, InquiryEvent.Kind.NOTE, by, text=note, public=False)
    recipients = mail.department(lead)
    for other in contributing:
        recipients += mail.department(other)
    mail.to_staff("routed", inquiry, recipients, note=note)
    mail.to_requester("passed_on", inquiry)


def visits_in_month(department: Department, month: datetime.date, exclude: Inquiry | None = None) -> int:
    """Visits the department has accepted that fall in the month (by their planned or preferred date)."""
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    taken = Inquiry.objects.filter(
        lead_department=department, kind=Inquiry.Kind.VISIT,
        state__in=[State.ACCEPTED, State.PLANNED, State.HELD, State.CLOSED], decided_at__isnull=False,
    ).exclude(decline_reason__gt="")
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    count = 0
    for start, preferred in taken.values_list("visit_start", "preferred_from"):
        day = timezone.localtime(start).date() if start else preferred
        if day is not None and first <= day < following:
            count += 1
    return count


def capacity_note(inquiry: Inquiry) -> str:
    """A warning when accepting the inquiry would exceed its lead department's monthly capacity."""
    department = inquiry.lead_department
    when = inquiry.preferred_from
    if department is None or when is None or inquiry.kind != Inquiry.Kind.VISIT:
        return ""
    capacity = settings_of(department).monthly_capacity
    if capacity is None:
        return ""
    taken = visits_in_month(department, when, exclude=inquiry)
    if taken < capacity:
        return ""
    return _("{department} has already accepted {taken} visits in {month}; its capacity is {capacity} a month.").format(
        department=department.code, taken=taken, month=when.strftime("%m/%Y"), capacity=capacity)


@transaction.atomic
def accept(inquiry: Inquiry, by: Any, message: str = "", over_capacity: bool = False) -> None:
    _lock(inquiry)
    if not rules.may_decide(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.ROUTED,), _("accepted"))
    warning = capacity_note(inquiry)
    if warning and not over_capacity:
        raise CapacityReached(warning)
    inquiry.decided_at = timezone.now()
    _answered(inquiry)
    _to_state(inquiry, State.ACCEPTED, by, text=message, department=inquiry.lead_department)
    mail.to_requester("accepted", inquiry, message=message)


@transaction.atomic
def decline(inquiry: Inquiry, by: Any, reason: str, message: str = "") -> None:
    _lock(inquiry)
    if not rules.may_decide(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.RECEIVED, State.ROUTED), _("declined"))
    if not reason.strip():
        raise TransitionError(_("Give the reason for declining."))
    inquiry.decline_reason = reason.strip()
    inquiry.decided_at = timezone.now()
    _answered(inquiry)
    _to_state(inquiry, State.DECLINED, by, text="\n\n".join(p for p in (reason.strip(), message.strip()) if p),
              department=inquiry.lead_department)
    mail.to_requester("declined", inquiry, reason=reason.strip(), message=message)


@transaction.atomic
def plan(inquiry: Inquiry, by: Any, start: datetime.datetime, end: datetime.datetime, place: str,
         hosts: str = "", programme: Sequence[Step] = (), message: str = "") -> None:
    """Set (or change) the date, place, hosts and programme; the requester gets the visit as .ics."""
    _lock(inquiry)
    if not rules.may_decide(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.ACCEPTED, State.PLANNED), _("planned"))
    if end <= start:
        raise TransitionError(_("The visit must end after it starts."))
    if not place.strip():
        raise TransitionError(_("Give the place of the visit."))
    replanned = inquiry.state == State.PLANNED
    inquiry.visit_start, inquiry.visit_end, inquiry.place, inquiry.hosts = start, end, place.strip(), hosts.strip()
    if replanned:
        inquiry.calendar_sequence += 1
    inquiry.programme.all().delete()
    ProgrammeItem.objects.bulk_create(
        ProgrammeItem(inquiry=inquiry, starts=s.starts, title=s.title, presenter=s.presenter)
        for s in programme if s.title.strip()
    )
    _to_state(inquiry, State.PLANNED, by, text=message, department=inquiry.lead_department)
    mail.to_requester("planned", inquiry, message=message, replanned=replanned)


@transaction.atomic
def hold(inquiry: Inquiry, by: Any, notes: str = "") -> None:
    """The visit took place: keep what was learned, and ask the requester for feedback."""
    _lock(inquiry)
    if not rules.may_decide(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.PLANNED,), _("marked as held"))
    if notes.strip():
        inquiry.notes = notes.strip()
    _to_state(inquiry, State.HELD, by)
    mail.to_requester("held", inquiry)


@transaction.atomic
def close(inquiry: Inquiry, by: Any, message: str = "") -> None:
    _lock(inquiry)
    if not rules.may_decide(by, inquiry):
        raise PermissionDenied
    _require(inquiry, (State.ACCEPTED, State.DECLINED, State.HELD), _("closed"))
    _to_state(inquiry, State.CLOSED, by, text=message)
    if message or inquiry.feedback_at is None:
        mail.to_requester("closed", inquiry, message=message)


@transaction.atomic
def write(inquiry: Inquiry, by: Any, text: str) -> None:
    """A message from the municipality to the requester (by e-mail, and on the status page)."""
    _lock(inquiry)
    if not rules.may_see(by, inquiry):
        raise PermissionDenied
    if not text.strip():
        raise TransitionError(_("Write a message."))
    _answered(inquiry)
    _save(inquiry, by)
    _event(inquiry, InquiryEvent.Kind.MESSAGE_OUT, by, text=text.strip())
    mail.to_requester("message", inquiry, message=text.strip())


@transaction.atomic
def note(inquiry: Inquiry, by: Any, text: str) -> None:
    """An internal note, seen by staff only."""
    if not rules.may_see(by, inquiry):
        raise PermissionDenied
    if not text.strip():
        raise TransitionError(_("Write a note."))
    _event(inquiry, InquiryEvent.Kind.NOTE, by, text=text.strip(), public=False)


@transaction.atomic
def reply(inquiry: Inquiry, text: str) -> None:
    """A message from the requester, written on the status page: at most
    ``settings.UDSYN_INQUIRY_REPLIES_PER_HOUR`` an hour per inquiry, counted under the inquiry's lock."""
    _lock(inquiry)
    if inquiry.state == State.CLOSED:
        raise TransitionError(_("The inquiry is closed."))
    if not text.strip():
        raise TransitionError(_("Write a message."))
    limit = settings.UDSYN_INQUIRY_REPLIES_PER_HOUR
    recent = inquiry.events.filter(kind=InquiryEvent.Kind.MESSAGE_IN, at__gte=timezone.now() - RATE_WINDOW)
    if recent.count() >= limit:
        raise TooMany(_("You have sent {limit} messages about this inquiry within the last hour, which have "
                        "reached us. Please wait an hour and send this one again; it is kept below.").format(
                            limit=limit))
    _event(inquiry, InquiryEvent.Kind.MESSAGE_IN, text=text.strip())
    mail.to_staff("reply", inquiry, mail.handlers(inquiry), message=text.strip())


@transaction.atomic
def give_feedback(inquiry: Inquiry, score: int, comment: str = "") -> None:
    """The requester's score (1–5) and comment, once, after the visit or the decision."""
    _lock(inquiry)
    if not inquiry.asks_feedback:
        raise TransitionError(_("Feedback can be given once, after the visit or the decision."))
    if not 1 <= score <= 5:
        raise TransitionError(_("Give a score from 1 to 5."))
    inquiry.feedback_score, inquiry.feedback_comment = score, comment.strip()
    inquiry.feedback_at = timezone.now()
    _save(inquiry, None)
    _event(inquiry, InquiryEvent.Kind.MESSAGE_IN, text=_("Feedback: {score} of 5").format(score=score)
           + (f"\n\n{comment.strip()}" if comment.strip() else ""))
    mail.to_staff("feedback", inquiry, mail.handlers(inquiry))
