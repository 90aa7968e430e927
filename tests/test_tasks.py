"""Background jobs on real workers: ``udsyn worker`` processes started here against the test database run a
report and a table import queued from the web; a worker killed (kill -9) in the middle of a job leaves it to
the next worker, which tries it again and then marks it failed with the reason, never "running" for ever;
the user then tries it again with a button. Also the scheduler (queued once however many workers ask) and
the scheduled clean-ups."""

import datetime
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.servers import answers, csrf_token, database_url, free_port, production_password
from udsyn.core import schedule
from udsyn.core.models import ScheduledRun, WorkerBeat
from udsyn.interop.models import TableUpload
from udsyn.organisation.models import Department, Municipality
from udsyn.reports.models import ReportJob

pytestmark = pytest.mark.django_db(transaction=True)  # the workers are other processes: they see commits
ROOT = Path(__file__).resolve().parent.parent
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class Workers:
    """``udsyn worker`` processes on the test database; stopped (or killed) by the test, the rest at its end."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, attempts: int = 2) -> subprocess.Popen[bytes]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("PYTEST", "UDSYN_TASKS"))}
        env.update(DATABASE_URL=database_url(), UDSYN_DATA_DIR=str(self.data_dir), PYTHONPATH=str(ROOT),
                   DJANGO_SETTINGS_MODULE="udsyn.settings", UDSYN_WORKER_BEAT="0.5",
                   UDSYN_TASK_ATTEMPTS=str(attempts), CONN_MAX_AGE="0")
        log = (self.data_dir / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "udsyn.cli", "worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.data_dir.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def workers(settings: Any, tmp_path: Path) -> Iterator[Workers]:
    settings.TASKS = DATABASE_BACKEND
    running = Workers(tmp_path)
    yield running
    running.stop_all()


def _wait(condition: Callable[[], Any], what: str, workers: Workers, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"Waited {seconds} s for {what}. Workers' output:\n{workers.log()[-4000:]}")


def _rows(count: int) -> bytes:
    return json.dumps([{"municipality": "0101", "title": f"Aftale {number}", "kind": "collaboration",
                        "lead": "KFF", "start": "2024"} for number in range(count)]).encode()


def _upload(client: Any, count: int) -> str:
    upload = io.BytesIO(_rows(count))
    upload.name = "aftaler.json"
    response = client.post("/en/import/tables/", {"file": upload, "table": "engagements"})
    assert response.status_code == 302
    return str(response["Location"])


def _state(model: Any) -> Callable[[], str]:
    return lambda: model.__class__.objects.filter(pk=model.pk).values_list("state", flat=True).get()


def test_a_report_and_a_table_import_run_on_a_real_worker(
        workers: Workers, copenhagen: Municipality, departments: dict[str, Department], coordinator: User,
        login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    response = client.post("/en/reports/", {"municipality": copenhagen.pk, "format": "html", "language": "en"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.state == ReportJob.State.QUEUED  # no worker yet: waiting
    assert "Waiting to start" in client.get(job.get_absolute_url()).content.decode()
    page = _upload(client, 3)
    upload = TableUpload.objects.get()
    assert upload.state == TableUpload.State.CHECKING

    workers.start()
    _wait(lambda: _state(job)() == ReportJob.State.DONE, "the report", workers)
    download = client.get(f"/en/reports/{job.pk}/download/")
    assert download.status_code == 200 and "København" in download.content.decode()
    _wait(lambda: _state(upload)() == TableUpload.State.CHECKED, "the check", workers)
    assert "The file is valid" in client.get(page).content.decode()

    client.post(page, {"action": "import"})
    _wait(lambda: _state(upload)() == TableUpload.State.IMPORTED, "the import", workers)
    assert copenhagen.engagements.filter(title__startswith="Aftale ").count() == 3
    jobs = DBTaskResult.objects.exclude(task_path=schedule.run_scheduled.module_path)
    assert list(jobs.values_list("status", flat=True)) == [TaskResultStatus.SUCCESSFUL] * 3
    # The worker queued (and ran) the scheduled jobs too, each once.
    assert set(ScheduledRun.objects.values_list("name", flat=True)) == set(schedule.registry)
    assert WorkerBeat.objects.count() == 1  # the worker says it is alive...
    workers.stop_all()
    assert not WorkerBeat.objects.exists()  # ... and signs off when stopped


def _web_server(workers: Workers, port: int) -> subprocess.Popen[bytes]:
    """gunicorn serving Udsyn on the test database, as in production (no jobs of its own)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "UDSYN_TASKS"))}
    env.update(DATABASE_URL=database_url(), UDSYN_DATA_DIR=str(workers.data_dir), PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="udsyn.settings", CONN_MAX_AGE="0", ALLOWED_HOSTS="127.0.0.1")
    log = (workers.data_dir / f"web-{port}-{time.monotonic_ns()}.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "udsyn.wsgi:application", "--bind",
                               f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    workers.started.append(server)  # stopped with the workers at the end, whatever happens
    _wait(lambda: answers(port), "the web server", workers, seconds=60)
    return server


def test_a_report_asked_for_survives_a_kill_of_the_web_server(
        workers: Workers, copenhagen: Municipality, departments: dict[str, Department], coordinator: User) -> None:
    """Issue 16: a report made in a thread of the web process stayed "running" for ever after kill -9 and a
    restart. Now the web server only queues it; a worker makes it whatever happens to the web server."""
    production_password(coordinator, "a passphrase for the test")
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    web = _web_server(workers, port)
    browser = requests.Session()
    browser.trust_env = False
    signed_in = browser.post(f"{site}/en/login/", data={
        "csrfmiddlewaretoken": csrf_token(browser.get(f"{site}/en/login/", timeout=30).text),
        "username": coordinator.username, "password": "a passphrase for the test"}, timeout=30)
    assert signed_in.url == f"{site}/en/", signed_in.url
    asked = browser.post(f"{site}/en/reports/", data={
        "csrfmiddlewaretoken": csrf_token(browser.get(f"{site}/en/reports/", timeout=30).text),
        "municipality": copenhagen.pk, "format": "html", "language": "en"}, timeout=30)
    job = ReportJob.objects.get()
    assert asked.url.endswith(f"/reports/{job.pk}/") and job.state == ReportJob.State.QUEUED

    os.killpg(web.pid, signal.SIGKILL)  # kill -9 of gunicorn and its worker: the report asked for, not made
    web.wait()
    _wait(lambda: not answers(port), "the web server to be gone", workers, seconds=30)
    workers.start()
    _wait(lambda: _state(job)() == ReportJob.State.DONE, "the report", workers)
    _web_server(workers, port)  # the web server started again: the same session, the report made
    page = browser.get(f"{site}/en/reports/{job.pk}/", timeout=30)
    assert page.status_code == 200 and f"/reports/{job.pk}/download/" in page.text
    download = browser.get(f"{site}/en/reports/{job.pk}/download/", timeout=30)
    assert download.status_code == 200 and "København" in download.text


def _kill_while_running(workers: Workers, worker: subprocess.Popen[bytes], result: DBTaskResult) -> None:
    _wait(lambda: DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).exists(),
          "the job to start", workers)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING, "the job finished before the worker was killed: make it longer"


