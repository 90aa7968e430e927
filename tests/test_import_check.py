"""The import's check step: files cut short are refused with their row, unknown themes are reported and created
only when confirmed, and every change is listed field by field with emptied or shortened text flagged."""

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from udsyn.core.exchange.importer import import_registry
from udsyn.engagements.models import Engagement, Theme
from udsyn.interop import exports, tabular

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _described(eurocities: Engagement) -> Engagement:
    eurocities.description = "Netværk af store europæiske byer, grundlagt i 1986"
    eurocities.save()
    return eurocities


def _export_csv() -> bytes:
    return exports.export("csv", internal=True, table="engagements")


def test_a_csv_cut_in_the_middle_of_a_row_is_refused_with_its_row(eurocities: Engagement, beijing: Engagement) -> None:
    _described(eurocities)
    content = _export_csv()
    text = content.decode("utf-8-sig")
    cut = text.index("grundlagt i") + len("grundl")  # inside EUROCITIES' description (quoted: it has a comma)
    with pytest.raises(tabular.Unreadable, match=r"row \d+ has a quote that is never closed"):
        tabular.read("engagements.csv", text[:cut].encode())
    unquoted = text.replace('"Netværk af store europæiske byer, grundlagt i 1986"', "Netværk af store byer")
    cut = unquoted.index("Netværk af store byer") + len("Netværk af")
    with pytest.raises(tabular.Unreadable, match=r"row 2 has \d+ cells, but the header has \d+ columns"):
        tabular.read("engagements.csv", unquoted[:cut].encode())
    assert Engagement.objects.get(pk=eurocities.pk).description.endswith("1986")


def test_a_csv_cut_in_its_last_cell_is_refused(eurocities: Engagement) -> None:
    content = "municipality,title,kind,lead,description\r\n0101,EUROCITIES,membership,ØKF,Netværk af store byer\r\n"
    with pytest.raises(tabular.Unreadable, match="ends in the middle of row 2"):
        tabular.read("engagements.csv", content[:-8].encode())
    assert tabular.read("engagements.csv", content.encode())[0].rows  # whole, it is read
    assert tabular.read("engagements.csv", content.rstrip().encode() + b'"')  # or when its last cell is closed


def test_a_yaml_file_cut_mid_line_is_refused_with_its_line(eurocities: Engagement) -> None:
    text = 'themes:\n  - name: Klima\n    name_en: EU funding\n'
    cut = text[:text.index("EU fu") + len("EU fu")]
    result = import_registry(cut, filename="cut.yaml")
    assert not result.ok
    assert "line 3: The file ends in the middle of a line" in str(result.problems[0])
    assert Theme.objects.get(name="Klima").name_en == "Climate"
    with pytest.raises(tabular.Unreadable, match="ends in the middle of line 3"):
        tabular.read("themes.yaml", cut.encode())


