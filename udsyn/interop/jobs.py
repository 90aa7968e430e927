"""Check and import uploaded tables as background jobs on a worker (``udsyn worker``), keeping what came of
it on the upload, whose page shows how far it has come. An upload whose job failed or whose worker died
shows the reason and can be tried again; uploads are deleted after ``UDSYN_KEEP_UPLOADS_DAYS`` days
(scheduled)."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResult, task

from udsyn.core import schedule
from udsyn.core.exchange.importer import Change, ImportProblem, ImportResult
from udsyn.core.policy import allows
from udsyn.core.tasks import when_failed
from udsyn.interop import tabular
from udsyn.interop.models import TableUpload

log = logging.getLogger(__name__)

SHOWN_CHANGES = 1000  # changes kept for the check page of a table upload


def progress_key(pk: int) -> str:
    return f"table-upload-{pk}"


def start(upload: TableUpload, dry_run: bool, create_themes: bool = False) -> None:
    """Queue the check (``dry_run``) or the import of the upload for a worker. (The queue is in the
    database, so a job queued inside a transaction is seen by the workers when the upload is, not before.)"""
    check_or_import.enqueue(upload.pk, dry_run, create_themes)


@task
def check_or_import(pk: int, dry_run: bool, create_themes: bool = False) -> str:
    work(pk, dry_run, create_themes)
    return str(TableUpload.objects.filter(pk=pk).values_list("state", flat=True).first() or "")


def work(pk: int, dry_run: bool, create_themes: bool = False) -> None:
    """Check (dry run) or import the upload, and keep what came of it on the upload.

    Whatever happens, the upload leaves "checking" or "importing": a failure is kept as its problem.
    """
    upload = TableUpload.objects.select_related("user").filter(pk=pk).first()
    if upload is None:  # deleted while queued
        return
    TableUpload.objects.filter(pk=pk).update(
        state=TableUpload.State.CHECKING if dry_run else TableUpload.State.IMPORTING, done=0)
    key = progress_key(pk)

    def progress(done: int, total: int) -> None:
        caches["progress"].set(key, (done, total))

    try:
        sheets = tabular.read(upload.filename, bytes(upload.content), upload.table)
        # The check creates (and rolls back) new themes to count what the import would do, and lists them.
        result = tabular.import_tables(sheets, user=upload.user, dry_run=dry_run, progress=progress,
                                       create_themes=create_themes or dry_run)
        problems = [problem_row(problem) for problem in result.problems]
    except tabular.Unreadable as error:
        result, problems = ImportResult(), [problem_row(ImportProblem(None, "", "", str(error)))]
    except Exception as error:  # the user sees that it failed; the traceback goes to the log
        log.exception("table upload %s failed", pk)
        message = _("The import failed: {error}").format(error=error)
        result, problems = ImportResult(), [problem_row(ImportProblem(None, "", "", message))]
    upload.result = {
        "problems": problems, "summary": [list(row) for row in result.summary_rows],
        "refused": result.refused, "new_themes": sorted(clean(name) for name in result.new_themes),
        "changes": [change_row(change) for change in result.changes[:SHOWN_CHANGES]],
        "changes_total": len(result.changes), "flagged": len(result.flagged),
        "near_duplicates": [clean(text) for text in result.near_duplicates[:SHOWN_CHANGES]],
    }
    upload.done = upload.total
    if problems:
        upload.state = TableUpload.State.FAILED
    else:
        upload.state = TableUpload.State.CHECKED if dry_run else TableUpload.State.IMPORTED
    try:
        upload.save(update_fields=["result", "done", "state"])
    except Exception:  # never left "checking": keep that it failed, without what could not be stored
        log.exception("table upload %s: its result could not be kept", pk)
        TableUpload.objects.filter(pk=pk).update(state=TableUpload.State.FAILED, done=upload.total, result={
            "problems": [problem_row(ImportProblem(None, "", "", _("The file could not be checked.")))],
            "summary": []})
    caches["progress"].delete(key)


def _failed(result: TaskResult, reason: str) -> None:
    """The job failed outside ``work`` (its worker died): the upload says so and offers to try again."""
    pk, dry_run, create_themes = (list(result.args) + [False])[:3]
    message = _("The check stopped: {reason}") if dry_run else _("The import stopped: {reason}")
    TableUpload.objects.filter(pk=pk, state__in=[TableUpload.State.CHECKING, TableUpload.State.IMPORTING]).update(
        state=TableUpload.State.FAILED, result={
            "problems": [problem_row(ImportProblem(None, "", "", message.format(reason=reason)))],
            "summary": [], "retry": {"dry_run": bool(dry_run), "create_themes": bool(create_themes)}})
    caches["progress"].delete(progress_key(pk))


when_failed(check_or_import, _failed)


def do_retry(upload: TableUpload, user: Any) -> TableUpload:
    """Start again the check or import whose job stopped (and only such an upload: one with problems in
    the file needs a corrected file)."""
    if upload.user_id != getattr(user, "pk", None) or not allows(user, "import", TableUpload):
        raise PermissionDenied
    retry = upload.result.get("retry") if isinstance(upload.result, dict) else None
    if upload.state != TableUpload.State.FAILED or not retry:
        return upload
    dry_run = bool(retry.get("dry_run"))
    upload.state = TableUpload.State.CHECKING if dry_run else TableUpload.State.IMPORTING
    upload.done, upload.result = 0, {}
    upload.save(update_fields=["state", "done", "result"])
    start(upload, dry_run=dry_run, create_themes=bool(retry.get("create_themes")))
    return upload


def delete_old_uploads() -> int:
    """Uploads made more than ``UDSYN_KEEP_UPLOADS_DAYS`` days ago are deleted (imported or not)."""
    before = timezone.now() - timedelta(days=settings.UDSYN_KEEP_UPLOADS_DAYS)
    deleted, _counts = TableUpload.objects.filter(created__lt=before).delete()
    return deleted


schedule.register("interop.delete_old_uploads", timedelta(days=1), delete_old_uploads)


def clean(text: Any) -> str:
    """Text that every database stores (PostgreSQL refuses NUL characters, even in JSON)."""
    return str(text).replace("\x00", "\\0")


def problem_row(problem: ImportProblem) -> dict[str, Any]:
    return {"file": clean(problem.filename), "row": problem.line, "where": clean(problem.where),
            "field": clean(problem.field), "message": clean(problem.message)}


def change_row(change: Change) -> dict[str, Any]:
    return {"kind": clean(change.kind), "record": clean(change.record), "field": clean(change.field),
            "old": clean(change.old[:300]), "new": clean(change.new[:300]), "flag": change.flag,
            "row": change.line}
