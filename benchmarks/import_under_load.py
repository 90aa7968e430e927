"""A 5,000-row table import through the web while 20 clients browse: the errors and waits others see.

    .venv/bin/python benchmarks/import_under_load.py [--database-url URL] [--rows 5000] [--clients 20] \
        [--write docs/benchmarks.md]

1. The table file: a national data set is generated for one municipality (Frederiksberg, the first without
   a registry) in a throw-away SQLite database beside the seeds, exported as its internal CSV tables
   (``udsyn export --internal``), its ``id`` columns removed (they are that database's ids) and its goal
   links cut so that it holds ``--rows`` rows. It is kept in ``var/bench/`` for later runs.
2. A fresh database: without ``--database-url`` an SQLite file in a temporary folder; a PostgreSQL URL's
   database is dropped and created anew (never point it at one you need). It is migrated and given the
   seeds (as ``make demo``) and the demo users.
3. gunicorn with 2 sync workers (``--no-control-socket``) on a free port of 127.0.0.1, and one ``udsyn worker``
   if this installation has that command (then the import runs there).
4. ``--clients`` threads browse for the whole run, each with its own session: half of them signed in as a
   demo user (start page, engagement list and details, departments, search, funding), each signing out and
   in again every 25 requests (a session and ``last_login`` written), the others anonymous (public pages,
   the sign-in page); 0.5–1.5 s between one client's requests. After a few seconds of browsing, the
   administrator uploads the file on ``/import/tables/``, waits for the check (polling the page as the
   browser does), imports it, and waits for the import; browsing goes on a few seconds after.
5. Any answer other than 2xx or 3xx, or none within 60 s, is an error. Printed: requests, errors by kind,
   latency percentiles per kind of request and by phase (before, check, import, after), the check's and the
   import's time. ``--write`` puts it into the section "Import under load, SQLite" (or "…, PostgreSQL").

Exit status: 1 if the set-up or gunicorn fails, 2 if the check or the import does not succeed, 0 otherwise
(errors of the browsing clients are in the summary).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import requests
from load import executable, free_port, interrupt, machine_cpu, stop, udsyn, wait_until_up
from sections import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = [ROOT / "data/reference/dk-municipalities.yaml", *sorted((ROOT / "data/seed").glob("*.yaml"))]
GENERATED = "0147"  # the first municipality without a registry: the one `udsyn generate --municipalities 1` fills
ROWS_PER_ENGAGEMENT = 3.0  # about: its funding, goal links, representatives, people, organisations and cities
STAFF = ["koordinator", "laeser", "redaktoer-tmf", "redaktoer-oekf", "koordinator-odense", "redaktoer-kff"]
RELOGIN_EVERY = 25
TIMEOUT = 60.0
PAUSE = (0.5, 1.5)  # seconds between one client's requests
SETTLE = 5.0  # seconds of browsing before the upload and after the import


# Set-up ----------------------------------------------------------------------------------------------

def base_env(database_url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "UDSYN_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "udsyn.settings", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def table_file(rows: int, work: Path) -> tuple[Path, int]:
    """The zip of CSV tables to import (made once, kept in var/bench/), and its number of rows."""
    kept = ROOT / "var" / "bench" / f"import-{rows}.zip"
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        folder = work / "generate"
        folder.mkdir()
        env = base_env(f"sqlite:///{folder / 'generated.sqlite3'}", folder)
        print("Making the table file: seeds and one generated municipality ...", flush=True)
        udsyn(env, "migrate", "--noinput", "-v", "0")
        udsyn(env, "import", *map(str, SEEDS), "-v", "0")
        engagements = int(rows / ROWS_PER_ENGAGEMENT) + 50
        udsyn(env, "generate", "--municipalities", "1", "--engagements", str(engagements), "--inquiries", "0")
        exported = folder / "export.zip"
        udsyn(env, "export", "--format", "csv", "--internal", "--municipality", GENERATED, "-o", str(exported))
        kept.write_bytes(without_ids(exported.read_bytes(), rows))
    return kept, count_rows(kept.read_bytes())


def without_ids(content: bytes, rows: int) -> bytes:
    """The zip's CSV files without their ``id`` column, the last goal links cut so that it holds ``rows`` rows."""
    tables: dict[str, list[list[str]]] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8-sig")
            table = list(csv.reader(io.StringIO(text, newline="")))
            if table and table[0] and table[0][0] == "id":
                table = [row[1:] for row in table]
            tables[name] = table
    extra = sum(len(t) - 1 for t in tables.values()) - rows
    for leaf in ("goal_links.csv", "representatives.csv"):  # nothing refers to these rows
        if extra > 0 and leaf in tables:
            cut = min(extra, len(tables[leaf]) - 1)
            tables[leaf] = tables[leaf][:len(tables[leaf]) - cut]
            extra -= cut
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in tables.items():
            text = io.StringIO(newline="")
            csv.writer(text, lineterminator="\r\n").writerows(table)
            archive.writestr(name, "\ufeff" + text.getvalue())
    return out.getvalue()


