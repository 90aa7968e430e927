"""Run a report job in a thread of its own, writing its progress to the database as it goes."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from udsyn.reports.models import ReportJob
from udsyn.reports.render import make

log = logging.getLogger(__name__)


def run(job_id: int) -> None:
    job = ReportJob.objects.select_related("municipality", "department").get(pk=job_id)

    def progress(percent: int, message: str) -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            state=ReportJob.State.RUNNING, progress=percent, message=message[:200]
        )

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
        content_type=made.content_type, finished=timezone.now(),
    )


def start(job: ReportJob) -> None:
    """In the background, so the page can show progress; inline when settings ask (tests)."""
    if getattr(settings, "UDSYN_REPORTS_INLINE", False):
        run(job.pk)
        return

    def target() -> None:
        close_old_connections()
        try:
            run(job.pk)
        finally:
            connection.close()

    threading.Thread(target=target, name=f"report-{job.pk}", daemon=True).start()
