"""Imports check what the user may write before they write: a refused import changes nothing, on every path.

Each path (the registry file on the web and from the command line, tables on the web and from the command
line) is tried by each role that may not write the file's records: the coordinator of another
municipality, the editor of another department, and a reader. The full internal export of the registry,
and the history, are compared before and after.
"""

import io
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.conftest import _user
from udsyn.core.exchange.sections import written_models
from udsyn.engagements.models import Engagement
from udsyn.interop import tabular
from udsyn.organisation.models import Department, Municipality, Role

pytestmark = pytest.mark.django_db

# The Odense case: one Copenhagen engagement created, another one changed.
YAML = """\
municipality:
  code: "0101"
  name: København
engagements:
  - title: EUROCITIES
    kind: membership
    lead: ØKF
    annual_fee: 1
  - title: Nyt netværk
    kind: membership
    lead: ØKF
"""
CSV = (
    "municipality,title,kind,lead,annual_fee\r\n"
    "0101,EUROCITIES,membership,ØKF,1\r\n"
    "0101,Nyt netværk,membership,ØKF,\r\n"
).encode()

MODELS = written_models()  # every model an import writes


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _state() -> tuple[bytes, dict[str, int]]:
    """The full internal export, and how many history rows each imported model has."""
    content, _extension = tabular.export("json", internal=True)
    history = {model._meta.label: model.history.count() for model in MODELS}  # type: ignore[attr-defined]
    return content, history


@pytest.fixture
def others(odense: Municipality, departments: dict[str, Department]) -> dict[str, User]:
    """The roles that may not write Copenhagen's EUROCITIES nor a new engagement led by ØKF."""
    return {
        "coordinator of another municipality": _user("odense", Role.Kind.COORDINATOR, odense),
        "editor of another department": _user("suf", Role.Kind.EDITOR, departments["ØKF"].municipality,
                                              departments["SUF"]),
        "reader": _user("reader", Role.Kind.READER, departments["ØKF"].municipality),
    }


ROLES = ["coordinator of another municipality", "editor of another department", "reader"]


def _web_yaml(client: Any) -> int:
    response = client.post("/en/import/", {"text": YAML, "filename": "kbh.yaml", "action": "import"})
    return int(response.status_code)


def _web_tables(client: Any) -> int:
    upload = io.BytesIO(CSV)
    upload.name = "engagements.csv"
    response = client.post("/en/import/tables/", {"file": upload, "table": ""})
    if response.status_code != 302:
        return int(response.status_code)
    client.post(response["Location"], {"action": "import"})
    page = client.get(response["Location"])
    assert "The file is imported" not in page.content.decode()
    return int(page.status_code)


def _command(path: Path, user: User) -> None:
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import", str(path), "--user", user.username, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_registry_file_on_the_web_writes_nothing(
        role: str, others: dict[str, User], eurocities: Engagement, login: Callable[[User], Any]) -> None:
    before = _state()
    status = _web_yaml(login(others[role]))
    assert status == 403
    assert _state() == before
    assert not Engagement.objects.filter(title="Nyt netværk").exists()
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("250000")


def test_the_coordinator_of_another_municipality_is_told_why(
        others: dict[str, User], eurocities: Engagement, login: Callable[[User], Any]) -> None:
    client = login(others["coordinator of another municipality"])
    response = client.post("/en/import/", {"text": YAML, "filename": "kbh.yaml", "action": "check"})
    page = response.content.decode()
    assert response.status_code == 403
    assert ("You may change only your own municipality&#x27;s records; this engagement belongs to København (0101)"
            in page)
    assert "You may create only your own municipality" in page


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_table_upload_on_the_web_writes_nothing(
        role: str, others: dict[str, User], eurocities: Engagement, login: Callable[[User], Any]) -> None:
    before = _state()
    assert _web_tables(login(others[role])) in (200, 403)
    assert _state() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", ["yaml", "csv"])
def test_a_refused_import_from_the_command_line_writes_nothing(
        role: str, kind: str, others: dict[str, User], eurocities: Engagement, tmp_path: Path) -> None:
    path = tmp_path / ("kbh.yaml" if kind == "yaml" else "engagements.csv")
    path.write_bytes(YAML.encode() if kind == "yaml" else CSV)
    before = _state()
    _command(path, others[role])
    assert _state() == before


@pytest.mark.parametrize("kind", ["yaml", "csv"])
def test_one_refused_row_among_allowed_ones_writes_nothing(
        kind: str, others: dict[str, User], eurocities: Engagement, tmp_path: Path,
        departments: dict[str, Department]) -> None:
    """The SUF editor may create an engagement SUF leads, but not change EUROCITIES: the file is refused whole."""
    path = tmp_path / ("kbh.yaml" if kind == "yaml" else "engagements.csv")
    if kind == "yaml":
        path.write_text(YAML.replace("title: Nyt netværk\n    kind: membership\n    lead: ØKF",
                                     "title: Nyt netværk\n    kind: membership\n    lead: SUF"), encoding="utf-8")
    else:
        path.write_text(CSV.decode().replace("Nyt netværk,membership,ØKF", "Nyt netværk,membership,SUF"),
                        encoding="utf-8")
    assert "SUF" in path.read_text(encoding="utf-8")
    before = _state()
    _command(path, others["editor of another department"])
    assert _state() == before


