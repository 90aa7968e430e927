"""iCalendar of planned visits: one ``.ics`` per visit, and a feed per department that Outlook, Google
Calendar or Apple Calendar can subscribe to. Each event links back to its inquiry. The feed holds no
personal data: the organisation, the group size, the place, the hosts and the link."""

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from udsyn.core.urls_helpers import absolute_url
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Department

PRODID = "-//Udsyn//Inquiries//DA"


def _calendar(name: str, prodid: str = PRODID) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def event(inquiry: Inquiry, link: str, requester: bool = False) -> icalendar.Event:
    """The visit as an event: for staff named by its requester's organisation; for the requester by the
    municipality, so that nothing the requester typed comes back to them in a mail."""
    assert inquiry.visit_start is not None
    item = icalendar.Event()
    item.add("uid", f"inquiry-{inquiry.pk}@udsyn")
    item.add("dtstamp", timezone.now())
    item.add("sequence", inquiry.calendar_sequence)
    item.add("dtstart", inquiry.visit_start)
    item.add("dtend", inquiry.visit_end or inquiry.visit_start)
    if requester:
        item.add("summary", _("Visit to {municipality}").format(municipality=inquiry.municipality.official_name))
    else:
        item.add("summary", _("Visit: {sender}").format(sender=inquiry.organisation or _("citizen's inquiry")))
    if inquiry.place:
        item.add("location", inquiry.place)
    lines = []
    if inquiry.group_size:
        lines.append(_("Group of {n}").format(n=inquiry.group_size))
    if inquiry.hosts:
        lines.append(_("Hosts: {hosts}").format(hosts=inquiry.hosts))
    for step in inquiry.programme.all():
        lines.append(f"{step.starts:%H:%M} {step.title}" if step.starts else step.title)
    lines.append(link)
    item.add("description", "\n".join(lines))
    item.add("url", link)
    item.add("status", "CONFIRMED" if inquiry.state != Inquiry.State.CLOSED else "CANCELLED")
    return item


def visit_calendar(inquiry: Inquiry, link: str, language: str, requester: bool = False) -> bytes:
    with translation.override(language):
        calendar = _calendar(_("Visit {reference}").format(reference=inquiry.reference))
        calendar.add_component(event(inquiry, link, requester))
        return bytes(calendar.to_ical())


def department_feed(department: Department, inquiries: Iterable[Inquiry]) -> bytes:
    """Every planned or held visit of the department (lead or contributing), linked to the staff page."""
    with translation.override("da"):
        calendar = _calendar(_("Visits: {department}").format(department=department))
        for inquiry in inquiries:
            calendar.add_component(event(inquiry, absolute_url(inquiry.get_absolute_url())))
        return bytes(calendar.to_ical())
