"""Make a report as a background job on a worker (``udsyn worker``), writing its progress to its row as it
goes; a job that fails, or whose worker died, shows "failed" with the reason and can be tried again. Made
reports are deleted after ``UDSYN_KEEP_REPORTS_DAYS`` days (scheduled)."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tasks import TaskResult, task

from udsyn.core import schedule
from udsyn.core.policy import allows
from udsyn.core.tasks import when_failed
from udsyn.reports.models import ReportJob
from udsyn.reports.render import make

log = logging.getLogger(__name__)


def run(job_id: int) -> None:
    job = ReportJob.objects.select_related("municipality", "department").filter(pk=job_id).first()
    if job is None:  # deleted while queued
        return

    def progress(percent: int, message: str) -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            state=ReportJob.State.RUNNING, progress=percent, message=message[:200]
        )

    progress(0, "")
    try:
        made = make(job.municipality, job.format, job.language, job.department, job.since_year, progress)
    except Exception as error:  # the user sees that it failed and why; the traceback goes to the log
        log.exception("report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            state=ReportJob.State.FAILED, message=str(error)[:200], finished=timezone.now()
        )
        return
    ReportJob.objects.filter(pk=job.pk).update(
        state=ReportJob.State.DONE, progress=100, data=made.data, filename=made.filename,
        content_type=made.content_type, finished=timezone.now(), message="",
    )


@task
def make_report(job_id: int) -> None:
    run(job_id)


def _failed(result: TaskResult, reason: str) -> None:
    ReportJob.objects.filter(pk=result.args[0]).exclude(state=ReportJob.State.DONE).update(
        state=ReportJob.State.FAILED, message=reason[:200], finished=timezone.now())


when_failed(make_report, _failed)


def start(job: ReportJob) -> None:
    """Queue the job for a worker; its page shows how far it has come. (The queue is in the database, so a
    job queued inside a transaction is seen by the workers when the report's row is, not before.)"""
    make_report.enqueue(job.pk)


def do_retry(job: ReportJob, user: Any) -> ReportJob:
    """Make a failed report again: queued anew, its page showing progress from the start."""
    if not allows(user, "change", job):
        raise PermissionDenied
    if job.state != ReportJob.State.FAILED:
        return job
    job.state, job.progress, job.message, job.finished = ReportJob.State.QUEUED, 0, "", None
    job.save(update_fields=["state", "progress", "message", "finished"])
    start(job)
    return job


def delete_old_reports() -> int:
    """Reports asked for more than ``UDSYN_KEEP_REPORTS_DAYS`` days ago are deleted, with their files."""
    before = timezone.now() - timedelta(days=settings.UDSYN_KEEP_REPORTS_DAYS)
    deleted, _counts = ReportJob.objects.filter(created__lt=before).delete()
    return deleted


schedule.register("reports.delete_old_reports", timedelta(days=1), delete_old_reports)
