"""Set-up shared by the benchmark scripts: Django on a throw-away database, the seeds loaded, results
written into a section of docs/benchmarks.md."""

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udsyn.settings")
os.environ.setdefault("UDSYN_DATA_DIR", tempfile.mkdtemp(prefix="udsyn-bench-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

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


def write_section(path: Path, heading: str, body: str) -> None:
    """Replace the section ``## heading`` of the Markdown file (or add it at the end)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    marker = f"## {heading}"
    section = f"{marker}\n\n{body.strip()}\n"
    if marker in text:
        head, _sep, rest = text.partition(marker)
        tail = rest.split("\n## ", 1)[1] if "\n## " in rest else ""
        text = head + section + ("\n## " + tail if tail else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