def test_a_job_whose_worker_is_killed_is_tried_again_then_failed_with_the_reason_and_retried_by_the_user(
        workers: Workers, copenhagen: Municipality, departments: dict[str, Department], coordinator: User,
        login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    page = _upload(client, 1500)  # long enough to be killed in the middle of its check
    upload = TableUpload.objects.get()
    [result] = DBTaskResult.objects.all()

    first = workers.start(attempts=2)
    _kill_while_running(workers, first, result)
    # Nobody runs it now; the next worker finds its worker gone and tries the job again (attempt 2 of 2)...
    second = workers.start(attempts=2)
    _wait(lambda: len(DBTaskResult.objects.get(pk=result.pk).worker_ids) == 2, "the second attempt", workers)
    # ... is killed too; the third worker marks the job failed with the reason, and the upload says so.
    _kill_while_running(workers, second, result)
    assert _state(upload)() == TableUpload.State.CHECKING
    workers.start(attempts=2)
    _wait(lambda: _state(upload)() == TableUpload.State.FAILED, "the upload to show the failure", workers)
    result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED and "WorkerDied" in result.exception_class_path
    # The reason is kept in the language of the installation (Danish), the page around it in the user's.
    assert f"(proces {second.pid} på " in result.traceback
    html = client.get(page).content.decode()
    assert "The work on the file stopped before it finished. Nothing was written." in html
    assert f"Kontrollen stoppede: Arbejderen, der kørte jobbet (proces {second.pid} på " in html
    assert not copenhagen.engagements.exists()

    # The user tries again; the living worker checks it.
    client.post(page, {"action": "retry"})
    _wait(lambda: _state(upload)() == TableUpload.State.CHECKED, "the check tried again", workers, seconds=180)
    assert "The file is valid" in client.get(page).content.decode()


def test_a_report_whose_job_failed_shows_why_and_is_made_again_on_request(
        settings: Any, copenhagen: Municipality, coordinator: User, login: Callable[[User], Any]) -> None:
    from udsyn.reports import jobs

    client = login(coordinator)
    job = ReportJob.objects.create(user=coordinator, municipality=copenhagen, format="html", language="en")
    result = DBTaskResult.objects.create(
        args_kwargs={"args": [job.pk], "kwargs": {}}, task_path=jobs.make_report.module_path,
        backend_name="default", status=TaskResultStatus.RUNNING, started_at=timezone.now(),
        worker_ids=["gone-worker"])
    WorkerBeat.objects.create(worker_id="gone-worker", host="elsewhere", pid=1,
                              seen=timezone.now() - datetime.timedelta(minutes=5))
    settings.UDSYN_TASK_ATTEMPTS = 1
    from udsyn.core.tasks import recover

    with translation.override("en"):
        assert recover() == [str(result.pk)]
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "(elsewhere) was not heard from for 300 seconds" in job.message
    page = client.get(f"/en/reports/{job.pk}/").content.decode()
    assert "The report could not be made." in page and "Try again" in page
    assert recover() == []  # dealt with once
    client.post(f"/en/reports/{job.pk}/retry/")  # the immediate backend of the tests makes it at once
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE and job.message == ""


def test_a_worker_heard_from_recently_keeps_its_job(settings: Any, copenhagen: Municipality,
                                                   coordinator: User) -> None:
    from udsyn.core.tasks import recover
    from udsyn.reports import jobs

    job = ReportJob.objects.create(user=coordinator, municipality=copenhagen, format="html", language="en")
    DBTaskResult.objects.create(
        args_kwargs={"args": [job.pk], "kwargs": {}}, task_path=jobs.make_report.module_path,
        backend_name="default", status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["w"])
    WorkerBeat.objects.create(worker_id="w", host="elsewhere", pid=1, seen=timezone.now())
    assert recover() == []
    # On this machine a worker is alive while its process is.
    WorkerBeat.objects.filter(worker_id="w").update(host=__import__("socket").gethostname(), pid=os.getppid())
    assert recover() == []


def test_the_schedule_queues_each_job_once_however_many_workers_ask(settings: Any, monkeypatch: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    ran: list[str] = []
    monkeypatch.setattr(schedule, "registry", {})
    schedule.register("test.hourly", datetime.timedelta(hours=1), lambda: ran.append("hourly"))
    schedule.register("test.daily", datetime.timedelta(days=1), lambda: ran.append("daily"))
    now = timezone.now()
    assert schedule.queue_due(now) == ["test.hourly", "test.daily"]
    assert schedule.queue_due(now) == []  # a second worker at the same moment queues nothing
    assert schedule.queue_due(now + datetime.timedelta(minutes=61)) == ["test.hourly"]
    assert DBTaskResult.objects.count() == 3 and not ran  # queued, for a worker to run
    assert ScheduledRun.objects.get(name="test.daily").last_run == now
    with pytest.raises(ValueError, match="positive"):
        schedule.register("test.never", datetime.timedelta(0), lambda: None)


def test_every_scheduled_job_is_registered_and_listed(settings: Any, capsys: Any) -> None:
    settings.TASKS = DATABASE_BACKEND
    assert {"core.prune_task_results", "reports.delete_old_reports", "interop.delete_old_uploads",
            "steering.daily_reminders"} <= set(schedule.registry)
    call_command("worker", list_schedule=True)
    out = capsys.readouterr().out
    assert "steering.daily_reminders\tevery 1 day, 0:00:00\tlast queued never" in out


def test_old_uploads_reports_and_finished_jobs_are_deleted_by_the_schedule(
        settings: Any, copenhagen: Municipality, coordinator: User) -> None:
    settings.UDSYN_KEEP_UPLOADS_DAYS, settings.UDSYN_KEEP_REPORTS_DAYS = 30, 10
    long_ago = timezone.now() - datetime.timedelta(days=31)
    old = TableUpload.objects.create(user=coordinator, filename="gammel.csv", content=b"")
    new = TableUpload.objects.create(user=coordinator, filename="ny.csv", content=b"")
    TableUpload.objects.filter(pk=old.pk).update(created=long_ago)
    reports = [ReportJob.objects.create(user=coordinator, municipality=copenhagen) for _ in range(2)]
    ReportJob.objects.filter(pk=reports[0].pk).update(created=timezone.now() - datetime.timedelta(days=11))
    finished = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                           backend_name="default", status=TaskResultStatus.SUCCESSFUL,
                                           finished_at=long_ago)
    waiting = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="x.y",
                                          backend_name="default")
    for name in ("interop.delete_old_uploads", "reports.delete_old_reports", "core.prune_task_results"):
        schedule.run_scheduled.call(name)
    assert list(TableUpload.objects.all()) == [new]
    assert list(ReportJob.objects.all()) == [reports[1]]
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert not DBTaskResult.objects.filter(pk=finished.pk).exists()
