"""The steering app's scheduled job: once a day, what ``udsyn remind`` does (computed indicators record
their values, and the reminders of reviews falling due, late indicators and frameworks due for revision are
sent)."""

from datetime import timedelta

from udsyn.core import schedule
from udsyn.steering.observe import observe
from udsyn.steering.reminders import send


def daily_steering() -> dict[str, int]:
    """Record what is due, queue the reminders; how many of each (kept as the job's result)."""
    recorded = observe()
    sent = send()
    return {"recorded": len(recorded), "reminders": len(sent)}


schedule.register("steering.daily_reminders", timedelta(days=1), daily_steering)