def test_unknown_themes_are_reported_not_created(eurocities: Engagement, tmp_path: Path) -> None:
    rows = "municipality,title,kind,lead,themes\r\n0101,EUROCITIES,membership,ØKF,Klima; 1; True; Kultur\r\n"
    path = tmp_path / "engagements.csv"
    path.write_text(rows, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert 'No theme "1", "True", "Kultur"' in err.getvalue() and "--create-themes" in err.getvalue()
    assert set(Theme.objects.values_list("name", flat=True)) == {"Klima"}

    out = io.StringIO()
    call_command("import", str(path), "--create-themes", stdout=out)
    assert "New themes: 1, Kultur, True" in out.getvalue()
    assert set(Theme.objects.values_list("name", flat=True)) == {"Klima", "1", "True", "Kultur"}


def test_one_cell_cannot_name_thousands_of_themes(eurocities: Engagement) -> None:
    cell = "; ".join(f"T{number}" for number in range(10000))
    content = f"municipality,title,kind,lead,themes\r\n0101,EUROCITIES,membership,ØKF,{cell}\r\n".encode()
    result = tabular.import_tables(tabular.read("engagements.csv", content), create_themes=True)
    assert not result.ok and "more than 1000 entries" in str(result.problems[0])
    assert Theme.objects.count() == 1


def test_new_themes_on_the_web_are_created_only_when_ticked(
        eurocities: Engagement, coordinator: User, login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    upload = io.BytesIO("municipality,title,kind,lead,themes\r\n0101,EUROCITIES,membership,ØKF,Klima; Kultur\r\n"
                        .encode())
    upload.name = "engagements.csv"
    location = client.post("/en/import/tables/", {"file": upload})["Location"]
    page = client.get(location).content.decode()
    assert "The file names themes that do not exist yet" in page and "<li>Kultur</li>" in page
    assert 'name="create_themes"' in page
    assert client.post(location, {"action": "import"}).status_code == 400
    assert not Theme.objects.filter(name="Kultur").exists()
    client.post(location, {"action": "import", "create_themes": "1"})
    assert Theme.objects.filter(name="Kultur").exists()
    assert {t.name for t in Engagement.objects.get(pk=eurocities.pk).themes.all()} == {"Klima", "Kultur"}

    text = ("municipality:\n  code: \"0101\"\n  name: København\nengagements:\n  - title: EUROCITIES\n"
            "    kind: membership\n    lead: ØKF\n    themes: [Klima, Sport]\n")
    page = client.post("/en/import/", {"text": text, "action": "check"}).content.decode()
    assert "<li>Sport</li>" in page and 'name="create_themes"' in page
    response = client.post("/en/import/", {"text": text, "action": "import"})
    assert response.status_code == 400 and not Theme.objects.filter(name="Sport").exists()
    response = client.post("/en/import/", {"text": text, "action": "import", "create_themes": "1"})
    assert response.status_code == 302 and Theme.objects.filter(name="Sport").exists()


def test_the_check_lists_changes_field_by_field_and_flags_emptied_and_shortened_text(
        eurocities: Engagement, coordinator: User, login: Callable[[User], Any], tmp_path: Path) -> None:
    _described(eurocities)
    eurocities.notes = "Kontingent betales i januar."
    eurocities.save()
    rows = list(tabular.export_rows(tabular.table_named("engagements"), internal=True))
    row = {name: tabular.cell(value, None) for name, value in rows[0].items()}
    row.update({"annual_fee": 300000, "description": "Netværk af store", "notes": ""})
    out = io.StringIO()
    path = tmp_path / "engagements.csv"
    path.write_bytes(tabular.write_csv(tabular.table_named("engagements"), [row], internal=True))
    call_command("import", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Warning: 2 changes empty or shorten existing text:" in text
    assert 'Engagement engagements "EUROCITIES", annual_fee: "250000.00" → "300000"' in text
    assert 'description: "Netværk af store europæiske byer, grundlagt i 1986" → "Netværk af store" (SHORTENED)' in text
    assert 'notes: "Kontingent betales i januar." → "" (EMPTIED)' in text

    upload = io.BytesIO(path.read_bytes())
    upload.name = "engagements.csv"
    client = login(coordinator)
    page = client.get(client.post("/en/import/tables/", {"file": upload})["Location"]).content.decode()
    assert "2 changes empty or shorten existing text." in page
    assert "<strong>Shortened:</strong> Netværk af store" in page and "<strong>Emptied</strong>" in page
    assert "Kontingent betales i januar." in page

    text = ("municipality:\n  code: \"0101\"\n  name: København\nengagements:\n  - title: EUROCITIES\n"
            "    kind: membership\n    lead: ØKF\n    description: Netværk\n    departments: [TMF]\n")
    page = client.post("/en/import/", {"text": text, "action": "check"}).content.decode()
    assert "<strong>Shortened:</strong> Netværk" in page
    assert "<code>departments</code></td><td>KFF; TMF</td><td><strong>Shortened:</strong> TMF</td>" in page


SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed"


@pytest.mark.parametrize("seed", sorted(path.name for path in SEEDS.glob("*.yaml")))
def test_every_seed_cut_mid_line_is_refused_with_the_line_it_ends_in(seed: str) -> None:
    content = (SEEDS / seed).read_text(encoding="utf-8")
    for index in range(1, 16):
        cut = len(content) * index // 16
        while content[cut - 1] == "\n":
            cut += 1
        result = import_registry(content[:cut], filename=seed)
        assert not result.ok
        assert result.problems[0].line == content[:cut].count("\n") + 1
        assert "ends in the middle of a line" in result.problems[0].message


def test_a_seed_cut_at_the_end_of_a_line_changes_nothing_unflagged() -> None:
    """A cut at a line's end can still be valid YAML: then every change it would make is flagged."""
    seed = SEEDS / "0169-hoeje-taastrup.yaml"
    assert import_registry(seed.read_bytes(), filename=seed.name).ok
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    flagged = 0
    for end in range(20, len(lines), 7):
        result = import_registry("".join(lines[:end]), filename=seed.name, dry_run=True)
        assert all(change.flag for change in result.changes), [str(c) for c in result.changes if not c.flag]
        flagged += len(result.changes)
    assert flagged  # some cuts shorten a text or a list


def test_a_new_shared_record_like_an_existing_one_is_pointed_out(db: None, capsys: Any) -> None:
    """Issue 14: near-duplicates are warned about on import too."""
    from udsyn.engagements.models import ExternalOrganisation

    ExternalOrganisation.objects.create(name="Københavns Universitet", kind="university", country="DK")
    content = ("organisations:\n  - name: Kbh. Universitet\n    kind: university\n    country: DK\n"
               "  - name: Aalborg Universitet\n    kind: university\n    country: DK\n")
    result = import_registry(content.encode(), filename="byer.yaml", dry_run=True)
    assert result.ok
    assert len(result.near_duplicates) == 1
    assert "Kbh. Universitet" in result.near_duplicates[0]
    assert "“Københavns Universitet”" in result.near_duplicates[0]
    assert "byer.yaml line 2" in result.near_duplicates[0]
    path = Path(__import__("tempfile").mkdtemp()) / "byer.yaml"
    path.write_text(content, encoding="utf-8")
    call_command("import", str(path), "--dry-run")
    assert "Possible duplicate" in capsys.readouterr().out
