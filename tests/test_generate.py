"""The national data set generator (`udsyn generate`), and the main pages' SQL queries at two data sizes
it makes: a regression that adds a query per row fails here."""

import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.roles import ADMIN
from udsyn.core import search
from udsyn.core.text import fold
from udsyn.engagements.models import Engagement, Funding
from udsyn.generate.generator import Generator
from udsyn.inquiries.models import Inquiry
from udsyn.organisation.models import Municipality, Person, Role
from udsyn.steering.models import Alignment, Review

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference" / "dk-municipalities.yaml"
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def municipalities(db: None) -> None:
    call_command("import", str(REFERENCE), stdout=io.StringIO())


def generate(count: int, engagements: int, inquiries: int, seed: int = 1) -> list[Municipality]:
    before = set(Municipality.objects.with_registry().values_list("pk", flat=True))
    Generator(seed=seed, engagements=engagements, inquiries=inquiries, today=TODAY).run(count)
    return list(Municipality.objects.with_registry().exclude(pk__in=before).order_by("code"))


def fingerprint() -> list[Any]:
    """What a user sees of the generated data, without database ids."""
    return [
        sorted(Engagement.objects.values_list("municipality__code", "title", "kind", "status", "annual_fee",
                                              "start_date", "lead_department__code")),
        sorted(Inquiry.objects.values_list("municipality__code", "state", "kind", "country", "contact_name",
                                           "received_at", "token", "lead_department__code")),
        sorted(Funding.objects.values_list("title", "amount_dkk")),
        sorted(Person.objects.values_list("municipality__code", "name", "email")),
    ]


def test_generate_command_fills_municipalities_with_valid_records(municipalities: None) -> None:
    out = io.StringIO()
    call_command("generate", municipalities=2, engagements=160, inquiries=120, seed=1, today=TODAY, stdout=out,
                 verbosity=0)
    assert "Generated 2 municipalities, 320 engagements and 240 inquiries" in out.getvalue()
    filled = list(Municipality.objects.with_registry().order_by("code"))
    assert [m.code for m in filled] == ["0101", "0147"]  # the first by code, København and Frederiksberg
    for engagement in Engagement.objects.select_related("lead_department", "municipality", "parent"):
        engagement.full_clean()
    for inquiry in Inquiry.objects.all():
        inquiry.full_clean()
    for funding in Funding.objects.select_related("department"):
        funding.full_clean()
    assert set(Inquiry.objects.values_list("state", flat=True)) == set(Inquiry.State.values)
    for code in ("0101", "0147"):  # titles the importer would take for one (it compares them folded)
        titles = list(Engagement.objects.filter(municipality__code=code).values_list("title", flat=True))
        assert len({fold(title) for title in titles}) == len(titles)
    assert set(Engagement.objects.values_list("kind", flat=True)) == set(Engagement.Kind.values)
    assert Engagement.objects.filter(parent__isnull=False).exists()  # working groups under a network
    assert Alignment.objects.exists() and Review.objects.exists()
    # Every record carries its history; some engagements were changed since they were made.
    history = Engagement.history.filter(history_change_reason="udsyn generate")
    assert history.count() == Engagement.objects.count()
    assert Engagement.history.filter(history_type="~").exists()
    # No real person's address: staff at the municipality's own domain, requesters at example.org.
    assert not Inquiry.objects.exclude(contact_email__endswith="@example.org").exists()
    assert not Person.objects.exclude(email="").exclude(email__contains=".dk").exists()
    # The search index knows the generated records.
    title = Engagement.objects.filter(kind="project").values_list("title", flat=True).first()
    assert title and any(hit.title == title for hit in search.query(title, ADMIN))
    # Seeded registries are left alone: a second run fills the next municipalities.
    Generator(seed=1, engagements=5, inquiries=5, today=TODAY).run(1)
    assert Municipality.objects.with_registry().count() == 3
    assert Engagement.objects.filter(municipality__code="0101").count() == 160


def test_same_seed_gives_the_same_data(municipalities: None) -> None:
    prints = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            generate(2, 12, 20, seed=seed)
            prints.append(fingerprint())
            transaction.set_rollback(True)
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


# ---------------------------------------------------------------------------------------------------------
# SQL queries per page at two sizes: a municipality with few rows and one with six times as many (same page,
# same role). A query per row would add dozens; the counts may differ by at most two, because a related list
# that happens to be empty saves its query (a department that takes part in no one else's engagement, an
# engagement whose history never changed its unit). List pages stay within 10 queries, 11 when two filters
# each look up the record they name.