def count_rows(content: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(max(0, len(list(csv.reader(io.StringIO(archive.read(n).decode("utf-8-sig"), newline="")))) - 1)
                   for n in archive.namelist())


def fresh_database(database_url: str, data_dir: Path) -> dict[str, str]:
    if database_url.startswith(("postgres://", "postgresql://")):
        subprocess.run([sys.executable, str(ROOT / "scripts/pg_createdb.py"), database_url, "--fresh"], check=True)
    env = base_env(database_url, data_dir)
    print("A fresh database with the seeds and the demo users ...", flush=True)
    udsyn(env, "migrate", "--noinput", "-v", "0")
    udsyn(env, "import", *map(str, SEEDS), "-v", "0")
    udsyn(env, "create_demo_users")
    return env


def has_worker(env: dict[str, str]) -> bool:
    return subprocess.run([sys.executable, "-m", "udsyn.cli", "help", "worker"], env=env, cwd=ROOT,
                          capture_output=True, check=False).returncode == 0


# Browsing --------------------------------------------------------------------------------------------

@dataclass
class Sample:
    at: float  # seconds since the start, when the answer came
    kind: str
    status: int  # 0: no answer
    ms: float
    error: str = ""


@dataclass
class Run:
    url: str
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    phases: list[tuple[str, float]] = field(default_factory=list)  # (name, start) in seconds since the start

    def now(self) -> float:
        return time.monotonic() - self.started

    def phase(self, name: str) -> None:
        self.phases.append((name, self.now()))
        print(f"{self.now():7.1f} s  {name}", flush=True)

    def request(self, session: requests.Session, kind: str, method: str, path: str, expect: tuple[int, ...] = (),
                **kwargs: object) -> requests.Response | None:
        start = time.monotonic()
        response = None
        error = ""
        try:
            response = session.request(method, self.url + path, timeout=TIMEOUT, allow_redirects=False,
                                       **kwargs)  # type: ignore[arg-type]
            status = response.status_code
            if not (200 <= status < 400 or status in expect):
                error = f"HTTP {status}" + (" database is locked" if b"database is locked" in response.content else "")
        except requests.RequestException as problem:
            status, error = 0, type(problem).__name__
        sample = Sample(time.monotonic() - self.started, kind, status, (time.monotonic() - start) * 1000, error)
        with self.lock:
            self.samples.append(sample)
        return response


def csrf(session: requests.Session) -> str:
    return session.cookies.get("csrftoken", "") or ""


def sign_in(run: Run, session: requests.Session, username: str, password: str) -> bool:
    run.request(session, "sign-in page", "GET", "/login/")
    response = run.request(session, "sign in (POST)", "POST", "/login/", data={
        "username": username, "password": password, "csrfmiddlewaretoken": csrf(session)},
        headers={"Referer": run.url + "/login/"})
    return response is not None and response.status_code == 302


def sign_out(run: Run, session: requests.Session) -> None:
    run.request(session, "sign out (POST)", "POST", "/logout/", data={"csrfmiddlewaretoken": csrf(session)},
                headers={"Referer": run.url + "/"})


def staff_pages(run: Run) -> list[str]:
    """Pages a signed-in user reads: ids come from the API, as the administrator sees them."""
    session = requests.Session()
    sign_in(run, session, "admin", "admin")
    engagements = session.get(run.url + "/api/engagements/?page_size=200", timeout=TIMEOUT).json()["results"]
    departments = session.get(run.url + "/api/departments/?page_size=100", timeout=TIMEOUT).json()["results"]
    pages = ["/", "/engagements/", "/engagements/?kind=membership", "/funding/", "/search/?q=klima",
             "/search/?q=kobenhavn", "/municipalities/"]
    pages += [f"/engagements/{e['id']}/" for e in engagements[:60]]
    pages += [f"/departments/{d['id']}/" for d in departments[:10]]
    session.close()
    return pages


PUBLIC = ["/public/", "/public/0101/", "/public/0461/", "/public/0169/", "/en/public/0101/", "/login/"]


def browse(run: Run, number: int, pages: list[str]) -> None:
    rng = random.Random(number)
    session = requests.Session()
    username = STAFF[number % len(STAFF)] if number % 2 == 0 else ""
    if username and not sign_in(run, session, username, username):
        print(f"client {number}: {username} could not sign in", file=sys.stderr)
    count = 0
    while not run.stopping.is_set():
        if username:
            count += 1
            if count % RELOGIN_EVERY == 0:
                sign_out(run, session)
                sign_in(run, session, username, username)
                continue
            run.request(session, "page, signed in", "GET", rng.choice(pages))
        else:
            run.request(session, "public page", "GET", rng.choice(PUBLIC))
        run.stopping.wait(rng.uniform(*PAUSE))
    session.close()


# The import ------------------------------------------------------------------------------------------

def state(page: str) -> str:
    if 'hx-trigger="every 1s"' in page:
        return "working"
    if 'name="action" value="import"' in page:
        return "checked"
    if "alert-error" in page:
        return "failed"
    return "imported"


def wait_for(run: Run, session: requests.Session, path: str) -> tuple[str, str]:
    """Poll the upload's page as the browser does (every second) until it is no longer working."""
    while True:
        response = run.request(session, "import page (polling)", "GET", path, expect=(286,),
                               headers={"HX-Request": "true"})
        if response is not None and response.status_code == 286:
            break
        time.sleep(1)
    page = session.get(run.url + path, timeout=TIMEOUT).text
    return state(page), page


def do_import(run: Run, content: bytes, timings: dict[str, float]) -> bool:
    session = requests.Session()
    if not sign_in(run, session, "admin", "admin"):
        print("admin could not sign in", file=sys.stderr)
        return False
    run.request(session, "import page", "GET", "/import/tables/")
    run.phase("check")
    start = time.monotonic()
    response = run.request(session, "upload (POST)", "POST", "/import/tables/",
                           files={"file": ("frederiksberg.zip", content, "application/zip")},
                           data={"csrfmiddlewaretoken": csrf(session), "table": ""},
                           headers={"Referer": run.url + "/import/tables/"})
    if response is None or response.status_code != 302:
        print(f"the upload failed: {response.status_code if response else 'no answer'}", file=sys.stderr)
        return False
    path = response.headers["Location"].removeprefix(run.url)
    checked, page = wait_for(run, session, path)
    timings["check"] = time.monotonic() - start
    if checked != "checked":
        print(f"the check ended {checked}:\n{re.sub(r'<[^>]+>', ' ', page)[:3000]}", file=sys.stderr)
        return False
    run.phase("import")
    start = time.monotonic()
    run.request(session, "import (POST)", "POST", path, data={
        "csrfmiddlewaretoken": csrf(session), "action": "import", "create_themes": "1"},
        headers={"Referer": run.url + path})
    imported, page = wait_for(run, session, path)
    timings["import"] = time.monotonic() - start
    if imported != "imported":
        print(f"the import ended {imported}:\n{re.sub(r'<[^>]+>', ' ', page)[:3000]}", file=sys.stderr)
        return False
    summary = re.findall(r'<th scope="row">([^<]+)</th><td class="align-text-right">(\d+)</td>', page)
    timings["created"] = sum(int(n) for _name, n in summary)
    return True


# Results ---------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def row(name: str, samples: list[Sample]) -> str:
    times = [s.ms for s in samples]
    errors = sum(1 for s in samples if s.error)
    return (f"| {name} | {len(samples)} | {errors} | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} "
            f"| {percentile(times, 0.99):.0f} | {max(times, default=0):.0f} |")


def report(run: Run, vendor: str, rows: int, timings: dict[str, float], clients: int, worker: bool,
           cpu: float, ok: bool) -> str:
    samples = run.samples
    span = run.now()
    errors = [s for s in samples if s.error]
    lines = [
        "Measured {} on {} (Python {}, {}): gunicorn with 2 sync workers{}, {} browsing clients on the same "
        "machine over loopback (half signed in, each signing in again every {} requests; half anonymous; "
        "{}–{} s between requests), and the administrator importing {:,} rows of CSV tables through "
        "`/import/tables/` (one generated municipality: {}).".format(
            time.strftime("%Y-%m-%d"), platform.node(), platform.python_version(), vendor,
            " and one `udsyn worker`" if worker else " (the import runs in a thread of the web process)",
            clients, RELOGIN_EVERY, *PAUSE, rows, "created" if timings.get("created") else "tables"),
        "",
        "Check {:.1f} s, import {:.1f} s (upload to result, as the page shows it); {} requests in {:.0f} s, "
        "**{} errors**{}; the machine was {:.0f} % busy.{}".format(
            timings.get("check", 0), timings.get("import", 0), len(samples), span, len(errors),
            " (" + ", ".join(f"{n} × {k}" for k, n in _counts(e.error for e in errors)) + ")" if errors else "",
            cpu, "" if ok else " **The import did not succeed.**"),
        "",
        "| requests | n | errors | median ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in sorted({s.kind for s in samples}):
        lines.append(row(kind, [s for s in samples if s.kind == kind]))
    lines.append(row("**all**", samples))
    bounds = [*run.phases, ("end", span)]
    lines += ["", "| phase | seconds | n | errors | median ms | p95 ms | p99 ms | max ms |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for (name, begin), (_next, end) in zip(bounds, bounds[1:], strict=False):
        inside = [s for s in samples if begin <= s.at < end]
        lines.append(row(f"{name} | {end - begin:.0f}", inside))
    return "\n".join(lines) + "\n"


def _counts(values: object) -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    for value in values:  # type: ignore[attr-defined]
        found[value] = found.get(value, 0) + 1
    return sorted(found.items(), key=lambda item: -item[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (dropped and made anew); default SQLite")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupt)

    work = Path(tempfile.mkdtemp(prefix="udsyn-import-load-"))
    content_path, rows = table_file(args.rows, work)
    database_url = args.database_url or f"sqlite:///{work / 'udsyn.sqlite3'}"
    vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    env = fresh_database(database_url, work / "data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env.update({"ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "UDSYN_BASE_URL": url})
    worker = has_worker(env)
    server = runner = None
    run = Run(url)
    timings: dict[str, float] = {}
    ok = False
    try:
        with (work / "gunicorn.log").open("wb") as log:
            server = subprocess.Popen(
                [executable("gunicorn"), "udsyn.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                 "--no-control-socket", "--chdir", str(ROOT)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            if worker:
                runner = subprocess.Popen([sys.executable, "-m", "udsyn.cli", "worker"], env=env, cwd=ROOT,
                                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        print(f"gunicorn (pid {server.pid}) on {url}{', a worker' if worker else ''}; log {work / 'gunicorn.log'}",
              flush=True)
        if not wait_until_up(server, url):
            print("gunicorn did not start; see its log", file=sys.stderr)
            return 1
        pages = staff_pages(run)
        run.started = time.monotonic()
        busy_start, all_start = machine_cpu()
        run.phase("before")
        threads = [threading.Thread(target=browse, args=(run, n, pages), daemon=True) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(SETTLE)
        ok = do_import(run, content_path.read_bytes(), timings)
        run.phase("after")
        time.sleep(SETTLE)
        run.stopping.set()
        for thread in threads:
            thread.join(TIMEOUT + 5)
        busy_end, all_end = machine_cpu()
        cpu = 100 * (busy_end - busy_start) / max(1e-9, all_end - all_start)
    finally:
        run.stopping.set()
        stop(runner, "udsyn worker", 20)
        stop(server, "gunicorn", 20)
    text = report(run, vendor, rows, timings, args.clients, worker, cpu, ok)
    print(text)
    log_text = (work / "gunicorn.log").read_text(errors="replace")
    locked = log_text.count("database is locked")
    if locked:
        print(f"The server's log says 'database is locked' {locked} times.", file=sys.stderr)
    if args.write:
        write_section(args.write, f"Import under load, {vendor}", text)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
