"""An open iCalendar (RFC 5545) of the municipalities' international events and planned delegation visits.

- An **event** is an engagement of kind event with a public start date: an all-day entry from its start to
  its end (or its start alone), with its title and public description; tentative while the engagement is
  planned, cancelled once terminated. Undated events are left out; an event entered with a year only spans
  that year, as the registry cannot say more.
- A **visit** is a planned delegation visit (an inquiry of kind visit in the planned state, with a start).
  It holds no personal data: not the requester's name, e-mail, organisation or message, not the hosts (they
  may name people), and no visit of a private citizen. It says only that a delegation from a country visits,
  when, where, and which department hosts it. The staff's own feed with more detail is
  ``udsyn.inquiries.calendar``, whose helper this module shares.

UIDs are stable (``engagement-<pk>@udsyn``, ``visit-<pk>@udsyn``; the staff feed's are ``inquiry-<pk>@udsyn``,
so a calendar subscribed to both keeps them apart). Text is Danish, as the registry writes it.
"""

import datetime

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from udsyn.engagements.models import Engagement, country_name
from udsyn.inquiries.calendar import _calendar
from udsyn.inquiries.models import Inquiry, OrganisationKind
from udsyn.organisation.models import Municipality

PRODID = "-//Udsyn//Open calendar//DA"
EVENT_STATUS: dict[str, str] = {Engagement.Status.PLANNED: "TENTATIVE", Engagement.Status.TERMINATED: "CANCELLED"}


def _event(engagement: Engagement, stamp: datetime.datetime) -> icalendar.Event | None:
    engagement.mask_internal()
    if engagement.start_date is None:
        return None
    item = icalendar.Event()
    item.add("uid", f"engagement-{engagement.pk}@udsyn")
    item.add("dtstamp", stamp)
    item.add("dtstart", engagement.start_date)
    item.add("dtend", (engagement.end_date or engagement.start_date) + datetime.timedelta(days=1))
    item.add("summary", engagement.title)
    lines = [engagement.municipality.official_name, engagement.description or ""]
    item.add("description", "\n\n".join(line for line in lines if line))
    item.add("status", EVENT_STATUS.get(engagement.status, "CONFIRMED"))
    item.add("transp", "TRANSPARENT")
    return item


def _visit(inquiry: Inquiry, stamp: datetime.datetime) -> icalendar.Event:
    assert inquiry.visit_start is not None
    item = icalendar.Event()
    item.add("uid", f"visit-{inquiry.pk}@udsyn")
    item.add("dtstamp", stamp)
    item.add("sequence", inquiry.calendar_sequence)
    item.add("dtstart", inquiry.visit_start.astimezone(datetime.UTC))
    item.add("dtend", (inquiry.visit_end or inquiry.visit_start).astimezone(datetime.UTC))
    item.add("summary", _("Delegation visit from {country}").format(country=country_name(inquiry.country)))
    host = inquiry.municipality.official_name
    if inquiry.lead_department is not None:
        host = f"{inquiry.lead_department.name}, {host}"
    item.add("description", _("Host: {host}").format(host=host))
    if inquiry.place:
        item.add("location", inquiry.place)
    item.add("status", "CONFIRMED")
    return item


def open_calendar(municipality: Municipality | None = None) -> bytes:
    """The municipality's (or, given None, every municipality's) dated events and planned visits, in two
    queries however many there are."""
    events = Engagement.objects.filter(kind=Engagement.Kind.EVENT, start_date__isnull=False)
    visits = Inquiry.objects.filter(
        kind=Inquiry.Kind.VISIT, state=Inquiry.State.PLANNED, visit_start__isnull=False,
    ).exclude(organisation_kind=OrganisationKind.CITIZEN)
    if municipality is not None:
        events = events.filter(municipality=municipality)
        visits = visits.filter(municipality=municipality)
    events = events.select_related("municipality").only(
        "id", "title", "description", "status", "start_date", "end_date", "internal_fields",
        "municipality__code", "municipality__name",
    ).order_by("start_date", "title")
    # Only the fields a visit may show are read: the requester's are never in memory.
    visits = visits.select_related("municipality", "lead_department").only(
        "id", "country", "visit_start", "visit_end", "place", "calendar_sequence",
        "municipality__code", "municipality__name", "lead_department__name",
    ).order_by("visit_start", "pk")
    stamp = timezone.now()
    with translation.override("da"):
        name = (_("International events and visits: {municipality}").format(municipality=municipality.official_name)
                if municipality is not None else _("International events and visits of Danish municipalities"))
        calendar = _calendar(name, PRODID)
        for engagement in events:
            event = _event(engagement, stamp)
            if event is not None:
                calendar.add_component(event)
        for inquiry in visits:
            calendar.add_component(_visit(inquiry, stamp))
        return bytes(calendar.to_ical())