def test_the_own_coordinator_imports_on_every_path(
        coordinator: User, eurocities: Engagement, login: Callable[[User], Any], tmp_path: Path) -> None:
    client = login(coordinator)
    response = client.post("/en/import/", {"text": YAML, "filename": "kbh.yaml", "action": "import"})
    assert response.status_code == 302
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("1")
    latest = Engagement.history.filter(title="Nyt netværk").latest("history_date")  # type: ignore[attr-defined]
    assert latest.history_user == coordinator

    path = tmp_path / "engagements.csv"
    path.write_text(CSV.decode().replace("EUROCITIES,membership,ØKF,1", "EUROCITIES,membership,ØKF,2"),
                    encoding="utf-8")
    call_command("import", str(path), "--user", coordinator.username, stdout=io.StringIO())
    assert Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("2")
    assert _web_tables_ok(client)


def _web_tables_ok(client: Any) -> bool:
    upload = io.BytesIO(CSV.decode().replace("EUROCITIES,membership,ØKF,1", "EUROCITIES,membership,ØKF,3").encode())
    upload.name = "engagements.csv"
    response = client.post("/en/import/tables/", {"file": upload, "table": ""})
    client.post(response["Location"], {"action": "import"})
    return Engagement.objects.get(title="EUROCITIES").annual_fee == Decimal("3")


def test_the_command_line_names_an_unknown_user() -> None:
    with pytest.raises(CommandError, match='No user "nobody"'):
        call_command("import", "x.yaml", "--user", "nobody")


# Issue 17: installation records. A coordinator's table import (regions.csv, municipalities.csv) or registry
# file renamed a region and their own municipality. Regions and municipalities are the installation's: only
# an administrator writes them, whatever the path.
INSTALLATION_FILES = {
    "regions.csv": b"code,name,nuts2\r\n1084,Region Hovedstaden (omd\xc3\xb8bt),DK01\r\n",
    "municipalities.csv": "code,name,region\r\n0101,Københavns Kommune (omdøbt),1084\r\n".encode(),
    "kbh.yaml": ("regions:\n  - code: \"1084\"\n    name: Region Hovedstaden (omdøbt)\n"
                 "municipality:\n  code: \"0101\"\n  name: København (omdøbt)\n  region: \"1084\"\n").encode(),
}


@pytest.fixture
def installation(copenhagen: Municipality, departments: dict[str, Department]) -> dict[str, User]:
    from udsyn.organisation.models import Region

    copenhagen.region = Region.objects.create(code="1084", name="Region Hovedstaden", nuts2="DK01")
    copenhagen.save()
    return {
        "coordinator": _user("kbh-coordinator", Role.Kind.COORDINATOR, copenhagen),
        "editor": _user("kbh-editor", Role.Kind.EDITOR, copenhagen, departments["ØKF"]),
    }


@pytest.mark.parametrize("role", ["coordinator", "editor"])
@pytest.mark.parametrize("filename", list(INSTALLATION_FILES))
@pytest.mark.parametrize("path", ["web", "command line"])
def test_regions_and_municipalities_are_written_by_administrators_only_on_every_path(
        role: str, filename: str, path: str, installation: dict[str, User], login: Callable[[User], Any],
        tmp_path: Path) -> None:
    user, content = installation[role], INSTALLATION_FILES[filename]
    before = _state()
    if path == "command line":
        (tmp_path / filename).write_bytes(content)
        _command(tmp_path / filename, user)
    elif filename.endswith(".yaml"):
        response = login(user).post("/en/import/", {"text": content.decode(), "filename": filename, "action": "import"})
        assert response.status_code == 403  # an editor may not use the registry file import at all
        assert role == "editor" or "You may not change this" in response.content.decode()
    else:
        client = login(user)
        upload = io.BytesIO(content)
        upload.name = filename
        response = client.post("/en/import/tables/", {"file": upload, "table": ""})
        if response.status_code == 302:
            client.post(response["Location"], {"action": "import"})
            assert "The file is imported" not in client.get(response["Location"]).content.decode()
        else:
            assert response.status_code == 403
    assert _state() == before
    assert Municipality.objects.get(code="0101").name == "København"


def test_an_administrator_renames_a_region_by_import(installation: dict[str, User], tmp_path: Path) -> None:
    admin = User.objects.create_superuser("root", "root@example.dk", "x")
    (tmp_path / "regions.csv").write_bytes(INSTALLATION_FILES["regions.csv"])
    call_command("import", str(tmp_path / "regions.csv"), "--user", admin.username, stdout=io.StringIO())
    assert Municipality.objects.get(code="0101").region.name == "Region Hovedstaden (omdøbt)"
