"""Fixtures: a small registry built with the ORM, and users with each role; running under pytest-xdist."""

import csv
import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme, Theme
from udsyn.organisation.models import Department, Municipality, Person, Role

# The browser fixtures (one Chromium for the whole session) live in tests/browser.py, the SMTP server in
# tests/mail.py, the identity providers of single sign-on in tests/sso_idps.py.
pytest_plugins = ["tests.browser", "tests.mail", "tests.sso_idps"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remove the SQLite test databases of runs that died before Django could (udsyn/settings.py names them
    /dev/shm/udsyn-test-<process id>-<xdist worker>.sqlite3...); the files of runs still going are left."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller does it, once
    for folder in {Path("/dev/shm"), Path(os.environ.get("TMPDIR", "/tmp"))}:
        for path in folder.glob("udsyn-test-*.sqlite3*") if folder.is_dir() else ():
            found = re.match(r"udsyn-test-(\d+)", path.name)
            if found and not Path("/proc", found.group(1)).exists():
                path.unlink(missing_ok=True)


# Test files whose module-scoped fixtures load data into the database once for all their tests (the seeds,
# through tests/seeds.py's `once_seeded`). Under pytest-xdist their tests stay in one worker, so that the data
# and what is made from it (reports in every format, every export) are made once, not once per worker.
SHARED_DATA = frozenset(
    "tests/" + path.name for path in Path(__file__).parent.glob("test_*.py")
    if "django_db_blocker" in path.read_text(encoding="utf-8"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`: each test is a unit of work on its own, except those of the SHARED_DATA files, which
    are one unit per file. (pytest-xdist's own loadgroup reads xdist_group marks through node ids, which
    pytest 9 no longer lets it change.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedDataScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in SHARED_DATA else nodeid

    return SharedDataScheduling(config, log)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """Each test database starts as a copy of a migrated template, made once per set of migrations
    (tests/templates.py): migrating anew took some 25 seconds of processor time in every test process. And on
    PostgreSQL the tables are emptied after a transactional test with DELETE rather than TRUNCATE."""
    from tests.templates import create_test_databases_from_templates, flush_postgresql_by_delete

    undo = [create_test_databases_from_templates(), flush_postgresql_by_delete()]
    yield
    for step in undo:
        step()


@pytest.fixture(scope="session", autouse=True)
def _fast_passwords() -> Iterator[None]:
    """Passwords hashed with MD5 in tests: the real hasher is slow on purpose (about 0.2 s a user, and the
    fixtures make hundreds of users). Which hasher is used is no part of what the tests check."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _csv_field_limit() -> Iterator[None]:
    """The csv module's cell limit, which the importer's 128 KiB check relies on, as it was before the test:
    frictionless raises it for the whole process when first imported (tests/test_tables.py), and under
    pytest-xdist any test may come after that one."""
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


@pytest.fixture(autouse=True)
def _test_hosts(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Background jobs run at once, in the process that queues them (django-tasks' immediate backend), so a
    # test sees a report made or an upload checked when its request returns. tests/test_tasks.py runs real
    # workers on the database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Drawn maps and charts in memory, one cache per test, not on disk between runs.
    # The progress of table imports in memory too: its keys are the uploads' ids, which every test database
    # (one per xdist worker, one per run) starts again at 1.
    settings.CACHES = {**settings.CACHES, "pictures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pictures"},
        "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "progress"},
        # The API's request counts (its throttles) start afresh in each test.
        "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}}
    from django.core.cache import caches

    caches["pictures"].clear()
    caches["progress"].clear()
    caches["throttle"].clear()


@pytest.fixture
def copenhagen(db: None) -> Municipality:
    return Municipality.objects.create(code="0101", name="København")


@pytest.fixture
def odense(db: None) -> Municipality:
    return Municipality.objects.create(code="0461", name="Odense")


@pytest.fixture
def departments(copenhagen: Municipality) -> dict[str, Department]:
    names = {
        "ØKF": "Økonomiforvaltningen", "TMF": "Teknik- og Miljøforvaltningen",
        "KFF": "Kultur- og Fritidsforvaltningen", "SUF": "Sundheds- og Omsorgsforvaltningen",
    }
    return {code: Department.objects.create(municipality=copenhagen, code=code, name=name)
            for code, name in names.items()}


@pytest.fixture
def make_engagement(copenhagen: Municipality, departments: dict[str, Department]) -> Callable[..., Engagement]:
    def make(title: str, lead: str = "ØKF", joined: tuple[str, ...] = (), **fields: Any) -> Engagement:
        fields.setdefault("kind", Engagement.Kind.MEMBERSHIP)
        engagement = Engagement.objects.create(
            municipality=fields.pop("municipality", copenhagen), title=title,
            lead_department=departments[lead], **fields,
        )
        engagement.participating_departments.set([departments[c] for c in joined])
        return engagement

    return make


@pytest.fixture
def eurocities(make_engagement: Callable[..., Engagement]) -> Engagement:
    engagement = make_engagement("EUROCITIES", "ØKF", ("TMF", "KFF"), annual_fee=Decimal("250000"))
    org = ExternalOrganisation.objects.create(name="EUROCITIES", kind="network", country="BE")
    engagement.partner_organisations.add(org)
    engagement.themes.add(Theme.objects.create(name="Klima", name_en="Climate"))
    return engagement


@pytest.fixture
def beijing(make_engagement: Callable[..., Engagement]) -> Engagement:
    city = City.objects.create(name="Beijing", country="CN", latitude=39.9, longitude=116.4)
    sister = make_engagement(
        "Søsterbyaftale med Beijing", "ØKF", ("TMF",), kind=Engagement.Kind.PARTNERSHIP, partnership_type="sister"
    )
    sister.partner_cities.add(city)
    health = make_engagement(
        "Sundhedssamarbejde med Beijing", "SUF", kind=Engagement.Kind.PARTNERSHIP,
        partnership_type="cooperation", parent=sister,
    )
    health.partner_cities.add(city)
    return sister


@pytest.fixture
def atelier(make_engagement: Callable[..., Engagement], departments: dict[str, Department]) -> Funding:
    project = make_engagement("ATELIER", "TMF", kind=Engagement.Kind.PROJECT)
    programme = FundingProgramme.objects.create(name="Horizon 2020", source="eu")
    funding = Funding.objects.create(
        municipality=project.municipality, title="ATELIER – EU-bidrag", department=departments["TMF"],
        programme=programme, amount=Decimal("665462.5"), currency="EUR", amount_dkk=Decimal("4971000"),
        status=Funding.Status.EXPECTED,
    )
    funding.engagements.add(project)
    return funding


def _user(username: str, kind: str, municipality: Municipality | None = None,
          department: Department | None = None) -> User:
    user = User.objects.create_user(username=username, password="secret-pass-123")
    Role.objects.create(user=user, kind=kind, municipality=municipality, department=department)
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    return _user("admin", Role.Kind.ADMINISTRATOR)


@pytest.fixture
def coordinator(copenhagen: Municipality) -> User:
    return _user("koordinator", Role.Kind.COORDINATOR, copenhagen)


@pytest.fixture
def tmf_editor(copenhagen: Municipality, departments: dict[str, Department]) -> User:
    return _user("tmf", Role.Kind.EDITOR, copenhagen, departments["TMF"])


@pytest.fixture
def okf_editor(copenhagen: Municipality, departments: dict[str, Department]) -> User:
    return _user("okf", Role.Kind.EDITOR, copenhagen, departments["ØKF"])


@pytest.fixture
def suf_editor(copenhagen: Municipality, departments: dict[str, Department]) -> User:
    return _user("suf", Role.Kind.EDITOR, copenhagen, departments["SUF"])


@pytest.fixture
def reader(copenhagen: Municipality) -> User:
    return _user("reader", Role.Kind.READER, copenhagen)


@pytest.fixture
def login() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def person(copenhagen: Municipality) -> Person:
    return Person.objects.create(
        municipality=copenhagen, name="Jes Vissing Tiedemann", kind=Person.Kind.POLITICIAN, party="R"
    )
