"""The repository's seed data (data/), loaded through the importer as `make demo` loads it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction

from udsyn.core.exchange.importer import ImportResult, import_files

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "data" / "reference" / "dk-municipalities.yaml", *sorted((ROOT / "data" / "seed").glob("*.yaml"))]

T = TypeVar("T")


def load() -> ImportResult:
    result = import_files([(str(path.relative_to(ROOT)), path.read_bytes()) for path in FILES])
    assert result.ok, [str(problem) for problem in result.problems]
    return result


@contextmanager
def seeded_then_rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """For a module-scoped fixture: the seeds in the test database, gone again afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def once_seeded(django_db_blocker: Any, work: Callable[[], T]) -> T:
    with seeded_then_rolled_back(django_db_blocker):
        return work()
