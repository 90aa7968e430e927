"""Load test: gunicorn with two workers on a PostgreSQL database, driven by locust (benchmarks/locustfile.py).

    .venv/bin/python benchmarks/load.py --database-url postgres://postgres@127.0.0.1:5432/udsyn \
        [--users 50] [--spawn-rate 10] [--duration 5m] [--write docs/benchmarks.md]

The database must be migrated and hold a registry and the demo users (``udsyn create_demo_users``); the
test changes records (see benchmarks/locustfile.py): use a copy, never production. A short run:
``--users 20 --duration 30s``.

Starts ``gunicorn udsyn.wsgi:application --workers 2`` on a free port of 127.0.0.1 (DEBUG off, a random
SECRET_KEY, a throw-away UDSYN_DATA_DIR), waits until it answers, then runs locust headless in its own
process (gevent must not meet Django) with 70 % staff reading, 20 % public visitors and 10 % a
coordinator writing. Every 10 s it samples the resident memory (VmRSS) of each gunicorn worker. At the
end it prints a Markdown summary (requests, requests/s, failures, median/p95/p99 per request group from
locust's CSV, worker memory over time, server errors) and, with --write, puts it into the "Load test"
section of that file. gunicorn and locust are always stopped, also on Ctrl-C (or SIGTERM). Exit status: 1 if
gunicorn does not start (or stops during the run), 2 if locust gives no results, 130 on Ctrl-C, otherwise 0.
Request failures do not change it: they are in the summary.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SAMPLE_SECONDS = 10
START_TIMEOUT = 60
MIX = "staff reading 70 %, public 20 %, coordinator writing 10 %"


def udsyn(env: dict[str, str], *args: str) -> str:
    """Run a udsyn command in a process of its own with ``env``; stop the benchmark with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "udsyn.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"udsyn {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def executable(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    other = shutil.which(name)
    if other is None:
        sys.exit(f"{name} is not installed (pip install 'locust>=2.32' gunicorn)")
    return other


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seconds(duration: str) -> float:
    """Locust's run time (``5m``, ``30s``, ``1h30m``, ``90``) in seconds."""
    parts = re.findall(r"(\d+)\s*([hms]?)", duration)
    if not parts or "".join(n + u for n, u in parts) != duration.replace(" ", ""):
        raise argparse.ArgumentTypeError(f"not a duration: {duration!r} (e.g. 30s, 5m, 1h30m)")
    return float(sum(int(n) * {"h": 3600, "m": 60, "s": 1, "": 1}[u] for n, u in parts))


# Processes ------------------------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, by their id."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (command) state ppid ...": the command may hold spaces and parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the whole machine has been busy, and in all (busy and idle), since it started."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq + steal) / tick, sum(values) / tick


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match.group(1)) / 1024 if match else None


def stop(process: subprocess.Popen[bytes] | None, name: str, grace: float) -> None:
    """Ask a process we started to stop (SIGTERM: gunicorn's master stops its workers, locust writes its
    results), then kill its whole process group (its own session) if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        process.terminate()
        process.wait(grace)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in {grace:.0f} s: killing it", file=sys.stderr)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM and SIGHUP stop the run like Ctrl-C: the servers are in sessions of their own and would live on."""
    raise KeyboardInterrupt


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Finish stopping the processes even if Ctrl-C is pressed (or SIGTERM comes) again meanwhile."""
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass
class Workers:
    """RSS samples of the gunicorn workers; a worker that is replaced keeps its slot (counted as restarted).
    Also the CPU time each worker process used between its first and last sample."""

    master: int
    slots: list[int] = field(default_factory=list)
    samples: list[tuple[float, list[float | None]]] = field(default_factory=list)
    restarts: int = 0
    cpu: dict[int, tuple[float, float]] = field(default_factory=dict)  # pid: (first, last) CPU seconds

    def sample(self, elapsed: float) -> None:
        current = children(self.master)
        if not self.slots:
            self.slots = current
        gone = [i for i, pid in enumerate(self.slots) if pid not in current]
        new = [pid for pid in current if pid not in self.slots]
        for slot, pid in zip(gone, new, strict=False):
            self.slots[slot] = pid
            self.restarts += 1
        self.samples.append((elapsed, [rss_mb(pid) if pid in current else None for pid in self.slots]))
        for pid in current:
            used = cpu_seconds(pid)
            if used is not None:
                self.cpu[pid] = (self.cpu.get(pid, (used, used))[0], used)

    def cpu_used(self) -> list[float]:
        return [last - first for first, last in self.cpu.values()]


def wait_until_up(server: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url + "/login/", timeout=5) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


# Results --------------------------------------------------------------------------------------------

@dataclass
class Group:
    name: str
    method: str
    requests: int
    failures: int
    median: float
    p95: float
    p99: float
    maximum: float
    per_second: float


def read_stats(path: Path) -> list[Group]:
    groups = []
    with path.open(newline="") as file:
        for row in csv.DictReader(file):
            if not row["Request Count"] or int(row["Request Count"]) == 0:
                continue

            def number(column: str, row: dict[str, str] = row) -> float:
                value = row.get(column, "")
                return float(value) if value not in ("", "N/A") else 0.0

            groups.append(Group(
                name=row["Name"], method=row["Type"], requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]), median=number("50%"), p95=number("95%"), p99=number("99%"),
                maximum=number("Max Response Time"), per_second=number("Requests/s"),
            ))
    return groups


def read_failures(path: Path) -> list[tuple[int, str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as file:
        rows = [(int(r["Occurrences"]), f"{r['Method']} {r['Name']}", r["Error"]) for r in csv.DictReader(file)]
    return sorted(rows, reverse=True)


def read_timeline(path: Path) -> list[tuple[float, float, bool]]:
    """(seconds since the start, ms, failed) of every request, from the locustfile's ``_requests.csv``."""
    if not path.exists():
        return []
    with path.open(newline="") as file:
        return [(float(r["seconds"]), float(r["ms"]), r["failed"] == "1") for r in csv.DictReader(file)]


def percentile(values: list[float], share: float) -> float:
    """Nearest rank of sorted values."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


def summary(rows: list[tuple[float, float, bool]], span: float) -> tuple[int, float, int, float, float, float]:
    """requests, requests/s (over ``span`` seconds), failures, median, p95 and p99 ms."""
    times = sorted(ms for _t, ms, _f in rows)
    return (len(rows), len(rows) / span if span else 0.0, sum(f for _t, _ms, f in rows),
            percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99))


def over_time(timeline: list[tuple[float, float, bool]], run_seconds: float) -> list[str]:
    """A row per minute of the run, and the run without its first minute (logins, first renders)."""
    if not timeline:
        return []
    minutes = max(1, -int(-run_seconds // 60))
    buckets: list[list[tuple[float, float, bool]]] = [[] for _ in range(minutes)]
    for row in timeline:  # requests ending after the run time (while users stop) count in the last minute
        buckets[min(minutes - 1, int(row[0] // 60))].append(row)
    lines = [
        "Over time (by the time each request ended):",
        "",
        "| minutes | requests | requests/s | failures | median ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for i, rows in enumerate(buckets):
        end = min(run_seconds, 60 * (i + 1))
        count, rate, failed, median, p95, p99 = summary(rows, end - 60 * i)
        lines.append(f"| {i}–{end / 60:g} | {count:,} | {rate:.1f} | {failed:,} | {ms(median)} | {ms(p95)} | "
                     f"{ms(p99)} |")
    if run_seconds > 90:
        count, rate, failed, median, p95, p99 = summary([r for r in timeline if r[0] >= 60], run_seconds - 60)
        lines += ["", f"Without the first minute (users logging in, each worker's first renders): {count:,} "
                  f"requests, {rate:.1f} requests/s, {failed:,} failures; median {ms(median)} ms, p95 {ms(p95)} ms, "
                  f"p99 {ms(p99)} ms."]
    return lines


def server_problems(log: Path) -> list[str]:
    """What the gunicorn log says went wrong: server errors, worker timeouts and restarts, by kind."""
    if not log.exists():
        return []
    text = log.read_text(errors="replace").split("Handling signal: term", 1)[0]  # not the shutdown at the end
    counts = {
        "server errors (500)": len(re.findall(r"^Internal Server Error: ", text, re.M)),
        "worker timeouts": len(re.findall(r"WORKER TIMEOUT", text)),
        "workers killed or exited": len(re.findall(r"Worker \(pid:\d+\) (?:was sent|exited)", text)),
        "tracebacks": text.count("Traceback (most recent call last)"),
    }
    lines = [f"{count} {kind}" for kind, count in counts.items() if count]
    paths: dict[str, int] = {}
    for path in re.findall(r"^Internal Server Error: (\S+)", text, re.M):
        key = re.sub(r"\d+", "<id>", path)
        paths[key] = paths.get(key, 0) + 1
    lines += [f"500 on {path}: {n}" for path, n in sorted(paths.items(), key=lambda p: -p[1])[:5]]
    return lines


def database_line() -> str:
    """The database the server used: vendor, version and how much it holds (Django, set up by common.py)."""
    from django.db import connection

    from udsyn.engagements.models import Engagement
    from udsyn.inquiries.models import Inquiry
    from udsyn.organisation.models import Department

    version = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            version = " " + str(cursor.fetchone()[0]).split()[0]
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(connection.vendor, connection.vendor)
    line = "{}{}: {:,} engagements, {:,} inquiries, {:,} departments with a registry in {:,} municipalities".format(
        name, version, Engagement.objects.count(), Inquiry.objects.count(), Department.objects.count(),
        Department.objects.values("municipality").distinct().count(),
    )
    connection.close()
    return line


def ms(value: float) -> str:
    return f"{value:,.0f}"


def report(args: argparse.Namespace, machine: str, database: str, groups: list[Group],
           failures: list[tuple[int, str, str]], timeline: list[tuple[float, float, bool]], workers: Workers,
           cpu: tuple[float, float, float], problems: list[str], locust_version: str) -> str:
    total = next((g for g in groups if g.name == "Aggregated"), None)
    rows = sorted((g for g in groups if g.name != "Aggregated"), key=lambda g: -g.requests)
    lines = [
        f"Measured {machine}: gunicorn with 2 sync workers, {locust_version} on the same machine over loopback, "
        f"{args.users} users (spawned {args.spawn_rate}/s) for {args.duration}; {MIX}, each waiting 1–3 s "
        "between requests (the writer 2–5 s).",
        "",
        f"Database: {database}.",
        "",
    ]
    if total is not None:
        share = 100 * total.failures / total.requests if total.requests else 0
        lines += [
            f"**{total.requests:,} requests, {total.per_second:.1f} requests/s, {total.failures:,} failures "
            f"({share:.2f} %); median {ms(total.median)} ms, p95 {ms(total.p95)} ms, p99 {ms(total.p99)} ms.**",
            "",
        ]
    lines += [
        "| request | requests | failures | median ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for g in [*rows, *([total] if total else [])]:
        label = "all" if g.name == "Aggregated" else f"{g.method} {g.name}"
        lines.append(f"| {label} | {g.requests:,} | {g.failures:,} | {ms(g.median)} | {ms(g.p95)} | {ms(g.p99)} "
                     f"| {ms(g.maximum)} |")
    if failures:
        lines += ["", "Failures (most frequent first):", "", "| count | request | error |", "| ---: | --- | --- |"]
        for count, request, error in failures[:5]:
            lines.append(f"| {count:,} | {request} | {error.replace('|', '/')[:200]} |")
    lines += ["", *over_time(timeline, seconds(args.duration))]
    lines += ["", *memory_table(workers)]
    locust_cpu, busy, available = cpu
    used = workers.cpu_used()
    others = max(0.0, busy - sum(used) - locust_cpu)
    share = 100 * busy / available if available else 0.0
    lines += ["", f"CPU time used during the run: gunicorn workers {' + '.join(f'{u:.0f} s' for u in used) or '?'}, "
              f"locust {locust_cpu:.0f} s, everything else (PostgreSQL, this script, other processes) {others:.0f} s; "
              f"the machine's {os.cpu_count()} CPUs were {share:.0f} % busy."]
    lines += ["", "Server log: " + ("; ".join(problems) if problems else "no errors, timeouts or restarts") + "."]
    return "\n".join(lines) + "\n"


def memory_table(workers: Workers) -> list[str]:
    if not workers.samples:
        return ["Worker memory: not sampled."]
    width = len(workers.slots)
    # One row a minute (the first sample at or after it), and the last sample.
    chosen: list[tuple[float, list[float | None]]] = []
    minute = 0.0
    for elapsed, values in workers.samples:
        if elapsed >= minute:
            chosen.append((elapsed, values))
            minute = (elapsed // 60 + 1) * 60
    final = workers.samples[-1]
    if chosen[-1] is not final:  # the sample taken after the run: instead of a row just before it, or after it
        if final[0] - chosen[-1][0] < SAMPLE_SECONDS * 3:
            chosen[-1] = final
        else:
            chosen.append(final)
    headers = " | ".join(f"worker {i + 1} MB" for i in range(width))
    lines = [
        f"Worker memory (resident, VmRSS; sampled every {SAMPLE_SECONDS} s):",
        "",
        f"| minute | {headers} |",
        "| ---: |" + " ---: |" * width,
    ]
    for elapsed, values in chosen:
        cells = " | ".join("–" if v is None else f"{v:.0f}" for v in values)
        lines.append(f"| {elapsed / 60:.1f} | {cells} |")
    growth = []
    for i, (a, b) in enumerate(zip(workers.samples[0][1], final[1], strict=False)):
        if a is not None and b is not None:
            growth.append(f"worker {i + 1} {a:.0f} → {b:.0f} MB ({b - a:+.0f} MB)")
    lines += ["", "Growth first → last: " + ("; ".join(growth) or "–") + "."]
    if workers.restarts:
        lines.append(f"{workers.restarts} worker(s) were replaced during the run (the slot shows the new one).")
    return lines


# Main -----------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="postgres://user:pass@host:5432/name")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", default="5m", help="locust's --run-time: 30s, 5m, 1h (default 5m)")
    parser.add_argument("--write", type=Path, help="put the result into the 'Load test' section of this file")
    args = parser.parse_args()
    try:
        run_seconds = seconds(args.duration)
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))

    work = Path(tempfile.mkdtemp(prefix="udsyn-load-"))
    (work / "data" / "static").mkdir(parents=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["UDSYN_DATA_DIR"] = str(work / "data")
    sys.path.insert(0, str(HERE))
    import common  # sets up Django on DATABASE_URL (for the counts and the machine line; not for the server)
    from django.db import Error as DatabaseError

    try:
        machine = common.machine()
        database = database_line()
    except DatabaseError as error:
        print(f"Cannot read the database: {error}".strip(), file=sys.stderr)
        return 1
    locust_version = subprocess.run([executable("locust"), "--version"], capture_output=True, text=True,
                                    check=False).stdout.split(" from ")[0].strip() or "locust"

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "DATABASE_URL": args.database_url, "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50), "UDSYN_DATA_DIR": str(work / "data"),
        "DJANGO_SETTINGS_MODULE": "udsyn.settings", "UDSYN_BASE_URL": url, "PYTHONUNBUFFERED": "1",
    }
    server_log = work / "gunicorn.log"
    server: subprocess.Popen[bytes] | None = None
    runner: subprocess.Popen[bytes] | None = None
    workers = Workers(master=0)
    interrupted = server_died = False
    locust_cpu = 0.0
    machine_start = machine_end = (0.0, 0.0)
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    try:
        with server_log.open("wb") as log:
            server = subprocess.Popen(
                [executable("gunicorn"), "udsyn.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                 "--no-control-socket", "--chdir", str(ROOT)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        print(f"gunicorn (pid {server.pid}) on {url}, log {server_log}", flush=True)
        if not wait_until_up(server, url):
            state = f"exited with status {server.returncode}" if server.poll() is not None \
                else f"did not answer within {START_TIMEOUT} s"
            print(f"gunicorn {state}; its log:", file=sys.stderr)
            print(server_log.read_text(errors="replace")[-4000:], file=sys.stderr)
            return 1
        workers.master = server.pid
        workers.sample(0.0)
        print(f"workers {workers.slots}; locust: {args.users} users, {args.spawn_rate}/s, {args.duration}", flush=True)

        runner = subprocess.Popen(
            [executable("locust"), "-f", str(HERE / "locustfile.py"), "--headless", "--users", str(args.users),
             "--spawn-rate", str(args.spawn_rate), "--run-time", args.duration, "--host", url,
             "--csv", str(work / "locust"), "--only-summary", "--stop-timeout", "10"],
            cwd=work, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, start_new_session=True)
        started = time.monotonic()
        machine_start = machine_cpu()
        next_sample = started + SAMPLE_SECONDS
        while runner.poll() is None:
            time.sleep(0.5)
            locust_cpu = cpu_seconds(runner.pid) or locust_cpu
            now = time.monotonic()
            if now >= next_sample:
                workers.sample(now - started)
                next_sample += SAMPLE_SECONDS
            if server.poll() is not None:
                print("gunicorn stopped during the run; stopping locust", file=sys.stderr)
                server_died = True
                break
            if now - started > run_seconds + 120:
                print("locust did not finish in time; stopping it", file=sys.stderr)
                break
        if runner.poll() is None:
            stop(runner, "locust", 20)
        machine_end = machine_cpu()
        if server.poll() is None:
            workers.sample(time.monotonic() - started)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with interrupts_deferred():
            stop(runner, "locust", 20)
            stop(server, "gunicorn", 40)
    if interrupted:
        print(f"\nInterrupted: gunicorn and locust are stopped. Files in {work}", file=sys.stderr)
        return 130

    # The locustfile's final statistics when there are (locust's own files may miss the last second).
    stats, failures = work / "locust_final_stats.csv", work / "locust_final_failures.csv"
    if not stats.exists():
        stats, failures = work / "locust_stats.csv", work / "locust_failures.csv"
    if not stats.exists() or (runner is not None and runner.returncode == 3):  # 3: the locustfile found no records
        print(f"locust gave no results (exit status {runner.returncode if runner else '?'}); see above",
              file=sys.stderr)
        return 2
    body = report(args, machine, database, read_stats(stats), read_failures(failures),
                  read_timeline(work / "locust_requests.csv"), workers,
                  (locust_cpu, machine_end[0] - machine_start[0], machine_end[1] - machine_start[1]),
                  server_problems(server_log) + (["gunicorn's master exited during the run"] if server_died else []),
                  locust_version)
    print("\n## Load test\n\n" + body)
    print(f"(locust's CSV files and the gunicorn log are in {work})")
    if args.write:
        common.write_section(args.write, "Load test", body)
        print(f"Written to the 'Load test' section of {args.write}")
    return 1 if server_died else 0


if __name__ == "__main__":
    sys.exit(main())
