"""``udsyn worker``: runs background jobs (reports, table imports, mail, scheduled jobs) from the queue in the
database. Any number of workers, on any number of machines sharing one PostgreSQL, each take the next job in
turn. Options are django-tasks-db's ``db_worker`` ones plus ``--no-schedule`` and ``--list-schedule``.

Besides running jobs, each worker beats (``WorkerBeat``, from a thread of its own, every
``UDSYN_WORKER_BEAT`` seconds), recovers the jobs of workers that died (``udsyn.core.tasks.recover``) and
queues the scheduled jobs that are due (``udsyn.core.schedule``). SIGTERM or Ctrl+C lets the job in hand
finish; a second one stops it (it is then recovered like a killed worker's).
"""

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from udsyn.core import schedule, tasks

log = logging.getLogger("udsyn.worker")


class Worker(db_worker.Worker):
    """django-tasks-db's worker, with a beat that keeps this worker known alive, recovers dead workers' jobs
    and queues scheduled ones."""

    def __init__(self, *, run_schedule: bool = True, **options: Any) -> None:
        super().__init__(**options)
        self.run_schedule = run_schedule
        self.stopping = threading.Event()

    def housekeeping(self) -> None:
        """One beat: alive, recover, schedule. A busy database (SQLite during a long import) skips a beat."""
        for step in (lambda: tasks.beat(self.worker_id), tasks.recover,
                     schedule.queue_due if self.run_schedule else None):
            if step is None:
                continue
            try:
                step()
            except Exception:  # the next beat tries again; the jobs go on
                log.warning("worker %s: a beat step failed", self.worker_id, exc_info=True)

    def _beating(self) -> None:
        # SQLite has one writer at a time, and a write from this thread can make the job's own transaction
        # fail ("database is locked"); there every worker is on this machine, where it is known alive by its
        # process, so the beat waits while a job runs.
        sqlite = connection.vendor == "sqlite"
        try:
            while not self.stopping.wait(tasks.beat_seconds()):
                if not (sqlite and self.running_task):
                    self.housekeeping()
        finally:
            connection.close()

    def run(self) -> None:
        # Known alive before taking a job (on a busy database, try for a while).
        for _attempt in range(60):
            try:
                tasks.beat(self.worker_id)
                break
            except Exception:
                log.warning("worker %s: could not beat yet", self.worker_id, exc_info=True)
                time.sleep(1)
        self.housekeeping()
        beat = threading.Thread(target=self._beating, name=f"beat-{self.worker_id}", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self.stopping.set()
            beat.join(timeout=30)
            try:
                tasks.gone(self.worker_id)
            except Exception:
                log.warning("worker %s: could not sign off", self.worker_id, exc_info=True)


class Command(db_worker.Command):
    help = ("Run background jobs (reports, table imports, mail, scheduled clean-ups and reminders) from the queue "
            "in the database, until stopped. Start as many as you like, on any machines that share the database.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-schedule", action="store_false", dest="run_schedule",
                            help="Do not queue scheduled jobs from this worker (it still runs them when queued).")
        parser.add_argument("--list-schedule", action="store_true",
                            help="List the scheduled jobs, their interval and when they were last queued; then exit.")

    def handle(self, *args: Any, verbosity: int, queue_name: str, interval: float, batch: bool,  # type: ignore[override]
               backend_name: str, startup_delay: bool, reload: bool, max_tasks: int | None, worker_id: str,
               exclude_queues: str, run_schedule: bool = True, list_schedule: bool = False,
               **options: Any) -> None:
        if list_schedule:
            self._list_schedule()
            return
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
                        startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
                        excluded_queue_names=excluded, run_schedule=run_schedule)
        if reload:
            import os

            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def _list_schedule(self) -> None:
        from udsyn.core.models import ScheduledRun

        last = dict(ScheduledRun.objects.values_list("name", "last_run"))
        for entry in sorted(schedule.registry.values(), key=lambda e: e.name):
            when = last.get(entry.name)
            self.stdout.write(f"{entry.name}\tevery {entry.interval}\tlast queued "
                              f"{when.isoformat(timespec='seconds') if when else 'never'}")
