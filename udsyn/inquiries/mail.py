"""The e-mails of the inquiry workflow, from templates in Danish and English
(``templates/inquiries/email/NAME_subject.txt`` and ``NAME.txt``). The requester gets them in the
language they wrote in; staff in Danish."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from udsyn.core.tasks import send_mail_later
from udsyn.core.urls_helpers import absolute_url
from udsyn.inquiries.calendar import visit_calendar
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Department, Role

STAFF_LANGUAGE = "da"


def status_link(inquiry: Inquiry) -> str:
    with translation.override(inquiry.locale):
        return absolute_url(reverse("inquiries:status", args=[inquiry.token]))


def staff_link(inquiry: Inquiry) -> str:
    with translation.override(STAFF_LANGUAGE):
        return absolute_url(inquiry.get_absolute_url())


def send(name: str, inquiry: Inquiry, recipients: Iterable[str], language: str, **context: object) -> bool:
    """Send one templated e-mail, written now and sent by a worker when the transaction that made the change
    it reports is committed (a change rolled back sends nothing). A mail server that fails fails the mail's
    job (logged); the change stands."""
    to = sorted({r for r in recipients if r})
    if not to:
        return False
    with translation.override(language):
        context = {"inquiry": inquiry, "status_link": status_link(inquiry), "staff_link": staff_link(inquiry),
                   **context}
        subject = " ".join(render_to_string(f"inquiries/email/{name}_subject.txt", context).split())
        body = render_to_string(f"inquiries/email/{name}.txt", context)
        attachments = []
        if name == "planned" and inquiry.visit_start:
            attachments.append((f"visit-{inquiry.reference}.ics",
                                visit_calendar(inquiry, status_link(inquiry), language,
                                               requester=True).decode(), "text/calendar"))
    send_mail_later(subject, body, to, settings.DEFAULT_FROM_EMAIL, attachments)
    return True


def to_requester(name: str, inquiry: Inquiry, **context: object) -> bool:
    return send(name, inquiry, [inquiry.contact_email], inquiry.locale, **context)


def _users(**role: object) -> list[str]:
    users = get_user_model().objects.filter(is_active=True, **{f"udsyn_role__{k}": v for k, v in role.items()})
    return [u.email for u in users.exclude(email="")]


def secretariat(inquiry: Inquiry) -> list[str]:
    return _users(kind=Role.Kind.COORDINATOR, municipality=inquiry.municipality_id)


def department(department: Department) -> list[str]:
    editors = get_user_model().objects.filter(
        models.Q(udsyn_role__department=department.pk) | models.Q(udsyn_role__other_departments=department.pk),
        is_active=True, udsyn_role__kind=Role.Kind.EDITOR).exclude(email="").distinct()
    addresses = [u.email for u in editors]
    inbox = getattr(getattr(department, "inquiry_settings", None), "inbox_email", "")
    return [*addresses, inbox] if inbox else addresses


def handlers(inquiry: Inquiry) -> list[str]:
    """Whoever handles the inquiry now: the lead department, or the secretariat before routing."""
    if inquiry.lead_department is not None:
        return department(inquiry.lead_department) or secretariat(inquiry)
    return secretariat(inquiry)


def to_staff(name: str, inquiry: Inquiry, recipients: Iterable[str], **context: object) -> bool:
    return send(name, inquiry, recipients, STAFF_LANGUAGE, **context)
