"""Time the mapping report in each format: Copenhagen's, and a generated municipality ten times larger.

    .venv/bin/python benchmarks/report.py [--repeat 3] [--factor 10] [--write docs/benchmarks.md]

Loads the seeds into a throw-away database, makes Copenhagen's report in HTML, PDF and Word (Danish)
--repeat times each, then copies Copenhagen's registry --factor times into a new municipality
("Storby", code 9999: departments, engagements with their partners, cities and departments, funding,
stated figures) and times its report too. Reports wall time, the report's size and pages, the number of
SQL queries, and the peak memory (resident set size) of the process.
"""

import argparse
import resource
import statistics
import subprocess
import time
from pathlib import Path

from common import load_seeds, machine, write_section
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from udsyn.engagements.models import Engagement, Funding
from udsyn.organisation.models import Department, Municipality
from udsyn.reports.render import make


@transaction.atomic
def larger_copy(factor: int) -> Municipality:
    """A municipality holding ``factor`` copies of everything Copenhagen registers."""
    source = Municipality.objects.get(code="0101")
    big = Municipality.objects.create(code="9999", name="Storby", region=source.region)
    departments = {}
    for dept in source.departments.all():
        departments[dept.pk] = Department.objects.create(
            municipality=big, code=dept.code, name=dept.name, name_en=dept.name_en,
            international_work=dept.international_work, delegation_handling=dept.delegation_handling,
        )
    engagements = list(source.engagements.prefetch_related(
        "participating_departments", "partner_cities", "partner_organisations", "themes"))
    funding = list(Funding.objects.filter(municipality=source).prefetch_related("engagements"))
    for copy in range(factor):
        made = {}
        for e in engagements:
            made[e.pk] = Engagement.objects.create(
                municipality=big, title=f"{e.title} · {copy + 1}", kind=e.kind, partnership_type=e.partnership_type,
                lead_department=departments[e.lead_department_id], status=e.status, annual_fee=e.annual_fee,
                co_financing=e.co_financing, start_date=e.start_date, end_date=e.end_date,
                description=e.description, termination_reason=e.termination_reason,
            )
            new = made[e.pk]
            new.participating_departments.set([departments[d.pk] for d in e.participating_departments.all()])
            new.partner_cities.set(e.partner_cities.all())
            new.partner_organisations.set(e.partner_organisations.all())
            new.themes.set(e.themes.all())
        for e in engagements:
            if e.parent_id in made:
                Engagement.objects.filter(pk=made[e.pk].pk).update(parent=made[e.parent_id])
        for f in funding:
            line = Funding.objects.create(
                municipality=big, title=f"{f.title} · {copy + 1}", department=departments[f.department_id],
                programme=f.programme, amount=f.amount, currency=f.currency, amount_dkk=f.amount_dkk,
                approximate=f.approximate, start_date=f.start_date, end_date=f.end_date, status=f.status,
            )
            line.engagements.set([made[e.pk] for e in f.engagements.all() if e.pk in made])
    return big


def pages(fmt: str, data: bytes) -> str:
    if fmt != "pdf":
        return ""
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))


def measure(municipality: Municipality, fmt: str, repeat: int) -> tuple[float, float, int, str, int]:
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            made = make(municipality, fmt, "da")
            times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), len(made.data), pages(fmt, made.data), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    load_seeds()
    copenhagen = Municipality.objects.get(code="0101")
    make(copenhagen, "html", "da")  # warm up: vl-convert's first call starts its engine
    rows = []
    for municipality in (copenhagen, larger_copy(args.factor)):
        size = municipality.engagements.count()
        for fmt in ("html", "pdf", "docx"):
            lo, med, size_bytes, page_count, queries = measure(municipality, fmt, args.repeat)
            rows.append(f"| {municipality.name} | {size} | {fmt} | {lo:.2f} | {med:.2f} | "
                        f"{size_bytes / 1024:.0f} | {page_count} | {queries} |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    body = "\n".join([
        f"Measured {machine()}, {args.repeat} runs per format, Danish, wall time of `make()` "
        f"(gathering, charts, map, layout, file). Peak resident memory of the whole run: {peak_mb:.0f} MB.",
        "",
        "| municipality | engagements | format | min s | median s | KB | PDF pages | queries |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
    ])
    print(body)
    if args.write:
        write_section(args.write, "Report", body)


if __name__ == "__main__":
    main()
