"""Reminders go out through a real SMTP server on loopback: reviews falling due to the engagement's
contacts (or the coordinators), late indicators to their owner, frameworks due for revision; the same
reminder is not sent twice in a week. The workers' schedule runs the same daily job by itself."""

import datetime
import email
import email.header
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.mail import Inbox
from udsyn.core import schedule
from udsyn.core.models import ScheduledRun
from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Municipality, Person
from udsyn.steering import reminders
from udsyn.steering.models import Indicator, Observation, Reminder
from udsyn.strategy.models import Strategy

pytestmark = pytest.mark.django_db(transaction=True)  # a worker sends the e-mails once the run is committed
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def situation(copenhagen: Municipality, make_engagement: Any, coordinator: User) -> dict[str, Any]:
    coordinator.email = "koordinator@kk.dk"
    coordinator.save()
    contact = Person.objects.create(municipality=copenhagen, name="Kontakt", email="kontakt@kk.dk")
    overdue = make_engagement("STRING", start_date=datetime.date(2020, 1, 1))
    overdue.contacts.add(contact)
    make_engagement("Mayors for Peace", start_date=datetime.date(2025, 12, 1))  # due in a week: no contact
    make_engagement("Nyt netværk", start_date=datetime.date(2026, 6, 1))  # not due for months
    make_engagement("Afsluttet", start_date=datetime.date(2019, 1, 1), status=Engagement.Status.ENDED)
    owner = Person.objects.create(municipality=copenhagen, name="Ejer", email="ejer@kk.dk")
    late = Indicator.objects.create(municipality=copenhagen, name="Delegationsbesøg", measure="Antal",
                                    data_source="Log", owner=owner, frequency="quarterly")
    Observation.objects.create(indicator=late, date=datetime.date(2026, 1, 15), value=30)
    Strategy.objects.create(municipality=copenhagen, name="Principielle rammer",
                            revision_due=datetime.date(2026, 12, 31))
    return {"overdue": overdue}


def test_reminders_reach_the_right_people_over_smtp(smtp: Inbox, situation: dict[str, Any],
                                                    monkeypatch: Any) -> None:
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: TODAY)
    call_command("remind")
    assert smtp.subjects() == [
        "Indikator ikke opdateret: Delegationsbesøg",
        "Skal revideres senest 31.12.2026: Principielle rammer",
        "Vurdering overskredet: STRING",
        "Vurdering senest 01.12.2026: Mayors for Peace",
    ]
    to = {str(email.header.make_header(email.header.decode_header(m["Subject"]))): rcpt for rcpt, m in smtp.messages}
    assert to["Vurdering overskredet: STRING"] == ["kontakt@kk.dk"]
    assert to["Vurdering senest 01.12.2026: Mayors for Peace"] == ["koordinator@kk.dk"]
    assert to["Indikator ikke opdateret: Delegationsbesøg"] == ["ejer@kk.dk"]
    body = next(m for _r, m in smtp.messages if "STRING" in m["Subject"]).get_payload(decode=True).decode()
    assert f"/goals/reviews/new/{situation['overdue'].pk}/" in body
    # Run again the same day: nothing new is sent.
    call_command("remind")
    assert len(smtp.messages) == 4 and Reminder.objects.count() == 4


def test_dry_run_sends_nothing(smtp: Inbox, situation: dict[str, Any], capsys: Any) -> None:
    call_command("remind", dry_run=True)
    assert not smtp.messages and not Reminder.objects.exists()
    assert "(dry run) kontakt@kk.dk" in capsys.readouterr().out


def test_the_daily_run_records_computed_indicators_which_are_never_late(
        smtp: Inbox, copenhagen: Municipality, make_engagement: Any, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: TODAY)
    make_engagement("Nyt netværk", start_date=datetime.date(2026, 6, 1))
    owner = Person.objects.create(municipality=copenhagen, name="Ejer", email="ejer@kk.dk")
    computed = Indicator.objects.create(municipality=copenhagen, name="Rettidigt vurderet", measure="Andel",
                                        data_source="Udsyn", owner=owner, frequency="monthly",
                                        computed="reviewed_on_time")
    Observation.objects.create(indicator=computed, date=datetime.date(2025, 1, 1), value=50)
    manual = Indicator.objects.create(municipality=copenhagen, name="Delegationsbesøg", measure="Antal",
                                      data_source="Log", owner=owner, frequency="yearly")
    Observation.objects.create(indicator=manual, date=TODAY, value=30)
    call_command("remind", dry_run=True)
    assert "(dry run) 0101 Rettidigt vurderet: 100.0 on 2026-11-23" in capsys.readouterr().out
    assert computed.observations.count() == 1
    call_command("remind")
    call_command("remind")  # twice the same day: recorded once
    assert [(o.date, o.value, o.recorded_by) for o in computed.observations.order_by("date")] == [
        (datetime.date(2025, 1, 1), 50, None), (TODAY, 100, None)]
    assert manual.observations.count() == 1
    assert not smtp.messages  # a year-old value of a computed indicator is not an owner's missed update


def test_the_schedule_runs_the_daily_reminders_once_a_day(smtp: Inbox, situation: dict[str, Any],
                                                          monkeypatch: Any) -> None:
    monkeypatch.setattr(reminders.timezone, "localdate", lambda: TODAY)
    monkeypatch.setattr(schedule, "registry", {"steering.daily_reminders": schedule.registry[
        "steering.daily_reminders"]})
    now = datetime.datetime(2026, 11, 23, 6, 0, tzinfo=datetime.UTC)
    assert schedule.queue_due(now) == ["steering.daily_reminders"]
    assert len(smtp.messages) == 4 and Reminder.objects.count() == 4
    # Later the same day nothing is due; a day later it runs again (and finds nothing new to send).
    assert schedule.queue_due(now + datetime.timedelta(hours=23)) == []
    assert schedule.queue_due(now + datetime.timedelta(days=1)) == ["steering.daily_reminders"]
    assert len(smtp.messages) == 4
    assert ScheduledRun.objects.get(name="steering.daily_reminders").last_run == now + datetime.timedelta(days=1)
