"""Background jobs on Django's Tasks framework (the ``django-tasks`` backport, database backend): enqueueing
after commit, mail sent by a worker, what a failed job's owner is told, and the recovery of jobs whose
worker died.

An app declares a job with ``@task`` (``from django_tasks import task``) in its ``tasks.py`` or ``jobs.py``
and queues it with ``enqueue_on_commit(the_task, *args)``. ``udsyn worker`` processes run the queue; they
beat (``WorkerBeat``) every ``UDSYN_WORKER_BEAT`` seconds. django-tasks-db leaves a job "running" for ever
when its worker is killed; ``recover()``, run by every worker on start and at every beat, finds those jobs
and queues them again (up to ``UDSYN_TASK_ATTEMPTS`` attempts) or marks them failed with the reason. An app
whose rows show a job's state registers ``when_failed(the_task, handler)`` to be told of the failure.
"""

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks.base import Task
from django_tasks.signals import task_finished

log = logging.getLogger(__name__)


class WorkerDied(Exception):  # noqa: N818 - what happened, as the job's owner reads it
    """The worker running a job stopped (killed, out of memory, machine down) before the job finished."""


def enqueue_on_commit(job: Task, *args: Any, **kwargs: Any) -> None:
    """Queue the job when the current transaction commits (at once outside one): a change rolled back
    queues nothing, and the worker sees the rows the job reads."""
    transaction.on_commit(lambda: job.enqueue(*args, **kwargs))


def failure_reason(result: TaskResult) -> str:
    """The last line of a failed job's error: what its owner is shown."""
    for error in reversed(result.errors):
        lines = [line for line in error.traceback.splitlines() if line.strip()]
        if lines:
            line = lines[-1]
            for name in (error.exception_class_path, error.exception_class_path.rpartition(".")[2]):
                if name and line.startswith(name + ": "):
                    line = line[len(name) + 2:]
                    break
            return line[:500]
    return _("The job failed.")


_failure_handlers: dict[str, Callable[[TaskResult, str], None]] = {}


def when_failed(job: Task, handler: Callable[[TaskResult, str], None]) -> None:
    """Call ``handler(result, reason)`` when ``job`` fails: it raised, or its worker died and it is not
    tried again. The app updates its own row (a report, an upload) so that its page shows the reason."""
    _failure_handlers[job.module_path] = handler


def _finished(sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    handler = _failure_handlers.get(task_result.task.module_path)
    if handler is not None:
        handler(task_result, failure_reason(task_result))


task_finished.connect(_finished, dispatch_uid="udsyn.core.tasks.finished")


# --- Mail ---------------------------------------------------------------------------------------------------


def send_mail_later(subject: str, body: str, to: list[str], from_email: str | None = None,
                    attachments: list[tuple[str, str, str]] | None = None) -> None:
    """Send an e-mail from a worker once the current transaction commits. ``attachments`` are
    ``(filename, text, mimetype)``. A mail server that fails fails the job (logged, kept in the task results);
    the change that sent it stands."""
    recipients = sorted({address for address in to if address})
    if recipients:
        enqueue_on_commit(deliver_mail, subject, body, recipients, from_email or settings.DEFAULT_FROM_EMAIL,
                          [list(attachment) for attachment in attachments or []])


@task
def deliver_mail(subject: str, body: str, to: list[str], from_email: str, attachments: list[list[str]]) -> int:
    message = EmailMessage(subject, body, from_email, to)
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()


# --- Workers and recovery -----------------------------------------------------------------------------------


def beat_seconds() -> float:
    return float(getattr(settings, "UDSYN_WORKER_BEAT", 5))


def timeout() -> timedelta:
    """A worker on another machine not heard from for this long is taken for dead."""
    return timedelta(seconds=float(getattr(settings, "UDSYN_WORKER_TIMEOUT", 60)))


def beat(worker_id: str) -> None:
    """Say that this worker is alive."""
    from udsyn.core.models import WorkerBeat

    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={
        "host": socket.gethostname()[:255], "pid": os.getpid(), "seen": timezone.now()})


def gone(worker_id: str) -> None:
    """This worker stops (cleanly): its row goes."""
    from udsyn.core.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(worker_id: str, started: Any, now: Any = None) -> str:
    """Why the worker that claimed a job at ``started`` is taken for dead, or "" if it may still be running.
    On this machine its process is looked for (certain, at once); elsewhere its beat must be recent."""
    from udsyn.core.models import WorkerBeat

    now = now or timezone.now()
    worker = WorkerBeat.objects.filter(worker_id=worker_id).first()
    if worker is None:
        if started is not None and now - started > timeout():
            return _("The worker that ran this job stopped before it finished.")
        return ""
    if worker.host == socket.gethostname()[:255] and worker.pid != os.getpid():
        if not _process_exists(worker.pid):
            return _("The worker that ran this job (process {pid} on {host}) stopped before it finished.").format(
                pid=worker.pid, host=worker.host)
        return ""
    if now - worker.seen > timeout():
        return _("The worker that ran this job ({host}) was not heard from for {seconds} seconds.").format(
            host=worker.host, seconds=int((now - worker.seen).total_seconds()))
    return ""


def attempts() -> int:
    return max(1, int(getattr(settings, "UDSYN_TASK_ATTEMPTS", 2)))


def recover(now: Any = None) -> list[str]:
    """Jobs left "running" by a dead worker: queued again while they have attempts left, else failed with
    the reason (their owners' ``when_failed`` handlers are called). Two workers recovering at once do it once:
    each change is conditional on the job still being the same claim. The ids of the jobs dealt with."""
    from django_tasks_db.models import DBTaskResult

    dealt: list[str] = []
    for row in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        worker_ids = list(row.worker_ids or [])
        reason = is_dead(worker_ids[-1], row.started_at, now) if worker_ids else ""
        if not reason:
            continue
        same_claim = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING,
                                                 started_at=row.started_at)
        if len(worker_ids) < attempts():
            if same_claim.update(status=TaskResultStatus.READY):
                log.warning("Job %s queued again: %s", row.pk, reason)
                dealt.append(str(row.pk))
            continue
        error = WorkerDied(reason)
        text = "".join(traceback.format_exception_only(error))
        if same_claim.update(status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
                             exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
                             traceback=text):
            log.warning("Job %s failed: %s", row.pk, reason)
            dealt.append(str(row.pk))
            failed = DBTaskResult.objects.get(pk=row.pk)
            try:
                result = failed.task_result
            except ImportError:  # a job of code since removed: nobody to tell
                continue
            task_finished.send(sender=type(result.task.get_backend()), task_result=result)
    return dealt


def prune_task_results() -> int:
    """The queue's records of jobs finished more than ``UDSYN_KEEP_TASK_RESULTS_DAYS`` ago, and workers not
    heard from for a day, are deleted (scheduled daily). The number of job records deleted."""
    from django_tasks_db.models import DBTaskResult

    from udsyn.core.models import WorkerBeat

    now = timezone.now()
    before = now - timedelta(days=int(getattr(settings, "UDSYN_KEEP_TASK_RESULTS_DAYS", 30)))
    WorkerBeat.objects.filter(seen__lt=now - timedelta(days=1)).delete()
    deleted, _counts = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return deleted


def _register() -> None:
    from udsyn.core import schedule

    schedule.register("core.prune_task_results", timedelta(days=1), prune_task_results)


_register()
