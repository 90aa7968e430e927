"""Jobs that run by themselves at an interval (clean-ups, daily reminders): a small scheduler on top of the
task queue, which has none.

An app registers a job in one line, from a module its ``AppConfig.ready`` imports (e.g. its ``tasks.py``)::

    from udsyn.core import schedule
    schedule.register("inquiries.anonymise", timedelta(days=1), anonymise_closed_inquiries)

The function takes no arguments; it must be importable at module level (the worker imports it by name).
Every ``udsyn worker`` calls ``queue_due()`` at each beat: for each job whose interval has passed since it
was last queued it queues one task (``run_scheduled(name)``), which any worker then runs like any other job.
When it was last queued is kept in ``ScheduledRun``, one row per job, whose row is locked (on SQLite the
whole database, briefly) while a worker decides, so several workers on several machines queue it once.
``udsyn worker --list-schedule`` shows what is registered and when it last ran.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    name: str
    interval: timedelta
    function: Callable[[], Any]


registry: dict[str, Entry] = {}


def register(name: str, interval: timedelta, function: Callable[[], Any]) -> None:
    """Run ``function()`` every ``interval``, on one worker. Registering a name again replaces it."""
    if interval <= timedelta(0):
        raise ValueError("A scheduled job's interval must be positive.")
    registry[name] = Entry(name, interval, function)


@task
def run_scheduled(name: str) -> Any:
    """The task a due scheduled job runs as: looks up the function by its registered name."""
    entry = registry.get(name)
    if entry is None:
        raise LookupError(f"No scheduled job named {name!r} is registered.")
    # Kept as the job's result, which must be JSON.
    return json.loads(json.dumps(entry.function(), default=str))


def queue_due(now: datetime | None = None) -> list[str]:
    """Queue each registered job whose interval has passed since it was last queued (or that never was);
    the names queued."""
    from django_tasks_db.utils import exclusive_transaction

    from udsyn.core.models import ScheduledRun

    now = now or timezone.now()
    queued: list[str] = []
    last_runs = dict(ScheduledRun.objects.values_list("name", "last_run"))
    for entry in list(registry.values()):
        last = last_runs.get(entry.name)
        if last is not None and last + entry.interval > now:
            continue  # not due: decided without a lock (most beats end here)
        try:
            with exclusive_transaction():
                run = ScheduledRun.objects.select_for_update().filter(name=entry.name).first()
                if run is None:
                    run = ScheduledRun.objects.create(name=entry.name)
                if run.last_run is not None and run.last_run + entry.interval > now:
                    continue
                result = run_scheduled.enqueue(entry.name)
                run.last_run, run.task_id = now, str(result.id)[:64]
                run.save(update_fields=["last_run", "task_id"])
                queued.append(entry.name)
        except IntegrityError:  # another worker made the row at the same moment: it queues the job
            continue
    return queued
