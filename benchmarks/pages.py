"""Time the main pages on the demo registry, and again with many more engagements.

    .venv/bin/python benchmarks/pages.py [--repeat 30] [--scale 3000] [--write docs/benchmarks.md]

Builds a throw-away SQLite database (or uses DATABASE_URL), loads the seed registries through the
importer, times each page with Django's test client (server time, no network), then adds --scale
generated engagements (copies of Copenhagen's, with partners, themes and departments) and times the
pages again. Prints a Markdown table; --write replaces the "Pages" section of the given file.
"""

import argparse
import time
from pathlib import Path
from typing import Any

from common import load_seeds, machine, measure, write_section
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Department, Municipality, Role


def pages() -> list[tuple[str, str]]:
    copenhagen = Municipality.objects.get(code="0101")
    tmf = Department.objects.get(municipality=copenhagen, code="TMF")
    eurocities = Engagement.objects.get(municipality=copenhagen, title__iexact="EUROCITIES")
    return [
        ("start page", "/"),
        ("engagement list", "/engagements/"),
        ("engagement list, TMF memberships", f"/engagements/?department={tmf.pk}&kind=membership"),
        ("engagement detail (EUROCITIES)", eurocities.get_absolute_url()),
        ("department detail (TMF)", tmf.get_absolute_url()),
        ("municipality detail", copenhagen.get_absolute_url()),
        ("search 'kobenhavn'", "/search/?q=kobenhavn"),
        ("funding list", "/funding/"),
        ("goal conformance (København)", "/goals/conformance/?municipality=0101"),
        ("public page (København)", "/public/0101/"),
    ]


def tables(municipality: Municipality) -> list[str]:
    """Time the internal CSV export of a municipality and its re-import (a dry run): the table round trip."""
    from udsyn.interop import tabular

    start = time.perf_counter()
    content, extension = tabular.export("csv", municipality, internal=True)
    exported = time.perf_counter() - start
    sheets = tabular.read(f"tables.{extension}", content)
    start = time.perf_counter()
    result = tabular.import_tables(sheets, dry_run=True)
    imported = time.perf_counter() - start
    assert result.ok, result.problems[:3]
    rows = sum(len(sheet.rows) for sheet in sheets)
    return [f"{rows} rows: CSV export {exported:.2f} s, re-import (dry run, every row checked) {imported:.2f} s"]


@transaction.atomic
def scale_up(count: int) -> None:
    """Add ``count`` engagements modelled on Copenhagen's own: same departments, partners and themes."""
    copenhagen = Municipality.objects.get(code="0101")
    models = list(Engagement.objects.filter(municipality=copenhagen).prefetch_related(
        "participating_departments", "themes", "partner_cities", "partner_organisations"))
    through = Engagement.participating_departments.through
    made = []
    for i in range(count):
        model = models[i % len(models)]
        made.append(Engagement(
            municipality=copenhagen, title=f"{model.title} ({i + 1})", kind=model.kind,
            partnership_type=model.partnership_type, lead_department_id=model.lead_department_id,
            status=model.status, annual_fee=model.annual_fee, start_date=model.start_date, end_date=model.end_date,
            description=model.description,
        ))
    Engagement.objects.bulk_create(made, batch_size=500)
    rows = []
    for i, engagement in enumerate(made):
        model = models[i % len(models)]
        rows += [through(engagement_id=engagement.pk, department_id=d.pk)
                 for d in model.participating_departments.all()]
    through.objects.bulk_create(rows, batch_size=1000)
    from udsyn.core import search

    search.rebuild([Engagement])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scale", type=int, default=3000)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()

    import_seconds = load_seeds()
    user = User.objects.create_user("bench", password="bench")
    Role.objects.create(user=user, kind=Role.Kind.READER)
    client = Client()
    client.force_login(user)

    results: dict[str, list[dict[str, Any]]] = {}
    sizes = [Engagement.objects.count()]
    copenhagen = Municipality.objects.get(code="0101")
    round_trips = tables(copenhagen)
    for name, url in pages():
        results[name] = [measure(client, url, args.repeat)]
    scale_up(args.scale)
    sizes.append(Engagement.objects.count())
    round_trips += tables(copenhagen)
    for name, url in pages():
        results[name].append(measure(client, url, args.repeat))

    lines = [
        f"Measured {machine()}, {args.repeat} requests per page, server time through Django's test client. "
        f"Seed import: {import_seconds:.1f} s.",
        "",
        "| page | engagements | min ms | median ms | p95 ms | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, rows in results.items():
        for size, r in zip(sizes, rows, strict=True):
            lines.append(f"| {name} | {size} | {r['min']:.1f} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} |")
    lines += ["", "Tables of København (every table, internal): " + "; ".join(round_trips) + "."]
    table = "\n".join(lines) + "\n"
    print(table)
    if args.write:
        write_section(args.write, "Pages", table)


if __name__ == "__main__":
    main()
