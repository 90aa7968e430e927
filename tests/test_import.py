"""The registry importer (udsyn.interop.registry) and the ``udsyn import`` command."""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from udsyn.core.exchange.importer import ImportResult, import_files, import_registry
from udsyn.core.exchange.sections import written_models
from udsyn.core.models import SearchEntry
from udsyn.engagements import geo
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, Representative, Theme
from udsyn.organisation.models import Department, Municipality, Person, Region, StatedFigure
from udsyn.strategy.models import Goal, Strategy

DATA = Path(__file__).parent / "data"
GOOD = (DATA / "good.yaml").read_text(encoding="utf-8")
BAD = (DATA / "bad.yaml").read_text(encoding="utf-8")
REFERENCE = (DATA / "reference.yaml").read_text(encoding="utf-8")

pytestmark = pytest.mark.django_db

MODELS = written_models()  # every model an import writes


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _import(text: str, **kwargs: Any) -> ImportResult:
    kwargs.setdefault("filename", "good.yaml")
    kwargs.setdefault("create_themes", True)  # good.yaml names a theme it does not list: Mobilitet
    return import_registry(text, **kwargs)


def _rows() -> dict[str, int]:
    """How many rows each registry model and its history hold."""
    counts = {model._meta.label: model._default_manager.count() for model in MODELS}
    counts.update({
        "history " + model._meta.label: model.history.count()  # type: ignore[attr-defined]
        for model in MODELS
    })
    return counts


