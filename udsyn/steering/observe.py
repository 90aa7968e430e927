"""Computed indicators record themselves: once per publication period, the value the registry computes for
a point-in-time indicator (active partnerships serving a goal, share of engagements reviewed on time) is
stored as an observation, so it has a history and a trend. Run daily by ``udsyn remind``.

The per-year indicators (funding brought home per year, delegation visits per year) are not stored: their
history is derived from the dated funding lines and visits themselves, and changes when those are corrected.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from udsyn.steering import status
from udsyn.steering.models import Indicator, Observation

PERIOD_MONTHS = {Indicator.Frequency.MONTHLY: 1, Indicator.Frequency.QUARTERLY: 3, Indicator.Frequency.YEARLY: 12}


def add_months(date: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day if it has no such day (31 January → 28 February)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def next_observation(indicator: Indicator, last: datetime.date | None) -> datetime.date | None:
    """When a computed indicator is next recorded: at once if never, else one publication period after the
    last recorded value. None for an indicator that does not record itself."""
    if indicator.computed not in status.POINT_IN_TIME:
        return None
    if last is None:
        return datetime.date.min
    return add_months(last, PERIOD_MONTHS[Indicator.Frequency(indicator.frequency)])


@dataclass
class Recorded:
    indicator: Indicator
    date: datetime.date
    value: Decimal


def observe(today: datetime.date | None = None, dry_run: bool = False) -> list[Recorded]:
    """Store today's value of each point-in-time computed indicator whose period has passed since its last
    recorded value. Running it again the same day (or before the period has passed) records nothing."""
    today = today or timezone.localdate()
    indicators = (Indicator.objects.filter(computed__in=status.POINT_IN_TIME).select_related("municipality", "goal",
                                                                                      "focus_area")
                  .annotate(last_observed=Max("observations__date")).order_by("municipality__code", "name"))
    recorded: list[Recorded] = []
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Computed by Udsyn")
        for indicator in indicators:
            due = next_observation(indicator, indicator.last_observed)  # type: ignore[attr-defined]
            if due is None or due > today:
                continue
            value = status.current_value(indicator, today)
            if not dry_run:
                observation = Observation(indicator=indicator, date=today, value=value, note=note, recorded_by=None)
                observation._change_reason = note  # type: ignore[attr-defined]
                try:
                    with transaction.atomic():
                        observation.save()
                except IntegrityError:  # recorded meanwhile by a run in parallel
                    continue
            recorded.append(Recorded(indicator, today, value))
    return recorded
