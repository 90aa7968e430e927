"""Set-up shared by the benchmark scripts: Django on a throw-away database, the seeds loaded, results
written into a section of docs/benchmarks.md."""

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udsyn.settings")
os.environ.setdefault("UDSYN_DATA_DIR", tempfile.mkdtemp(prefix="udsyn-bench-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from sections import write_section  # noqa: E402, F401  - the scripts call common.write_section

SEEDS = [ROOT / "data/reference/dk-municipalities.yaml", *sorted((ROOT / "data/seed").glob("*.yaml"))]


def load_seeds() -> float:
    """Migrate and import the seed files; the seconds the import took."""
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import", *[str(p) for p in SEEDS], verbosity=0)
    return time.perf_counter() - start


def machine() -> str:
    return "{} on {} ({}, Python {}, {})".format(
        time.strftime("%Y-%m-%d"), platform.node(), platform.machine(), platform.python_version(),
        connection.vendor,
    )


def sql_floor(queries: list[dict[str, Any]], repeat: int = 5) -> float:
    """The fastest time (ms) of running the page's SQL alone, fetching every row."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for query in queries:
                sql = query["sql"]
                if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) or "django_session" in sql:
                    continue
                if sql.startswith("DECLARE"):  # a server-side cursor (PostgreSQL): run its query
                    sql = sql.split(" FOR ", 1)[1]
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best


def measure(client: Client, url: str, repeat: int) -> dict[str, Any]:
    """Server time (ms: min, median, p95) of ``repeat`` requests through the test client, the queries of
    one request and their SQL floor; the page must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    captured: list[dict[str, Any]] = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        captured = queries.captured_queries
    times.sort()
    return {"min": times[0], "median": statistics.median(times), "p95": times[max(0, round(0.95 * len(times)) - 1)],
            "queries": len(captured), "floor": sql_floor(captured), "bytes": len(response.content)}