def _line(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


def _problems(result: ImportResult) -> list[str]:
    return [str(problem) for problem in result.problems]


def test_good_file_imports_with_counts_and_relations() -> None:
    result = _import(GOOD)

    assert result.ok, _problems(result)
    assert result.created["engagement"] == 4
    assert result.created["department"] == 4
    assert result.created["theme"] == 2  # Klima listed, Mobilitet named by an engagement only
    assert result.created["funding"] == 2
    assert result.created["strategyelement"] == 2
    assert result.municipality_codes == {"0101"}
    assert not result.updated and not result.unchanged

    eurocities = Engagement.objects.get(title="EUROCITIES")
    assert eurocities.lead_department.code == "ØKF"
    assert {d.code for d in eurocities.participating_departments.all()} == {"TMF", "KFF"}
    assert eurocities.responsible_unit is not None
    assert eurocities.responsible_unit.name == "Kontoret for Vækst og Erhverv"
    assert eurocities.annual_fee == Decimal("250000")
    assert eurocities.start_date == datetime.date(2007, 1, 1)
    assert eurocities.description == "Netværk af store europæiske byer."
    assert {t.name for t in eurocities.themes.all()} == {"Klima", "Mobilitet"}
    assert [o.name for o in eurocities.partner_organisations.all()] == ["EUROCITIES"]  # matched by alias
    assert [p.name for p in eurocities.contacts.all()] == ["Navn Navnesen"]
    representative = Representative.objects.get(engagement=eurocities)
    assert (representative.person.name, representative.role) == ("Jes Vissing Tiedemann", "Medlem af bestyrelsen")
    assert [link.url for link in eurocities.links.all()] == ["https://eurocities.eu"]

    health = Engagement.objects.get(title="Sundhedssamarbejde med Beijing")
    assert health.parent is not None and health.parent.title == "Søsterbyaftale med Beijing"  # a forward reference
    assert Engagement.objects.get(title="Søsterbyaftale med Beijing").start_date == datetime.date(2012, 5, 1)

    atelier = Funding.objects.get(title="ATELIER – EU-bidrag")
    assert (atelier.amount, atelier.currency, atelier.amount_dkk) == (Decimal("665462.5"), "EUR", Decimal("4971000"))
    assert atelier.department.code == "TMF"  # the engagement's lead
    assert atelier.programme.name == "Horizon 2020"  # by its alias H2020
    assert (atelier.start_date, atelier.end_date) == (datetime.date(2019, 11, 1), datetime.date(2024, 10, 31))
    assert [e.title for e in atelier.engagements.all()] == ["ATELIER"]
    shared = Funding.objects.get(title="Strategisk Sektorsamarbejde – Beijing")
    assert shared.amount_dkk == Decimal("20000000") and shared.approximate and shared.currency == "DKK"
    assert shared.end_date == datetime.date(2022, 12, 31)
    assert shared.engagements.count() == 2

    figure = StatedFigure.objects.get(key="networks")
    assert figure.department is not None and figure.department.code == "TMF"
    assert (figure.value, figure.qualifier, figure.period) == (Decimal("27"), "more_than", "2021")
    assert figure.source == "Internationalt arbejde i Københavns Kommune (udkast, februar 2021), §1"

    strategy = Strategy.objects.get(name="Kommuneplanstrategien")
    assert (strategy.adopted_year, strategy.start_year, strategy.end_year) == (2018, 2015, 2020)
    assert strategy.revision_due == datetime.date(2025, 12, 31)
    assert [e.text for e in strategy.elements.all()][0].startswith("Gør København")
    assert list(Goal.objects.values_list("order", "title")) == [
        (1, "Børn og unge bliver klar til fremtiden"), (2, "Grøn omstilling")]
    person = Person.objects.get(name="Navn Navnesen")
    assert person.unit is not None and person.department is not None and person.department.code == "ØKF"


def test_every_record_keeps_the_reason_and_user_in_its_history() -> None:
    user = User.objects.create_user("importer", is_superuser=True)
    assert _import(GOOD, user=user).ok
    eurocities = Engagement.objects.get(title="EUROCITIES")
    rows = list(eurocities.history.all())
    # Created, then its many-to-many lists (departments, themes, organisations) set in one more row, not
    # one row per list: each row copies every list, which made large imports slow.
    assert [row.history_type for row in rows] == ["~", "+"]
    # The record's row and the rows of its many-to-many fields all say who and why.
    assert {(row.history_change_reason, row.history_user) for row in rows} == {("Import from good.yaml", user)}
    # The newest row records the many-to-many relations as they now are.
    assert {row.department.code for row in rows[0].participating_departments.all()} == {"TMF", "KFF"}
    for model in MODELS:
        reasons = set(model.history.values_list("history_change_reason", flat=True))  # type: ignore[attr-defined]
        assert reasons <= {"Import from good.yaml"}, model


def test_importing_twice_changes_nothing() -> None:
    assert _import(GOOD).ok
    before = _rows()
    result = _import(GOOD)
    assert result.ok
    assert not result.created and not result.updated and not result.deleted
    assert result.unchanged["engagement"] == 4 and result.unchanged["representative"] == 1
    assert _rows() == before  # not even a history row


def test_a_changed_field_updates_only_that_record() -> None:
    assert _import(GOOD).ok
    user = User.objects.create_user("koordinator", is_superuser=True)
    changed = GOOD.replace("annual_fee: 250000", "annual_fee: 300000")
    result = _import(changed, filename="changed.yaml", user=user)
    assert result.ok
    assert sum(result.updated.values()) == 1 and result.updated["engagement"] == 1
    assert not result.created
    eurocities = Engagement.objects.get(title="EUROCITIES")
    assert eurocities.annual_fee == Decimal("300000")
    latest = eurocities.history.first()
    assert (latest.history_type, latest.history_change_reason, latest.history_user) == (
        "~", "Import from changed.yaml", user)
    assert latest.prev_record.annual_fee == Decimal("250000")


def test_lists_in_the_file_replace_the_records_lists() -> None:
    assert _import(GOOD).ok
    representatives = "    representatives:\n      - person: Jes Vissing Tiedemann\n        role: Medlem af bestyrelsen"
    changed = (GOOD.replace("departments: [TMF, KFF]", "departments: [KFF]")
               .replace("      - Tiltræk internationale virksomheder\n", "")
               .replace(representatives, "    representatives: []"))
    result = _import(changed)
    assert result.ok, _problems(result)
    assert result.updated["engagement"] == 1
    assert result.deleted["representative"] == 1
    assert (result.deleted["strategyelement"], result.created["strategyelement"]) == (2, 1)
    eurocities = Engagement.objects.get(title="EUROCITIES")
    assert [d.code for d in eurocities.participating_departments.all()] == ["KFF"]
    assert not eurocities.representatives.exists()
    assert Strategy.objects.get().elements.count() == 1


def test_a_bad_file_reports_every_problem_and_writes_nothing() -> None:
    assert _import(REFERENCE, filename="reference.yaml").ok
    before = _rows()

    result = _import(BAD, filename="bad.yaml")

    assert _rows() == before  # the valid departments and theme were not written either
    found = {(p.line, p.where, p.field): p.message for p in result.problems}
    expected = {
        (_line(BAD, "colour:"), 'departments[1] "TMF"', "colour"): 'Unknown key "colour"',
        (_line(BAD, "lead: XYZ"), 'engagements[0] "Ukendt forvaltning"', "lead"):
            'No department with code "XYZ" in København',
        (_line(BAD, "memebership"), 'engagements[1] "Forkert slags"', "kind"): '"memebership" is not one of membership',
        (_line(BAD, "2019-13"), 'engagements[2] "Forkert dato"', "start"): '"2019-13" is not a date',
        (_line(BAD, "end: 2019"), 'engagements[3] "Slutter før start"', "end"): "The end lies before the start",
        (_line(BAD, "Atlantis"), 'engagements[4] "Ukendt by"', "cities"): 'No city "Atlantis"',
        (_line(BAD, "title: Opsagt"), 'engagements[5] "Opsagt uden grund"', "termination_reason"):
            "Give the reason the engagement was terminated",
        (_line(BAD, "1.300.000"), 'engagements[5] "Opsagt uden grund"', "annual_fee"): '"1.300.000" is not a number',
    }
    assert set(found) == set(expected), _problems(result)
    for place, message in expected.items():
        assert message in found[place]
    assert all(p.filename == "bad.yaml" for p in result.problems)
    assert str(result.problems[1]) == (
        'line {}, engagements[0] "Ukendt forvaltning", lead: No department with code "XYZ" in København.'.format(
            _line(BAD, "lead: XYZ")))


def test_a_yaml_syntax_error_is_one_problem_with_its_line() -> None:
    text = "municipality:\n  code: \"0101\"\n  name: København\ndepartments:\n  - code: ØKF\n   name: x\n"
    result = _import(text)
    assert len(result.problems) == 1
    assert result.problems[0].line == 6
    assert "not valid YAML" in result.problems[0].message
    assert not Municipality.objects.exists()


def test_duplicates_and_misspelt_sections_are_reported() -> None:
    text = GOOD.replace("\nprogrammes:\n", "  - name: klima\nthemse: []\n\nprogrammes:\n")
    result = _import(text)
    messages = _problems(result)
    assert any('themes[1] "klima", name: Already listed at line' in m for m in messages), messages
    assert any('themse: Unknown section "themse". Did you mean "themes"?' in m for m in messages), messages
    assert not Theme.objects.exists()


def test_dry_run_counts_but_writes_nothing() -> None:
    before = _rows()
    result = _import(GOOD, dry_run=True)
    assert result.ok
    assert result.created["engagement"] == 4 and result.created["city"] == 2
    assert ("Engagements", 4, 0, 0, 0) in result.summary_rows
    assert _rows() == before
    assert not SearchEntry.objects.exists()


def test_command_imports_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import", "--create-themes", str(DATA / "reference.yaml"), str(DATA / "good.yaml"))
    out = capsys.readouterr().out
    assert "Engagements: 4 created, 0 updated, 0 unchanged" in out
    assert Engagement.objects.count() == 4 and Municipality.objects.count() == 3
    assert Municipality.objects.get(code="0101").region == Region.objects.get(code="1084")
    call_command("import", "--dry-run", str(DATA / "good.yaml"))
    assert "Engagements: 0 created, 0 updated, 4 unchanged" in capsys.readouterr().out


def test_command_fails_on_a_bad_file_and_writes_none_of_the_files(capsys: pytest.CaptureFixture[str]) -> None:
    before = _rows()
    with pytest.raises(CommandError, match="8 problems; nothing was written"):
        call_command("import", str(DATA / "reference.yaml"), str(DATA / "bad.yaml"))
    err = capsys.readouterr().err
    assert '{}: line {}, engagements[0] "Ukendt forvaltning", lead: No department with code "XYZ"'.format(
        DATA / "bad.yaml", _line(BAD, "lead: XYZ")) in err
    assert len(err.strip().splitlines()) == 8
    assert _rows() == before  # the valid reference file was not written either


def test_files_are_imported_in_order_in_one_transaction() -> None:
    result = import_files([("reference.yaml", REFERENCE), ("good.yaml", GOOD)], create_themes=True)
    assert result.ok, _problems(result)
    assert result.unchanged["municipality"] == 1  # good.yaml's København was created by reference.yaml
    assert Municipality.objects.get(code="0101").latitude == 55.6761  # not cleared by good.yaml


def test_city_coordinates_come_from_geonames_unless_given() -> None:
    assert _import(GOOD).ok
    beijing = City.objects.get(name="Beijing")
    assert beijing.latitude == pytest.approx(39.9, abs=0.1) and beijing.longitude == pytest.approx(116.4, abs=0.1)
    assert beijing.geonames_id == 1816670
    klaksvik = City.objects.get(name="Klaksvík")
    assert (klaksvik.latitude, klaksvik.longitude, klaksvik.geonames_id) == (62.2266, -6.589, None)
    assert [c.name for c in Engagement.objects.get(title="ATELIER").partner_cities.all()] == ["Klaksvík"]  # alias

    unknown = "cities:\n  - name: Upernavik\n    country: GL\n"
    result = _import(unknown)
    assert [(p.line, p.field) for p in result.problems] == [(2, "latitude")]
    assert "give its latitude and longitude" in result.problems[0].message


def test_geo_lookup_searches_alternate_names() -> None:
    assert geo.lookup("Funabashi", "JP") is not None
    assert geo.lookup("Klaksvík", "FO") is None
    assert geo.lookup("Kobenhavn", "dk") == geo.lookup("Copenhagen", "DK")
    assert geo.lookup("Nowhere", "XX", aliases=["Beijing"]) is None


def test_reference_lists_import_regions_and_municipalities() -> None:
    result = _import(REFERENCE, filename="reference.yaml")
    assert result.ok, _problems(result)
    assert (result.created["region"], result.created["municipality"]) == (2, 3)
    assert result.municipality_codes == {"0101", "0461", "0169"}
    odense = Municipality.objects.get(code="0461")
    assert odense.region is not None
    assert (odense.name, odense.region.nuts2, odense.latitude) == ("Odense", "DK03", 55.3959)


def test_plain_yaml_scalars_keep_what_was_written() -> None:
    text = ("municipality:\n  code: 0101\n  name: København\n"
            "organisations:\n  - name: Norsk forbund\n    kind: association\n    country: NO\n")
    result = _import(text)
    assert result.ok, _problems(result)
    assert Municipality.objects.get().code == "0101"  # not the octal number 65
    assert ExternalOrganisation.objects.get().country == "NO"  # not false


def test_engagements_are_searchable_after_import() -> None:
    assert _import(GOOD).ok
    entry = SearchEntry.objects.get(object_id=Engagement.objects.get(title="EUROCITIES").pk, title="EUROCITIES")
    assert "okf" in entry.folded_text.split()  # the lead department's code
    strategy = SearchEntry.objects.get(title="Kommuneplanstrategien")
    assert "virksomheder" in strategy.folded_text  # its elements


def test_the_importer_does_not_touch_departments_of_other_municipalities() -> None:
    odense = Municipality.objects.create(code="0461", name="Odense")
    Department.objects.create(municipality=odense, code="ØKF", name="Odenses ØKF")
    assert _import(GOOD).ok
    assert Department.objects.get(municipality=odense).name == "Odenses ØKF"
    assert Department.objects.filter(code="ØKF").count() == 2
