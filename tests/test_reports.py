"""The mapping report: every format and language carries the sections and the registry's figures."""

import io
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from docx import Document
from lxml import html as lxml_html

from tests.seeds import seeded_then_rolled_back
from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Department, Municipality, Role
from udsyn.reports import content
from udsyn.reports.models import ReportJob
from udsyn.reports.render import make

# Every test here needs the test database; marking them all also makes pytest-django create it for the
# module-scoped fixture below, even when only tests that read its reports are selected.
pytestmark = pytest.mark.django_db

SECTIONS = {
    "da": ["Indledning", "Internationalt arbejde i forvaltningerne", "Agendaer, strategier og handlingsplaner",
           "Medlemskaber af internationale netværk og organisationer", "Samarbejdsbyer og aftaler",
           "Igangværende internationale projekter", "Ekstern finansiering af internationale projekter",
           "Besøg af udenlandske delegationer", "De politiske udvalg",
           "Engagementer, som flere forvaltninger deler"],
    "en": ["Introduction", "International work in the departments", "Agendas, strategies and action plans",
           "Memberships of international networks and organisations", "Partner cities and agreements",
           "International projects under way", "External funding for international projects",
           "Visits from foreign delegations", "The political committees",
           "Engagements shared by several departments"],
}


def _text(fmt: str, data: bytes) -> str:
    if fmt == "pdf":
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                              check=True).stdout.decode("utf-8")
    if fmt == "docx":
        doc = Document(io.BytesIO(data))
        parts = [p.text for p in doc.paragraphs]
        parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return lxml_html.fromstring(data).text_content()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The seed data for every test here, loaded once and rolled back after the last (each test's own writes
    are rolled back after it, as always)."""
    with seeded_then_rolled_back(django_db_blocker):
        yield


@pytest.fixture(scope="module")
def reports(seeded: None) -> dict[tuple[str, str], Any]:
    """Copenhagen's report in every format and language, made once from the seed data."""

    def work() -> dict[tuple[str, str], Any]:
        copenhagen = Municipality.objects.get(code="0101")
        made = {(fmt, lang): make(copenhagen, fmt, lang) for fmt in ("html", "pdf", "docx") for lang in ("da", "en")}
        with translation.override("da"):
            made["facts"] = content.build(copenhagen)  # type: ignore[index]
        made["active memberships"] = Engagement.objects.filter(  # type: ignore[index]
            municipality=copenhagen, kind="membership", status="active").count()
        return made

    return work()


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_format_has_the_sections_of_the_mapping(reports: dict[Any, Any], fmt: str, lang: str) -> None:
    text = " ".join(_text(fmt, reports[(fmt, lang)].data).split())
    for title in SECTIONS[lang]:
        assert title in text, f"{fmt}/{lang} lacks the section {title!r}"
    assert ("Københavns Kommune" if lang == "da" else "Copenhagen") in text or "København" in text


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_key_figures_and_engagements_appear_in_every_format(reports: dict[Any, Any], fmt: str) -> None:
    text = " ".join(_text(fmt, reports[(fmt, "da")].data).split())
    for needle in ("EUROCITIES", "ATELIER", "Beijing", "4.971.000 kr.", "665.462,5 EUR", "1.300.000 kr."):
        assert needle in text, f"{fmt} lacks {needle!r}"
    english = " ".join(_text(fmt, reports[(fmt, "en")].data).split())
    assert "DKK 4,971,000" in english and "EUR 665,462.5" in english


def test_stated_figures_stand_beside_computed_ones(reports: dict[Any, Any]) -> None:
    facts = reports["facts"]
    by_key = {c.stated.key: c for c in facts.comparisons}
    networks = by_key["networks"]
    assert networks.stated.value == 27
    assert networks.computed.value == reports["active memberships"]
    assert "delt af flere forvaltninger" in networks.computed.basis
    text = " ".join(_text("html", reports[("html", "da")].data).split())
    assert "Oplyste og beregnede tal" in text
    assert networks.computed.display in text


