"""Malformed files, fed to every import path: no traceback, no 5xx, no upload stuck, no partial write.

A corpus of more than 500 malformed files is made, the same every run, from the seed files in data/seed/
(registry files) and tables made from them (CSV, JSON, YAML, XLSX, zip): cut short at many points, in
the wrong encoding, with NUL bytes, impossible dates, wrong types, nesting and alias bombs, zip bombs and
oversized cells. Each goes through the command line (``udsyn import``) and the web (the registry file's
page, or the table upload and its import). hypothesis adds random damage to the same files.

Every file starts from the same registry (Høje-Taastrup's seed, and a Copenhagen engagement); a refused
file must leave the full internal export and every history table as they were. Each file's work is
rolled back to a savepoint afterwards, so the files do not build on one another.
"""

import csv
import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udsyn.core.exchange import limits
from udsyn.core.exchange.importer import import_files
from udsyn.core.exchange.sections import written_models
from udsyn.interop import tabular
from udsyn.interop.models import TableUpload

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "data" / "seed"
SMALL = "0169-hoeje-taastrup.yaml"

File = tuple[str, str, bytes]  # (what was done to it, file name, content)

MODELS = written_models()  # every model an import writes


# --- The corpus -------------------------------------------------------------------------------------


def _cuts(length: int, count: int) -> list[int]:
    return sorted({max(1, length * (index + 1) // (count + 1)) for index in range(count)})


def _mid_line(content: bytes, position: int) -> int:
    """A cut position at or after ``position`` that is not right after a line break."""
    while position < len(content) - 1 and content[position - 1:position] in (b"\n", b"\r"):
        position += 1
    return position


def _truncations(name: str, content: bytes, mid_line: int, at_line_ends: int = 0) -> list[File]:
    files = []
    for position in _cuts(len(content), mid_line):
        cut = _mid_line(content, position)
        files.append((f"{name} cut at byte {cut}", name, content[:cut]))
    line_ends = [index + 1 for index, byte in enumerate(content) if byte == ord("\n")]
    for position in _cuts(len(line_ends), at_line_ends):
        cut = line_ends[position - 1]
        files.append((f"{name} cut after line {position}", name, content[:cut]))
    return files


def _engagement_rows() -> list[dict[str, Any]]:
    """Høje-Taastrup's engagements as table rows, from its seed file."""
    seed = yaml.safe_load((SEEDS / SMALL).read_text(encoding="utf-8"))
    rows = []
    for item in seed["engagements"]:
        rows.append({
            "municipality": "0169", "title": item["title"], "kind": item["kind"], "lead": item["lead"],
            "status": item.get("status", ""), "start": str(item.get("start", "")), "end": str(item.get("end", "")),
            "description": (item.get("description") or "").strip(), "themes": "; ".join(item.get("themes", [])),
        })
    return rows


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[dict[str, Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "engagements"
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as saved:  # the same bytes every time: no dates of today
        members = {info.filename: re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z",
                                         saved.read(info)) for info in saved.infolist()}
    return _zip(members)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _replacements(name: str, content: bytes, changes: list[tuple[str, str]]) -> list[File]:
    text = content.decode("utf-8")
    files = []
    for old, new in changes:
        assert old in text, old
        files.append((f"{name}: {old!r} -> {new[:40]!r}", name, text.replace(old, new, 1).encode("utf-8")))
    return files


@functools.cache
def corpus() -> tuple[File, ...]:
    small = (SEEDS / SMALL).read_bytes()
    kbh = (SEEDS / "0101-koebenhavn.yaml").read_bytes()
    odense = (SEEDS / "0461-odense.yaml").read_bytes()
    rows = _engagement_rows()
    csv_ = _csv(rows)
    json_ = json.dumps({"engagements": rows}, ensure_ascii=False, indent=1).encode("utf-8")
    yaml_ = yaml.safe_dump({"engagements": rows}, allow_unicode=True, sort_keys=False).encode("utf-8")
    xlsx = _xlsx(rows)
    zipped = _zip({"engagements.csv": csv_})
    files: list[File] = []

    # Cut short, at many points.
    files += _truncations("0101-koebenhavn.yaml", kbh, 90)
    files += _truncations("0461-odense.yaml", odense, 40, 2)
    files += _truncations(SMALL, small, 50, 16)
    files += _truncations("engagements.csv", csv_, 50, 10)
    files += _truncations("engagements.json", json_, 40)
    files += _truncations("engagements.yaml", yaml_, 30, 10)
    files += [(f"engagements.xlsx cut at byte {cut}", "engagements.xlsx", xlsx[:cut]) for cut in _cuts(len(xlsx), 15)]
    files += [(f"engagements.zip cut at byte {cut}", "engagements.zip", zipped[:cut]) for cut in _cuts(len(zipped), 15)]

    # The wrong encoding, or none.
    for encoding in ("latin-1", "utf-16", "cp1252", "utf-32"):
        files.append((f"{SMALL} in {encoding}", SMALL, small.decode().encode(encoding)))
        files.append((f"engagements.csv in {encoding}", "engagements.csv", csv_.decode().encode(encoding)))
        files.append((f"engagements.json in {encoding}", "engagements.json", json_.decode().encode(encoding)))
    for seed in range(4):
        noise = bytes((index * 7919 + seed * 104729) % 256 for index in range(2000))
        for name in (SMALL, "engagements.csv", "engagements.json", "engagements.xlsx", "engagements.zip"):
            files.append((f"{name}: noise {seed}", name, noise))
    for name in (SMALL, "engagements.csv", "engagements.json", "engagements.yaml", "engagements.xlsx"):
        files.append((f"{name}: empty", name, b""))
        files.append((f"{name}: a byte-order mark", name, b"\xef\xbb\xbf"))

    # NUL bytes, raw and escaped.
    for position in _cuts(len(small), 10):
        files.append((f"{SMALL}: NUL at {position}", SMALL, small[:position] + b"\x00" + small[position:]))
    for position in _cuts(len(csv_), 10):
        files.append((f"engagements.csv: NUL at {position}", "engagements.csv",
                      csv_[:position] + b"\x00" + csv_[position:]))
    for position in _cuts(len(json_), 4):
        files.append((f"engagements.json: NUL at {position}", "engagements.json",
                      json_[:position] + b"\x00" + json_[position:]))
    files += _replacements(SMALL, small, [
        ("name_en: EU funding", 'name_en: "EU\\0funding"'), ("  name: Høje-Taastrup", '  name: "Høje\\0"'),
        ("    kind: eu_body", '    kind: "eu\\0body"'), ("code: VEO", 'code: "V\\0EO"'),
    ])
    files += [
        ("engagements.json: \\u0000 in a title", "engagements.json",
         json_.replace(b'"title": "', b'"title": "\\u0000', 1)),
        ("engagements.json: \\u0000 in a key", "engagements.json", json_.replace(b'"kind"', b'"ki\\u0000nd"', 1)),
        ("engagements.yaml: \\0 in a title", "engagements.yaml",
         yaml_.replace(b"title: ", b'title: "\\0"\n  x: ', 1)),
        ("engagements.csv: NUL in the file name", "engage\x00ments.csv", csv_),
    ]

    # Impossible dates and numbers.
    for date in ("2019-02-30", "2019-13-01", "2019-00-10", "0000-01-01", "2019-02-29", "99999-01-01", "2019-1-1x"):
        files += _replacements(SMALL, small, [("  - title: ", f"  - start: {date}\n    title: ")])
        files.append((f"engagements.csv with start {date}", "engagements.csv", _csv([dict(rows[0], start=date)])))
        files.append((f"engagements.json with end {date}", "engagements.json",
                      json.dumps({"engagements": [dict(rows[0], end=date)]}).encode()))
    files += _replacements(SMALL, small, [
        ("  - title: ", "  - annual_fee: " + "9" * 5000 + "\n    title: "),
        ("  - title: ", "  - annual_fee: 1e999\n    title: "),
        ("  - title: ", "  - annual_fee: .nan\n    title: "),
        ("  - title: ", "  - annual_fee: -.inf\n    title: "),
        ("  - title: ", "  - annual_fee: 0x1F\n    title: "),
        ("  - title: ", "  - start: 2019-02-30T10:00:00\n    title: "),
        ("  - title: ", "  - end: !!timestamp 2019-02-31\n    title: "),
    ])

    # Wrong types.
    files += _replacements(SMALL, small, [
        ("engagements:\n", "engagements:\n  - Just a title\n"),
        ("engagements:\n", "engagements: Just a title\nold_engagements:\n"),
        ("engagements:\n", "engagements:\n  - [a, list]\n  - 7\n  - null\n"),
        ("departments:\n", "departments:\n  - VEO\n"),
        ("departments:\n", "departments: {VEO: 1}\nold_departments:\n"),
        ('municipality:\n  code: "0169"\n  name: Høje-Taastrup\n', "municipality: Høje-Taastrup\n"),
        ('municipality:\n  code: "0169"\n  name: Høje-Taastrup\n', "municipality: [0169]\n"),
        ('  code: "0169"', "  code: [0169]"),
        ('  code: "0169"', "  code: {a: 1}"),
        ("themes:\n", "themes: 5\nold_themes:\n"),
        ("themes:\n", "themes:\n  - 1\n  - true\n  - [x]\n"),
        ("  - title: ", "  - title: [a, b]\n    old_title: "),
        ("  - title: ", "  - themes: {a: b}\n    old_themes: x\n    title: "),
        ("  - title: ", "  - representatives: just a name\n    title: "),
        ("  - title: ", "  - representatives: [[1], {person: [x]}]\n    title: "),
        ("  - title: ", "  - funding: [1, 2]\n    title: "),
        ("  - title: ", "  - funding: [{title: [1]}, {title: x, programme: {a: 1}}]\n    title: "),
        ("  - title: ", "  - serves: [{goal: 1, focus_area: 2}, x]\n    title: "),
        ("  - title: ", "  - links: [{url: [1]}, 5]\n    title: "),
        ("  - title: ", "  - cities: [{a: 1}, '|', 'x|', '|DK']\n    title: "),
        ("  - title: ", "  - parent: [x]\n    title: "),
        ("  - title: ", "  - internal_fields: [nothing, annual_fee]\n    title: "),
        ("  - title: ", "  - ? [complex, key]\n    : value\n    title: "),
        ("  - title: ", "  - !!binary aGVsbG8=: x\n    title: "),
        ("  - title: ", "  - x: !!python/object:os.system ls\n    title: "),
        ("  - title: ", "  - <<: 5\n    title: "),
        ("  - title: ", "  - <<: [1, 2]\n    title: "),
        ("  - title: ", "  - title: duplicate\n    title: "),
        ("source:\n", "source: [1]\nold_source:\n"),
        ("strategies:\n", "strategies:\n  - elements: {a: 1}\n    name: X\n"),
        ("focus_areas:\n", "focus_areas:\n  - title: {a: 1}\n"),
        ("cities:\n", "cities:\n  - name: Nowhere\n    country: XX\n    latitude: north\n"),
        ("organisations:\n", "organisations:\n  - name: X\n    aliases: {a: 1}\n"),
        ("departments:\n", "departments:\n  - code: NEW\n    name: New\n    inquiries: [1]\n"),
        ("departments:\n",
         "departments:\n  - code: NEW\n    name: New\n    inquiries: {decline_reasons: [x, {text: [1]}]}\n"),
    ])
    row_changes: list[tuple[str, Any]] = [
        ("a row that is a string", "just text"), ("a row that is a list", [1, 2]), ("a row that is null", None),
        ("a title that is a list", {"title": ["a"]}), ("a title that is a mapping", {"title": {"a": 1}}),
        ("a title that is a number", {"title": 5}), ("an id that is text", {"id": "abc"}),
        ("an id that is huge", {"id": 10**30}), ("an id that is negative", {"id": -1}),
        ("an id that is a float", {"id": 1.5}), ("an id that is a list", {"id": [1]}),
        ("a municipality that is a list", {"municipality": ["0169"]}),
        ("a municipality unknown", {"municipality": "9999"}),
        ("themes that are mappings", {"themes": [{"a": 1}]}), ("themes nested", {"themes": [[["x"]]]}),
        ("a start that is a list", {"start": [2019]}), ("a boolean start", {"start": True}),
        ("a lead that is a number", {"lead": 1}), ("a key that is a number", {1: "x"}),
    ]
    for label, change in row_changes:
        changed = [{**rows[0], **change} if isinstance(change, dict) else change, *rows[1:]]
        content = json.dumps({"engagements": changed}, ensure_ascii=False, default=str).encode()
        files.append((f"engagements.json: {label}", "engagements.json", content))
        files.append((f"engagements.yaml: {label}", "engagements.yaml",
                      yaml.safe_dump({"engagements": changed}, allow_unicode=True).encode()))
    files += [
        ("engagements.json: a table that is a mapping", "engagements.json", b'{"engagements": {"a": 1}}'),
        ("engagements.json: a number", "engagements.json", b"5"),
        ("engagements.json: an unknown table", "engagements.json", b'{"nothing": [{"a": 1}]}'),
        ("engagements.csv: a short header", "engagements.csv", b"title\r\n"),
        ("engagements.csv: duplicate columns", "engagements.csv", b"title,title,kind\r\na,b,membership\r\n"),
        ("engagements.csv: an empty column name", "engagements.csv", b"municipality,,title\r\n0169,x,y\r\n"),
        ("engagements.csv: too many cells", "engagements.csv", csv_.replace(b"\r\n0169,", b",extra\r\n0169,", 1)),
        ("engagements.csv: carriage returns only", "engagements.csv", csv_.replace(b"\r\n", b"\r")),
        ("engagements.csv: a quote inside a cell", "engagements.csv", csv_.replace(b",0169,", b',01"69,', 1)),
        ("engagements.csv: semicolons", "engagements.csv", csv_.replace(b",", b";")),
    ]

    # Nesting and alias bombs.
    files += [
        ("engagements.json nested 50,000 deep", "engagements.json", b"[" * 50000 + b"]" * 50000),
        ("engagements.json nested 50,000 deep in a mapping", "engagements.json",
         b'{"a":' * 50000 + b"1" + b"}" * 50000),
        ("engagements.json nested 40 deep in a cell", "engagements.json",
         b'{"engagements": [{"title": ' + b"[" * 40 + b"]" * 40 + b"}]}"),
        ("engagements.yaml nested 50,000 deep", "engagements.yaml", b"[" * 50000 + b"]" * 50000 + b"\n"),
        (f"{SMALL} nested 50,000 deep", SMALL, b"municipality: " + b"[" * 50000 + b"]" * 50000 + b"\n"),
        (f"{SMALL} nested 100 deep in blocks", SMALL,
         b"".join(b"  " * level + b"a:\n" for level in range(100)) + b"  " * 100 + b"b: 1\n"),
        (f"{SMALL} with an alias bomb", SMALL, _alias_bomb(b"engagements")),
        ("engagements.yaml with an alias bomb", "engagements.yaml", _alias_bomb(b"engagements")),
        (f"{SMALL} with a recursive alias", SMALL, b"themes: &a [*a]\n"),
    ]

    # Zip bombs and oversized content.
    files += [
        ("engagements.zip unpacking to 70 MB", "engagements.zip",
         _zip({"engagements.csv": b"title\r\n" + b"0" * (70 * 1024 * 1024) + b"\r\n"})),
        ("engagements.zip of 300 files", "engagements.zip", _zip({f"t{n}.csv": b"a\r\n" for n in range(300)})),
        ("engagements.xlsx unpacking to 70 MB", "engagements.xlsx",
         _zip({"xl/worksheets/sheet1.xml": b" " * (70 * 1024 * 1024)})),
        ("engagements.zip in a zip", "engagements.zip", _zip({"inner.zip": zipped, "engagements.csv": b""})),
        ("engagements.csv with a 200 KiB cell", "engagements.csv",
         csv_.replace(b"\r\n0169,", b"\r\n0169," + b"x" * (200 * 1024), 1)),
        ("engagements.csv with a 200 KiB quoted cell", "engagements.csv",
         csv_.replace(b"\r\n0169,", b'\r\n0169,"' + b"x" * (200 * 1024) + b'"', 1)),
        ("engagements.json with a 200 KiB cell", "engagements.json",
         json.dumps({"engagements": [dict(rows[0], description="x" * (200 * 1024))]}).encode()),
        (f"{SMALL} with a 200 KiB text", SMALL,
         small.replace(b"  - title: ", b"  - description: " + b"x" * (200 * 1024) + b"\n    title: ", 1)),
        ("engagements.csv with 10,000 themes in one cell", "engagements.csv",
         _csv([dict(rows[0], themes="; ".join(f"T{n}" for n in range(10000)))])),
    ]
    return tuple({label: (label, name, content) for label, name, content in files}.values())


def _alias_bomb(key: bytes) -> bytes:
    lines = [b'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9).encode()
        lines.append(b"a%d: &a%d [%s]" % (level, level, refs))
    lines.append(key + b": *a9")
    return b"\n".join(lines) + b"\n"


def test_the_corpus_is_large_and_the_same_every_time() -> None:
    files = corpus()
    assert len(files) >= 500
    assert len({name for name, _filename, _content in files}) == len(files)
    assert corpus.__wrapped__() == files


# --- Running it ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def start(copenhagen: Any, eurocities: Any) -> Callable[[], tuple[bytes, dict[str, int]]]:
    """The registry every file starts from, and a way to take its state."""
    result = import_files([(SMALL, (SEEDS / SMALL).read_bytes())])
    assert result.ok, result.problems

    def state(full: bool = True) -> tuple[bytes, tuple[Any, ...]]:
        """The full internal export (when ``full``) and how many rows every registry and history table holds.

        Every write of the importer adds a history row, so the counts alone show any write; the export
        shows it too, and is taken for every eighth file (it takes some 50 ms).
        """
        tables = [model._meta.db_table for model in MODELS]
        tables += [model.history.model._meta.db_table for model in MODELS]  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(
                f"SELECT '{table}', COUNT(*) FROM {connection.ops.quote_name(table)}" for table in tables))
            counts = tuple(sorted(cursor.fetchall()))
        return (tabular.export("json", internal=True)[0] if full else b""), counts

    return state


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser("fuzz-admin", password="secret-pass-123")


def _each(files: Any, state: Callable[[], Any], run: Callable[[str, bytes], bool]) -> dict[str, int]:
    """Run every file from the same state; a refused one must leave it as it was."""
    before, before_counts = state()
    counts = {"accepted": 0, "refused": 0}
    for index, (label, filename, content) in enumerate(files):
        point = transaction.savepoint()
        try:
            accepted = run(filename, content)
            if not accepted:
                full = index % 8 == 0
                after, after_counts = state(full)
                assert after_counts == before_counts, f"{label}: refused, but something was written"
                assert not full or after == before, f"{label}: refused, but the export differs"
            counts["accepted" if accepted else "refused"] += 1
        except Exception as error:
            raise AssertionError(f"{label}: {error!r}") from error
        finally:
            transaction.savepoint_rollback(point)
    return counts


def _command(tmp_path: Path) -> Callable[[str, bytes], bool]:
    def run(filename: str, content: bytes) -> bool:
        path = tmp_path / filename.replace("\x00", "")
        path.write_bytes(content)
        try:
            call_command("import", str(path), "--create-themes", stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError:
            return False
        return True
    return run


def _web(client: Client) -> Callable[[str, bytes], bool]:
    def run(filename: str, content: bytes) -> bool:
        upload = io.BytesIO(content)
        upload.name = filename
        if tabular.is_registry_file(filename, content):
            response = client.post("/en/import/", {"file": upload, "action": "import", "create_themes": "1"})
            assert response.status_code in (302, 400, 403), response.status_code
            return response.status_code == 302
        response = client.post("/en/import/tables/", {"file": upload})
        assert response.status_code in (302, 400), response.status_code
        if response.status_code == 400:
            return False
        upload_record = TableUpload.objects.latest("pk")
        assert not upload_record.working, "stuck"
        problems = [problem["message"] for problem in upload_record.result.get("problems", [])]
        assert not any(message.startswith("The import failed") for message in problems), problems  # a traceback
        assert client.get(response["Location"]).status_code == 200
        if upload_record.state != TableUpload.State.CHECKED:
            return False
        client.post(response["Location"], {"action": "import", "create_themes": "1"})
        upload_record.refresh_from_db()
        assert not upload_record.working, "stuck"
        return upload_record.state == TableUpload.State.IMPORTED
    return run


def _part(index: int) -> tuple[File, ...]:
    return corpus()[index::2]


@pytest.mark.parametrize("part", [0, 1])
def test_malformed_files_from_the_command_line(part: int, start: Any, tmp_path: Path) -> None:
    counts = _each(_part(part), start, _command(tmp_path))
    assert counts["refused"] > counts["accepted"]


@pytest.mark.parametrize("part", [0, 1])
def test_malformed_files_on_the_web(part: int, start: Any, admin: User, settings: Any) -> None:
    client = Client()
    client.force_login(admin)
    counts = _each(_part(part), start, _web(client))
    assert counts["refused"] > counts["accepted"]


def test_limits_are_what_the_corpus_breaks() -> None:
    assert limits.MAX_UNPACKED < 70 * 1024 * 1024 and limits.MAX_CELL < 200 * 1024 and limits.MAX_DEPTH < 40


# --- Random damage -----------------------------------------------------------------------------------

SMALL_CONTENT = (SEEDS / SMALL).read_bytes()
CSV_CONTENT = _csv(_engagement_rows())


def _damaged(content: bytes) -> st.SearchStrategy[bytes]:
    def damage(edits: list[tuple[int, int, bytes]]) -> bytes:
        result = bytearray(content)
        for position, length, inserted in edits:
            position %= max(1, len(result))
            result[position:position + length] = inserted
        return bytes(result)
    pieces = [b"\n", b":", b"- ", b"[", b'"', b",", b"\x00", b"&a", b"*a"]
    edit = st.tuples(st.integers(0, len(content)), st.integers(0, 8), st.binary(max_size=4) | st.sampled_from(pieces))
    return st.lists(edit, min_size=1, max_size=4).map(damage)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["yaml", "csv"]), data=st.data())
def test_randomly_damaged_files_are_refused_or_imported_whole(start: Any, tmp_path: Path, kind: str,
                                                              data: st.DataObject) -> None:
    content = data.draw(_damaged(SMALL_CONTENT if kind == "yaml" else CSV_CONTENT))
    filename = SMALL if kind == "yaml" else "engagements.csv"
    _each([("damaged", filename, content)], start, _command(tmp_path))