def full_project(municipality: Municipality) -> Engagement:
    """A project with partners, themes and funding, so that no related list is empty (an empty list
    saves its query and would hide a difference)."""
    project = Engagement.objects.filter(
        municipality=municipality, kind="project", funding__isnull=False, partner_organisations__isnull=False,
        themes__isnull=False).order_by("pk").first()
    assert project is not None
    return project


Page = tuple[str, Callable[[Municipality], str], str, int]

PAGES: list[Page] = [
    ("start page", lambda m: "/", "coordinator", 20),
    ("engagement list", lambda m: f"/engagements/?municipality={m.pk}", "reader", 10),
    ("engagement list filtered", lambda m: f"/engagements/?municipality={m.pk}"
     f"&department={full_project(m).lead_department_id}&kind=project", "reader", 11),
    ("engagement list text search", lambda m: f"/engagements/?municipality={m.pk}&q=projekt", "reader", 10),
    ("engagement detail", lambda m: full_project(m).get_absolute_url(), "coordinator", 25),
    ("department detail", lambda m: full_project(m).lead_department.get_absolute_url(), "reader", 20),
    ("municipality detail", lambda m: m.get_absolute_url(), "reader", 35),
    ("funding list", lambda m: f"/funding/?municipality={m.pk}", "reader", 10),
    ("search", lambda m: f"/search/?q={m.name}", "reader", 10),
    ("goal dashboard", lambda m: f"/goals/?municipality={m.code}", "coordinator", 25),
    ("goal conformance", lambda m: f"/goals/conformance/?municipality={m.code}", "coordinator", 12),
    ("reviews", lambda m: f"/goals/reviews/?municipality={m.code}", "coordinator", 12),
    ("inquiry queue", lambda m: "/inquiries/", "coordinator", 10),
    ("inquiry detail", lambda m: Inquiry.objects.filter(municipality=m, state="held").order_by("pk").first()
     .get_absolute_url(), "coordinator", 12),
    ("inquiry statistics", lambda m: "/inquiries/statistics/", "coordinator", 10),
    ("public page", lambda m: f"/public/{m.code}/", "anonymous", 10),
    ("API engagement list", lambda m: f"/api/engagements/?municipality={m.pk}", "anonymous", 10),
    ("API funding list", lambda m: "/api/funding/", "anonymous", 10),
]


def _client(who: str, municipality: Municipality) -> Client:
    client = Client()
    if who != "anonymous":
        user, _created = User.objects.get_or_create(username=f"{who}-{municipality.code}")
        Role.objects.get_or_create(user=user, defaults={"kind": who, "municipality": municipality})
        client.force_login(user)
    return client


def test_page_queries_are_the_same_at_two_sizes(municipalities: None) -> None:
    """Every main page, once for each size (one data set for all pages, to keep the suite quick)."""
    sizes = generate(1, engagements=8, inquiries=10) + generate(1, engagements=48, inquiries=80)
    rows = [Engagement.objects.filter(municipality=m).count() for m in sizes]
    assert rows[1] >= 5 * rows[0]
    problems = []
    for name, url, who, ceiling in PAGES:
        counts = []
        for municipality in sizes:
            client = _client(who, municipality)
            address = url(municipality)
            assert client.get(address).status_code == 200, address  # warm per-process caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get(address)
            assert response.status_code == 200, address
            counts.append(len(queries))
        if abs(counts[0] - counts[1]) > 2:
            problems.append(f"{name}: {counts[0]} queries at {rows[0]} engagements, {counts[1]} at {rows[1]}")
        if max(counts) > ceiling:
            problems.append(f"{name}: {max(counts)} queries, more than {ceiling}")
    assert not problems, "\n".join(problems)


def test_detail_pages_show_the_first_rows_and_link_to_the_rest(municipalities: None) -> None:
    """A municipality with 40 engagements lists 25 on its page, says how many there are, and links to the
    full list filtered to it; its departments do the same."""
    municipality = generate(1, engagements=40, inquiries=0)[0]
    client = _client("reader", municipality)
    page = client.get(municipality.get_absolute_url()).content.decode()
    assert "(40)" in page and "De første 25 af 40 vises." in page
    assert f'href="/engagements/?municipality={municipality.pk}"' in page
    listed = client.get(f"/engagements/?municipality={municipality.pk}")
    assert listed.context["page"].paginator.count == 40
