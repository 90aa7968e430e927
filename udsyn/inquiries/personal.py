"""The personal data of requesters: found and erased by e-mail address (``udsyn.core.personal``), and
anonymised by ``anonymise_closed_inquiries`` once an inquiry has been finished for
``UDSYN_ANONYMISE_INQUIRIES_MONTHS`` months (run daily: ``udsyn anonymise``, or the task scheduler).

Anonymising an inquiry replaces the requester's name by "deleted person" and removes their e-mail address,
their message, their feedback comment and the text of the correspondence with them, in the inquiry and in
its history; the private status link stops working. What the inquiry was about stays for the statistics:
its kind, organisation, country, topics, dates, departments and status.
"""

from __future__ import annotations

import datetime
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core import personal, schedule
from udsyn.core.policy import allows
from udsyn.inquiries.models import Inquiry, InquiryEvent, SenderLock, new_token

REQUESTER_FIELDS = ["municipality", "received_at", "state", "organisation", "country", "contact_name",
                    "contact_email", "topics", "message", "feedback_score", "feedback_comment"]
# What anonymising empties (the name gets "deleted person").
ERASED = {"contact_email": "", "message": "", "feedback_comment": ""}
CORRESPONDENCE = (InquiryEvent.Kind.MESSAGE_IN, InquiryEvent.Kind.MESSAGE_OUT)


def anonymise(inquiry: Inquiry, user: Any = None, reason: str = "") -> None:
    """Remove the requester's details from one inquiry, its timeline and its history."""
    values = {"contact_name": personal.deleted_person(), **ERASED}
    for name, value in values.items():
        setattr(inquiry, name, value)
    inquiry.client_key = ""
    inquiry.token = new_token()  # the old private link no longer shows the inquiry
    inquiry._change_reason = reason or _("Requester details anonymised")  # type: ignore[attr-defined]
    inquiry._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]
    inquiry.save()
    inquiry.events.filter(kind__in=CORRESPONDENCE).update(text="")
    personal.erase_history(Inquiry, [inquiry.pk], values)


def _months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    month = moment.month - 1 - months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                           31, 31, 30, 31, 30, 31][month - 1])
    return moment.replace(year=year, month=month, day=day)


def due_for_anonymising(now: datetime.datetime | None = None) -> models.QuerySet[Inquiry]:
    """Finished inquiries (held, declined or closed) whose last step is older than the period, not yet anonymised."""
    months = settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS
    if not months:
        return Inquiry.objects.none()
    cutoff = _months_before(now or timezone.now(), months)
    return (Inquiry.objects.filter(state__in=Inquiry.FINISHED).exclude(contact_email="")
            .annotate(last_step=Coalesce(Max("events__at"), "received_at"))
            .filter(last_step__lt=cutoff).order_by("pk"))


def anonymise_closed_inquiries(now: datetime.datetime | None = None) -> int:
    """Anonymise the requester details of every inquiry due (see ``due_for_anonymising``); the number done.
    Each inquiry in its own transaction, so a long run holds no long lock and can be stopped at any time."""
    count = 0
    for pk in list(due_for_anonymising(now).values_list("pk", flat=True)):
        with transaction.atomic():
            inquiry = Inquiry.objects.select_for_update().filter(pk=pk).exclude(contact_email="").first()
            if inquiry is None:
                continue
            anonymise(inquiry, reason=_("Requester details anonymised after {months} months").format(
                months=settings.UDSYN_ANONYMISE_INQUIRIES_MONTHS))
            count += 1
    return count


# -- The requesters' holder --------------------------------------------------------------------------------

def _by_email(subject: personal.Subject) -> models.QuerySet[Inquiry]:
    condition = Q(pk__in=[])
    for email in subject.emails:
        condition |= Q(contact_email__iexact=email)
    return Inquiry.objects.filter(condition).select_related("municipality").order_by("pk")


def _find(subject: personal.Subject, user: Any) -> personal.Held | None:
    if not subject.emails:
        return None
    found = [i for i in _by_email(subject) if user is None or allows(user, "view", i)]
    records = []
    for inquiry in found:
        data = personal.record(inquiry, REQUESTER_FIELDS)
        data["reference"] = inquiry.reference
        data["timeline"] = [{"when": personal.plain(e.at), "kind": e.get_kind_display(), "text": e.text}
                            for e in inquiry.events.all()]
        data["history"] = personal.history_of(Inquiry, inquiry.pk, ["state", "contact_name", "contact_email"])
        records.append(data)
    return personal.Held(_("Inquiries sent"), records,
                         erasable=all(user is None or allows(user, "erase", i) for i in found))


def _erase(subject: personal.Subject, user: Any, replacement: str) -> int:
    count = 0
    for inquiry in _by_email(subject):
        if user is None or allows(user, "erase", inquiry):
            anonymise(inquiry, user, _("Personal data erased"))
            count += 1
    return count


personal.register(personal.Holder("inquiries", _find, _erase, order=50))
# Daily, on the workers (udsyn/core/schedule.py): the requester details of long-finished inquiries.
schedule.register("inquiries.anonymise", timedelta(days=1), anonymise_closed_inquiries)


def prune_sender_locks(now: datetime.datetime | None = None) -> int:
    """Delete the public form's rows of senders (keyed hashes of e-mail and client addresses, kept for the
    hourly limit; ``SenderLock``) not heard from for a day."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _by_model = SenderLock.objects.filter(used_at__lt=cutoff).delete()
    return deleted


schedule.register("inquiries.prune_sender_locks", timedelta(days=1), prune_sender_locks)
