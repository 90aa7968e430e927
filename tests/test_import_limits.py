"""Limits that protect the server, on the web, from the command line and in the API: each broken limit is a
clear error naming its place, never a 5xx, a time-out or an upload stuck in "checking"."""

import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from rest_framework.test import APIClient

from udsyn.core.exchange.importer import import_registry
from udsyn.engagements.models import Engagement
from udsyn.interop import tabular
from udsyn.interop.models import TableUpload

pytestmark = pytest.mark.django_db

HEAD = 'municipality:\n  code: "0101"\n  name: København\n'


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _problems(text: str) -> list[str]:
    return [str(problem) for problem in import_registry(text, filename="x.yaml").problems]


@pytest.mark.parametrize(("path", "method"), [
    ("/api/engagements/", "post"), ("/api/themes/", "post"), ("/api/engagements/{pk}/", "patch"),
    ("/api/engagements/{pk}/", "put"), ("/api/funding/", "post"),
])
def test_an_api_body_nested_50000_deep_is_a_400(
        path: str, method: str, eurocities: Engagement, coordinator: User) -> None:
    client = APIClient()
    client.force_authenticate(coordinator)
    body = "[" * 50000 + "]" * 50000
    response = getattr(client, method)(path.format(pk=eurocities.pk), body, content_type="application/json")
    assert response.status_code == 400
    assert "32" in response.json()["detail"]  # "nested more than 32 levels deep", in the caller's language
    body = '{"title": ' * 40 + '"x"' + "}" * 40
    response = getattr(client, method)(path.format(pk=eurocities.pk), body, content_type="application/json")
    assert response.status_code == 400


def test_a_zip_that_unpacks_too_large_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("engagements.csv", b"title\r\n" + b"0" * (70 * 1024 * 1024) + b"\r\n")
    assert len(buffer.getvalue()) < 200 * 1024
    with pytest.raises(tabular.Unreadable, match="bomb.zip would unpack to more than 60 MB"):
        tabular.read("bomb.zip", buffer.getvalue())
    with pytest.raises(tabular.Unreadable, match="would unpack to more than 60 MB"):
        tabular.read("bomb.xlsx", buffer.getvalue())


def test_a_cell_over_128_kib_is_an_error_with_its_row() -> None:
    content = b"title,description\r\nA,short\r\nB," + b"x" * (129 * 1024) + b"\r\n"
    with pytest.raises(tabular.Unreadable, match="row 3 has a cell longer than 131071 characters"):
        tabular.read("engagements.csv", content)
    result = import_registry(HEAD + "themes:\n  - name: " + "x" * (129 * 1024) + "\n", filename="x.yaml")
    assert "line 5, themes[0], name: The text is longer than 131071 characters." in str(result.problems[0])


def test_the_cell_limit_holds_when_another_library_raised_the_csv_modules_limit() -> None:
    import csv

    before = csv.field_size_limit(10 ** 9)  # as frictionless does for the whole process
    try:
        content = b"title,description\r\nB," + b"x" * (129 * 1024) + b"\r\n"
        with pytest.raises(tabular.Unreadable, match="row 2 has a cell longer than 131071 characters"):
            tabular.read("engagements.csv", content)
    finally:
        csv.field_size_limit(before)


def test_deeply_nested_json_and_yaml_are_refused() -> None:
    with pytest.raises(tabular.Unreadable, match="nested more than 32 levels deep"):
        tabular.read("engagements.json", b"[" * 50000 + b"]" * 50000)
    with pytest.raises(tabular.Unreadable, match="nested more than 32 levels deep"):
        tabular.read("engagements.yaml", b"[" * 50000 + b"]" * 50000 + b"\n")
    assert "nested more than 32 levels deep" in _problems(HEAD + "themes: " + "[" * 50000 + "]" * 50000 + "\n")[0]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{n}: &a{n} [{', '.join([f'*a{n - 1}' if n > 1 else '*a'] * 9)}]\n" for n in range(1, 9))
    assert "more than 2000000 values once its aliases are expanded" in _problems(bomb)[0]


def test_impossible_dates_wrong_types_and_nul_are_problems_with_their_line(copenhagen: Any) -> None:
    problems = _problems(HEAD + "engagements:\n  - title: X\n    kind: project\n    lead: ØKF\n    start: 2019-02-30\n")
    assert len(problems) == 1 and problems[0].startswith("line 8: The file is not valid YAML:")
    assert "2019-02-30" in problems[0] and "day is out of range" in problems[0]
    problems = _problems(HEAD + "engagements:\n  - Sister city agreement with Beijing\n")
    assert problems == ['line 5, engagements[0]: Give a mapping of keys and values here.']
    problems = _problems(HEAD + "engagements: Sister city agreement with Beijing\n")
    assert problems == ["line 4, engagements: Give a list of entries here."]
    problems = _problems(HEAD + 'themes:\n  - name: "Kli\\0ma"\n')
    assert problems == ["line 5, themes[0], name: The text holds a NUL character (\\0), which cannot be stored."]


def test_a_nul_byte_in_an_upload_is_a_clear_error_not_a_stuck_upload(
        coordinator: User, login: Callable[[User], Any]) -> None:
    client = login(coordinator)
    for name, content in (("engagements.csv", b"municipality,title\r\n0101,A\x00B\r\n"),
                          ("engagements.json", b'{"engagements": [{"municipality": "0101", "title": "A\\u0000B"}]}'),
                          ("engagements.yaml", b'engagements:\n- municipality: "0101"\n  title: "A\\0B"\n')):
        upload = io.BytesIO(content)
        upload.name = name
        response = client.post("/en/import/tables/", {"file": upload})
        if response.status_code == 400:
            assert "NUL character" in response.content.decode()
            continue
        saved = TableUpload.objects.latest("pk")
        assert saved.state == TableUpload.State.FAILED, name
        assert "NUL character" in saved.result["problems"][0]["message"]
        assert "NUL" in client.get(response["Location"]).content.decode()
