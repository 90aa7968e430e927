"""The public inquiry form under bursts: 200 bounded sends from several clients behind a trusted proxy.

    .venv/bin/python benchmarks/public_form.py [--database-url URL] [--requests 200] [--clients 20] \
        [--burst 20] [--workers 2] [--write docs/benchmarks.md]

1. A fresh database: without ``--database-url`` an SQLite file in a temporary folder; a PostgreSQL URL's
   database is dropped and created anew (never point it at one you need). It is migrated and given the
   reference municipalities and Copenhagen's seed (the form offers municipalities with a registry).
2. gunicorn with ``--workers`` sync workers (``--no-control-socket``) on a free port of 127.0.0.1, with
   ``UDSYN_TRUSTED_PROXIES=127.0.0.1`` as behind the shipped nginx. The e-mails are queued in the database
   (no ``udsyn worker`` runs, so none is sent).
3. ``--clients`` simulated clients, each with an address of its own given in ``X-Forwarded-For`` as nginx
   gives it (the form page fetched once for the CSRF cookie). The ``--requests`` sends go in bursts of
   ``--burst`` sent at the same moment (threads released together): in each burst ``--at-once`` (10) sends
   from each of ``burst / at-once`` clients, the clients taking turns, so that each client sends its 10 at
   once, twice the hourly limit, within the hour; every send is bounded: a
   different e-mail address each time (only the client address limits), a message of 200 to 4,000
   characters, below the form's 5,000. One send in ten, chosen at random, carries a message of 6,000
   characters, which the form refuses (400) and must not echo.
4. Any answer other than 302 (saved), 429 (the hourly limit) or 400 (too long), or none within 60 s, is an
   error. Afterwards the database is asked how many inquiries it holds, and per client how many were saved:
   no client may have more than the limit (``UDSYN_INQUIRIES_PER_HOUR``, 5).

Printed: requests, saved, refused, too long, errors, latency median and p95 (all, and per outcome), the
largest answer to a refused post, and whether the limit held. ``--write`` puts it into the section
"Public form under bursts, SQLite" (or "…, PostgreSQL") of the file.

Exit status: 1 if the set-up or gunicorn fails, 2 if the limit did not hold or an answer was an error.
"""

from __future__ import annotations

import argparse
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
from dataclasses import dataclass
from pathlib import Path

import requests
from load import executable, free_port, interrupt, machine_cpu, stop, udsyn, wait_until_up
from sections import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = [ROOT / "data/reference/dk-municipalities.yaml", ROOT / "data/seed/0101-koebenhavn.yaml"]
LIMIT = 5  # UDSYN_INQUIRIES_PER_HOUR, as the server runs
TIMEOUT = 60.0
TOO_LONG_EVERY = 10
OUTCOMES = {302: "saved", 429: "refused (limit)", 400: "refused (too long)"}


def fresh_database(database_url: str, data_dir: Path) -> dict[str, str]:
    if database_url.startswith(("postgres://", "postgresql://")):
        subprocess.run([sys.executable, str(ROOT / "scripts/pg_createdb.py"), database_url, "--fresh"], check=True)
    env = {**os.environ, "DATABASE_URL": database_url, "UDSYN_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "udsyn.settings", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
           "UDSYN_INQUIRIES_PER_HOUR": str(LIMIT)}
    print("A fresh database with the municipalities and Copenhagen's seed ...", flush=True)
    udsyn(env, "migrate", "--noinput", "-v", "0")
    udsyn(env, "import", *map(str, SEEDS), "-v", "0")
    return env


@dataclass
class Sample:
    client: int
    status: int  # 0: no answer
    ms: float
    size: int
    long: bool
    error: str = ""