def test_charts_and_map_are_embedded_with_text_alternatives(reports: dict[Any, Any]) -> None:
    page = lxml_html.fromstring(reports[("html", "da")].data)
    figures = page.xpath("//figure")
    assert {f.get("id") for f in figures} >= {"chart-funding", "chart-engagements", "map-partners"}
    for figure in figures:
        image = figure.find(".//img")
        assert image.get("src").startswith("data:image/svg+xml;base64,")
        assert len(image.get("alt")) > 40
    assert "Beijing" in page.get_element_by_id("map-partners").find(".//img").get("alt")
    doc = Document(io.BytesIO(reports[("docx", "da")].data))
    assert len(doc.inline_shapes) == 3
    descriptions = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert all(len(d) > 40 for d in descriptions)


def test_word_uses_real_headings_and_tables(reports: dict[Any, Any]) -> None:
    doc = Document(io.BytesIO(reports[("docx", "da")].data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert "1 Indledning" in headings
    assert len(doc.tables) > 10
    header_cells = [c.text for c in doc.tables[1].rows[0].cells]
    assert header_cells and all(header_cells)


def test_pdf_is_a4_with_page_numbers_and_as_of_stamp(reports: dict[Any, Any]) -> None:
    pdf = reports[("pdf", "da")].data
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89 pts (A4)" in info or "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = _text("pdf", pdf)
    assert f"2 / {pages}" in text
    assert "Status pr." in text
    assert "æ" in text and "ø" in text and "å" in text


def test_command_writes_a_department_report(seeded: None, tmp_path: Any) -> None:
    target = tmp_path / "tmf.docx"
    call_command("report", municipality="0101", department="TMF", fmt="docx", lang="en", output=target)
    text = _text("docx", target.read_bytes())
    assert "Teknik- og Miljøforvaltningen" in text or "Technical and Environmental" in text
    assert "ATELIER" in text
    assert "Mayors for Peace" not in text  # ØKF's own membership stays out of TMF's report


def test_command_names_the_missing_department(seeded: None) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="has no department 'XYZ'"):
        call_command("report", municipality="0101", department="XYZ", fmt="html")


def test_web_report_for_coordinators_and_own_department_for_editors(seeded: None, settings: Any) -> None:
    copenhagen = Municipality.objects.get(code="0101")
    tmf = Department.objects.get(municipality=copenhagen, code="TMF")
    okf = Department.objects.get(municipality=copenhagen, code="ØKF")
    editor = User.objects.create_user("tmf", password="x")
    Role.objects.create(user=editor, kind=Role.Kind.EDITOR, municipality=copenhagen, department=tmf)
    reader = User.objects.create_user("reader", password="x")
    Role.objects.create(user=reader, kind=Role.Kind.READER, municipality=copenhagen)
    client = Client()

    client.force_login(reader)
    assert client.get("/reports/").status_code == 403

    client.force_login(editor)
    refused = client.post("/reports/", {"municipality": copenhagen.pk, "department": okf.pk,
                                         "format": "html", "language": "da"})
    assert refused.status_code == 400 and not ReportJob.objects.exists()
    response = client.post("/reports/", {"municipality": copenhagen.pk, "department": tmf.pk,
                                         "format": "html", "language": "da"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/{job.pk}/"
    page = client.get(f"/reports/{job.pk}/").content.decode()
    assert "Rapporten er klar" in page
    download = client.get(f"/reports/{job.pk}/download/")
    assert download["Content-Type"].startswith("text/html")
    assert "ATELIER" in download.content.decode()
    # Polling stops (htmx status 286) once the report is done.
    assert client.get(f"/reports/{job.pk}/", HTTP_HX_REQUEST="true").status_code == 286

    other = User.objects.create_user("other", password="x")
    Role.objects.create(user=other, kind=Role.Kind.COORDINATOR, municipality=copenhagen)
    client.force_login(other)
    assert client.get(f"/reports/{job.pk}/download/").status_code == 403
