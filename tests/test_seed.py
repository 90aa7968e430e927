"""The seed data of the three municipalities (data/seed/) loads, and says what the source documents say."""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.roles import ADMIN
from tests.seeds import FILES, load
from udsyn.core import search
from udsyn.core.exchange.importer import ImportResult
from udsyn.engagements.models import City, Engagement, ExternalOrganisation
from udsyn.organisation.models import Municipality, Role
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _seeds(django_db_setup: None, django_db_blocker: Any) -> Iterator[ImportResult]:
    """The seeds, loaded once for the module; what each test changes is rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeds: ImportResult, db: None) -> ImportResult:
    return _seeds


def test_the_seed_files_are_the_three_municipalities() -> None:
    assert [path.name for path in FILES[1:]] == ["0101-koebenhavn.yaml", "0169-hoeje-taastrup.yaml", "0461-odense.yaml"]


def test_reference_data_holds_all_98_municipalities_in_five_regions(seeded: ImportResult) -> None:
    assert Municipality.objects.count() == 98
    assert set(Municipality.objects.values_list("region__name", flat=True).distinct()) == {
        "Region Hovedstaden", "Region Sjælland", "Region Syddanmark", "Region Midtjylland", "Region Nordjylland",
    }
    assert Municipality.objects.get(code="0461").region.name == "Region Syddanmark"


def test_importing_the_seeds_again_changes_nothing(seeded: ImportResult) -> None:
    again = load()
    assert not again.created and not again.updated and not again.deleted


def test_odense_goals_principles_and_framework(seeded: ImportResult) -> None:
    odense = Municipality.objects.get(code="0461")
    goals = list(Goal.objects.filter(municipality=odense).order_by("order").values_list("title", flat=True))
    assert len(goals) == 10
    assert goals[0] == "Børn og unge bliver klar til fremtiden"
    assert goals[-1] == "Færre borgere er relativt fattige"
    principles = Principle.objects.filter(municipality=odense).order_by("order")
    assert [p.title for p in principles] == ["Værdi", "Viden", "Samarbejde", "Partnerskaber", "Bedre omdømme"]
    assert "ti politiske mål" in principles[0].description
    framework = Strategy.objects.get(municipality=odense, name__startswith="Principielle rammer")
    assert (framework.start_year, framework.end_year) == (2022, 2025)
    assert framework.revision_due == datetime.date(2025, 12, 31)


def test_odense_has_twenty_twin_cities_all_on_the_map(seeded: ImportResult, client: Client) -> None:
    odense = Municipality.objects.get(code="0461")
    twins = Engagement.objects.filter(municipality=odense, kind="partnership", partnership_type="twin")
    assert twins.count() == 20
    cities = City.objects.filter(engagements__in=twins).distinct()
    assert cities.count() == 20
    assert not cities.filter(latitude__isnull=True).exists()
    klaksvik = cities.get(name="Klaksvík")
    assert (klaksvik.country, round(klaksvik.latitude, 2), round(klaksvik.longitude, 2)) == ("FO", 62.23, -6.59)
    assert cities.get(name="Upernavik").country == "GL"
    assert cities.get(name="Columbus").country == "US"
    admin = User.objects.create_user("a", password="a")
    Role.objects.create(user=admin, kind=Role.Kind.ADMINISTRATOR)
    client.force_login(admin)
    page = client.get(odense.get_absolute_url()).content.decode()
    for name in ("Brno", "Klaksvík", "Upernavik", "Kyiv", "Tampere", "Petah Tikva"):
        assert f"Venskabsbyaftale med {name}" in page


def test_hoeje_taastrup_focus_areas_twin_cities_and_shared_eu_office(seeded: ImportResult) -> None:
    htk = Municipality.objects.get(code="0169")
    assert FocusArea.objects.filter(municipality=htk).count() == 4
    twins = Engagement.objects.filter(municipality=htk, partnership_type="twin")
    assert sorted(twins.values_list("partner_cities__name", flat=True)) == ["Oldenburg", "Valmiera", "Ängelholm"]
    # The strategy spells it "Ångelholm": the alias finds the city.
    assert "Ängelholm" in {hit.title for hit in search.query("Ångelholm", ADMIN)}
    office = ExternalOrganisation.objects.get(name="Greater Copenhagen EU Office")
    assert "Copenhagen EU-Office" in office.aliases
    assert set(office.engagements.values_list("municipality__code", flat=True)) >= {"0169"}


def test_demo_users_log_in_with_their_roles(seeded: ImportResult, client: Client, capsys: Any) -> None:
    call_command("create_demo_users")
    printed = capsys.readouterr().out
    assert "admin" in printed and "koordinator-odense" in printed
    assert client.login(username="koordinator", password="koordinator")
    role = User.objects.get(username="koordinator").udsyn_role
    assert (role.kind, role.municipality.code) == (Role.Kind.COORDINATOR, "0101")
    editor = User.objects.get(username="redaktoer-tmf").udsyn_role
    assert (editor.kind, editor.department.code) == (Role.Kind.EDITOR, "TMF")
    assert User.objects.get(username="koordinator-odense").udsyn_role.municipality.code == "0461"


def test_copenhagen_shared_engagements_are_one_record_each(seeded: ImportResult) -> None:
    copenhagen = Municipality.objects.get(code="0101")
    expected = {
        "EUROCITIES": {"ØKF", "TMF", "KFF"}, "C40": {"ØKF", "TMF"}, "Greater Copenhagen EU Office": {"ØKF", "TMF"},
        "Nordisk Storbykonference": {"BUF", "SOF"}, "Nordisk direktørnetværk": {"SOF", "SUF"},
    }
    for title, codes in expected.items():
        engagement = Engagement.objects.get(municipality=copenhagen, title=title)
        assert {d.code for d in engagement.departments} == codes, title
    assert Engagement.objects.filter(municipality=copenhagen, title__icontains="eurocities").count() == 1


def test_copenhagen_fees_beijing_and_atelier_as_the_mapping_states(seeded: ImportResult) -> None:
    from decimal import Decimal

    copenhagen = Municipality.objects.get(code="0101")
    engagements = Engagement.objects.filter(municipality=copenhagen)
    assert engagements.get(title="Greater Copenhagen EU Office").annual_fee == Decimal("1300000")
    c40 = engagements.get(title="C40")
    assert (c40.annual_fee, c40.co_financing) == (Decimal("0"), Decimal("1130000"))
    assert engagements.get(title="STRING").annual_fee == Decimal("500000")
    beijing = engagements.get(title="Søsterbyaftale med Beijing")
    assert (beijing.partnership_type, beijing.start_date) == ("sister", datetime.date(2012, 1, 1))
    health = beijing.children.get()
    assert (health.title, health.lead_department.code) == ("Sundhedssamarbejde med Beijing", "SUF")
    atelier = engagements.get(title="ATELIER").funding.get()
    assert (atelier.amount, atelier.currency, atelier.amount_dkk, atelier.status) == (
        Decimal("665462.5"), "EUR", Decimal("4971000"), "expected")
    assert (atelier.start_date, atelier.end_date) == (datetime.date(2019, 11, 1), datetime.date(2024, 10, 31))
    representative = engagements.get(title="Greater Copenhagen EU Office").representatives.get()
    assert (representative.person.name, representative.person.party) == ("Jes Vissing Tiedemann", "R")


def test_copenhagen_covers_every_section_of_the_mapping(seeded: ImportResult) -> None:
    copenhagen = Municipality.objects.get(code="0101")
    assert sorted(copenhagen.departments.values_list("code", flat=True)) == [
        "BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF"]
    assert copenhagen.strategies.count() == 13  # §3.1-§3.13
    assert copenhagen.committees.count() == 7  # §9.1-§9.7
    assert all(d.delegation_handling for d in copenhagen.departments.all())  # §8
    museums = Engagement.objects.filter(municipality=copenhagen, title__startswith="Samarbejdsaftale med")
    assert museums.count() == 11  # §5.2.2
    references = set(Engagement.objects.filter(municipality=copenhagen).values_list("source_reference", flat=True))
    for section in ("§4.1.1", "§4.2.10", "§4.3.5", "§4.5.2", "§4.6.2", "§4.7.2", "§5.1.5", "§6.1.5", "§6.2.16",
                    "§6.3.7", "§6.4.1", "§6.5.1", "§6.6.2"):
        assert any(section in reference for reference in references), section


def test_copenhagen_stated_figures_are_kept_as_stated(seeded: ImportResult) -> None:
    from decimal import Decimal

    from udsyn.organisation.models import StatedFigure

    figures = {f.key: f for f in StatedFigure.objects.filter(municipality__code="0101")}
    assert figures["networks"].value == 27 and figures["projects"].value == 35
    assert (figures["funding"].value, figures["funding"].qualifier) == (Decimal("100000000"), "more_than")
    assert figures["funding_eu"].value == Decimal("84000000")
    assert figures["funding_ssc"].value == Decimal("20000000")
    assert (figures["delegation_requests-tmf"].value, figures["delegation_requests-tmf"].period) == (412, "2019")
    assert (figures["delegation_requests-buf"].value, figures["delegation_requests-buf"].department.code) == (
        28, "BUF")


def test_copenhagens_departments_handle_inquiries_as_section_8_says(seeded: ImportResult) -> None:
    from udsyn.inquiries.models import DepartmentInquirySettings

    settings = {s.department.code: s for s in DepartmentInquirySettings.objects.filter(
        department__municipality__code="0101").select_related("department").prefetch_related(
        "department__decline_reasons")}
    assert sorted(settings) == ["BIF", "BUF", "KFF", "SOF", "SUF", "TMF", "ØKF"]
    bif = settings["BIF"]
    assert (bif.approved_by, bif.usual_place, bif.usual_duration) == ("Relevant kontorchef", "Jobcenter København", 90)
    assert bif.programme_lines()[0] == "Kort rundtur"
    assert settings["BUF"].priority_kinds == ["public_authority"]
    assert [r.text_en for r in settings["BUF"].department.decline_reasons.all()] == [
        "We cannot accommodate every request for a visit, and we give priority to public authorities."]
    assert "Meet Copenhagen City" in settings["TMF"].handled_by
    assert settings["ØKF"].usual_place == "Københavns Rådhus"