class Client:
    """One simulated sender: its own address (as nginx would forward it) and session."""

    def __init__(self, number: int, url: str) -> None:
        self.number = number
        self.address = f"198.51.100.{number + 1}"
        self.url = url
        self.session = requests.Session()
        self.session.headers["X-Forwarded-For"] = self.address
        self.token = ""
        self.municipality = ""
        self.sent = 0

    def open_form(self) -> None:
        page = self.session.get(self.url + "/en/inquiries/new/?municipality=0101", timeout=TIMEOUT).text
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        chosen = re.search(r'<option value="(\d+)" selected', page)
        if not found or not chosen:
            sys.exit("the form page has no CSRF token or no municipality chosen")
        self.token, self.municipality = found.group(1), chosen.group(1)

    def send(self, long: bool) -> Sample:
        self.sent += 1
        words = random.choices(["visit", "climate", "cycling", "harbour", "water", "school", "care"], k=1500)
        message = " ".join(words)[:6000 if long else random.randint(200, 4000)]
        data = {"csrfmiddlewaretoken": self.token, "municipality": self.municipality, "kind": "idea",
                "organisation": "", "organisation_kind": "citizen", "country": "NL",
                "contact_name": f"Sender {self.number}", "language": "en",
                "contact_email": f"client{self.number}-{self.sent}-{secrets.token_hex(3)}@example.org",
                "message": message, "website": ""}
        session = requests.Session()  # one per send: a client's sends go at the same moment, from threads
        session.cookies.update(self.session.cookies)
        session.headers["X-Forwarded-For"] = self.address
        start = time.monotonic()
        try:
            response = session.post(self.url + "/en/inquiries/new/", data=data, timeout=TIMEOUT,
                                         allow_redirects=False, headers={"Referer": self.url + "/en/inquiries/new/"})
        except requests.RequestException as problem:
            return Sample(self.number, 0, (time.monotonic() - start) * 1000, 0, long, type(problem).__name__)
        ms = (time.monotonic() - start) * 1000
        expected = 400 if long else (302, 429)
        status = response.status_code
        ok = status == expected if isinstance(expected, int) else status in expected
        return Sample(self.number, status, ms, len(response.content), long, "" if ok else f"HTTP {status}")


def burst(clients: list[Client], longs: list[bool]) -> list[Sample]:
    """Send once from each of the clients, all released at the same moment."""
    barrier = threading.Barrier(len(clients))
    results: list[Sample | None] = [None] * len(clients)

    def run(i: int) -> None:
        barrier.wait(timeout=TIMEOUT)
        results[i] = clients[i].send(longs[i])

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT + 10)
    return [r for r in results if r is not None]


def saved_per_client(env: dict[str, str]) -> tuple[int, dict[str, int]]:
    """What the database holds: the inquiries, and per client (by the keyed hash of its address) how many."""
    code = ("from collections import Counter; from udsyn.inquiries.models import Inquiry; "
            "from udsyn.inquiries.workflow import client_key; "
            "keys = {client_key(f'198.51.100.{n}'): f'198.51.100.{n}' for n in range(1, 255)}; "
            "counts = Counter(keys.get(k, k) for k in Inquiry.objects.values_list('client_key', flat=True)); "
            "print(Inquiry.objects.count()); [print(a, n) for a, n in counts.items()]")
    lines = udsyn(env, "shell", "--no-imports", "-c", code).strip().split("\n")
    per = {line.split()[0]: int(line.split()[1]) for line in lines[1:] if line.strip()}
    return int(lines[0]), per


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def row(name: str, samples: list[Sample]) -> str:
    times = [s.ms for s in samples]
    return (f"| {name} | {len(samples)} | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} "
            f"| {max(times, default=0):.0f} | {max((s.size for s in samples), default=0):,} |")


