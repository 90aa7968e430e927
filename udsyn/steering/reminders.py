"""E-mail reminders: reviews falling due, indicators whose owner has missed their frequency, and
frameworks due for revision. Run daily by the workers' schedule (``udsyn.steering.tasks``) or by hand
(``udsyn remind``); each reminder is sent at most once a week, by a worker."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from udsyn.core.tasks import send_mail_later
from udsyn.core.urls_helpers import absolute_url
from udsyn.organisation.models import Municipality, Role
from udsyn.steering import status
from udsyn.steering.models import Reminder

QUIET_DAYS = 7
FRAMEWORK_NOTICE_DAYS = 90


@dataclass
class Message:
    key: str
    recipients: list[str]
    subject: str
    body: str


def _coordinators(municipality: Municipality) -> list[str]:
    users = get_user_model().objects.filter(
        udsyn_role__kind=Role.Kind.COORDINATOR, udsyn_role__municipality=municipality, is_active=True
    ).exclude(email="")
    return sorted(user.email for user in users)


def due(municipality: Municipality, today: datetime.date) -> list[Message]:
    """The reminders the municipality's state calls for today (whether or not sent before)."""
    from django.urls import reverse

    messages: list[Message] = []
    schedule = status.schedule_of(municipality)
    coordinators = _coordinators(municipality)
    for state in status.review_states(municipality, today=today):
        if state.state == "ok":
            continue
        engagement = state.engagement
        contacts = sorted({p.email for p in engagement.contacts.all() if p.email}) or coordinators
        if state.state == "overdue":
            subject = _("Review overdue: {title}").format(title=engagement.title)
        else:
            subject = _("Review due {date}: {title}").format(title=engagement.title,
                                                             date=state.due.strftime("%d.%m.%Y"))
        body = _(
            "{title} is due for its review on {date} ({interval}). Does it still give at least as much as "
            "it costs?\n\nRecord the review here: {link}"
        ).format(title=engagement.title, date=state.due.strftime("%d.%m.%Y"),
                 interval=schedule.get_interval_display(),
                 link=absolute_url(reverse("steering:review_new", args=[engagement.pk])))
        messages.append(Message(f"review:{engagement.pk}:{state.due.isoformat()}", contacts, subject, body))
    for values in status.indicator_values(municipality, today):
        owner = values.indicator.owner
        if values.late and owner is not None and owner.email:
            subject = _("Indicator not updated: {name}").format(name=values.indicator.name)
            body = _(
                "The indicator {name} is published {frequency}, and its last value is older than that. "
                "Record the newest value here: {link}"
            ).format(name=values.indicator.name, frequency=values.indicator.get_frequency_display(),
                     link=absolute_url(values.indicator.get_absolute_url()))
            messages.append(Message(f"indicator:{values.indicator.pk}", [owner.email], subject, body))
    horizon = today + datetime.timedelta(days=FRAMEWORK_NOTICE_DAYS)
    for strategy in municipality.strategies.exclude(revision_due=None).filter(revision_due__lte=horizon):
        assert strategy.revision_due is not None
        subject = _("Due for revision by {date}: {name}").format(
            name=strategy.name, date=strategy.revision_due.strftime("%d.%m.%Y"))
        body = _("{name} is to be revised by {date}, once every council period. See it here: {link}").format(
            name=strategy.name, date=strategy.revision_due.strftime("%d.%m.%Y"),
            link=absolute_url(strategy.get_absolute_url()))
        messages.append(Message(f"revision:{strategy.pk}:{strategy.revision_due.isoformat()}", coordinators,
                                subject, body))
    return [m for m in messages if m.recipients]


def send(today: datetime.date | None = None, dry_run: bool = False) -> list[Message]:
    """Queue what is due and not sent in the last week for a worker to send; the messages queued (or, on a
    dry run, to queue)."""
    today = today or timezone.localdate()
    since = timezone.now() - datetime.timedelta(days=QUIET_DAYS)
    recent = set(Reminder.objects.filter(sent__gte=since).values_list("key", flat=True))
    sent: list[Message] = []
    with translation.override(settings.LANGUAGE_CODE):
        for municipality in Municipality.objects.with_registry():
            for message in due(municipality, today):
                if message.key in recent:
                    continue
                if not dry_run:
                    send_mail_later(message.subject, message.body, message.recipients)
                    Reminder.objects.create(key=message.key, recipients=", ".join(message.recipients),
                                            subject=message.subject)
                sent.append(message)
    return sent