def report(samples: list[Sample], args: argparse.Namespace, vendor: str, span: float, cpu: float,
           stored: int, per_client: dict[str, int]) -> tuple[str, bool]:
    saved = sum(1 for s in samples if s.status == 302)
    limited = sum(1 for s in samples if s.status == 429)
    too_long = sum(1 for s in samples if s.status == 400)
    errors = [s for s in samples if s.error]
    most = max(per_client.values(), default=0)
    held = most <= LIMIT and stored == saved
    expected = sum(min(LIMIT, sum(1 for s in samples if s.client == c and not s.long)) for c in range(args.clients))
    lines = [
        "Measured {} on {} (Python {}, {}): gunicorn with {} sync workers, `UDSYN_TRUSTED_PROXIES=127.0.0.1`, "
        "{} clients on the same machine over loopback, each with its own address in `X-Forwarded-For`; {} sends "
        "to `/en/inquiries/new/` in bursts of {} at the same moment ({} from each of {} clients), each with a new "
        "e-mail address and a message "
        "of 200–4,000 characters, one in {} (at random) of 6,000, over the limit of 5,000. Limit: {} an hour per "
        "client.".format(time.strftime("%Y-%m-%d"), platform.node(), platform.python_version(), vendor,
                         args.workers, args.clients, len(samples), args.burst, args.at_once,
                         args.burst // args.at_once, TOO_LONG_EVERY, LIMIT),
        "",
        "{} requests in {:.1f} s: **{} saved**, {} refused by the limit, {} refused as too long, **{} errors**{}; "
        "the database holds {} inquiries, at most {} from one client (expected {} saved in all). **The limit {}.** "
        "The machine was {:.0f} % busy.".format(
            len(samples), span, saved, limited, too_long, len(errors),
            " (" + ", ".join(sorted({e.error for e in errors})) + ")" if errors else "", stored, most, expected,
            "held" if held else "did NOT hold", cpu),
        "",
        "| answers | n | median ms | p95 ms | max ms | largest answer (bytes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for status, name in OUTCOMES.items():
        lines.append(row(f"{name} ({status})", [s for s in samples if s.status == status]))
    others = [s for s in samples if s.status not in OUTCOMES]
    if others:
        lines.append(row("errors", others))
    lines.append(row("**all**", samples))
    return "\n".join(lines) + "\n", held and not errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (dropped and made anew); default SQLite")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--at-once", type=int, default=10, help="sends of one client in a burst")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupt)

    work = Path(tempfile.mkdtemp(prefix="udsyn-public-form-"))
    database_url = args.database_url or f"sqlite:///{work / 'udsyn.sqlite3'}"
    vendor = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    env = fresh_database(database_url, work / "data")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env.update({"ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "UDSYN_BASE_URL": url, "UDSYN_TRUSTED_PROXIES": "127.0.0.1"})
    server = None
    samples: list[Sample] = []
    try:
        with (work / "gunicorn.log").open("wb") as log:
            server = subprocess.Popen(
                [executable("gunicorn"), "udsyn.wsgi:application", "--workers", str(args.workers),
                 "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--chdir", str(ROOT)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        print(f"gunicorn (pid {server.pid}) on {url}; log {work / 'gunicorn.log'}", flush=True)
        if not wait_until_up(server, url):
            print("gunicorn did not start; see its log", file=sys.stderr)
            return 1
        clients = [Client(n, url) for n in range(args.clients)]
        for client in clients:
            client.open_form()
        busy_start, all_start = machine_cpu()
        started = time.monotonic()
        turn = 0
        too_long = set(random.Random(17).sample(range(args.requests), args.requests // TOO_LONG_EVERY))
        while len(samples) < args.requests:
            size = min(args.burst, args.requests - len(samples))
            chosen = [clients[(turn + i // args.at_once) % len(clients)] for i in range(size)]
            longs = [len(samples) + i in too_long for i in range(size)]
            turn += -(-size // args.at_once)
            samples += burst(chosen, longs)
            print(f"{time.monotonic() - started:6.1f} s  {len(samples)} sent", flush=True)
        span = time.monotonic() - started
        busy_end, all_end = machine_cpu()
        cpu = 100 * (busy_end - busy_start) / max(1e-9, all_end - all_start)
    finally:
        stop(server, "gunicorn", 20)
    stored, per_client = saved_per_client(env)
    text, ok = report(samples, args, vendor, span, cpu, stored, per_client)
    print(text)
    if args.write:
        write_section(args.write, f"Public form under bursts, {vendor}", text)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
