"""Draw the report's blocks as HTML, PDF (WeasyPrint, from the same HTML) or Word (python-docx)."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from udsyn.core.formatting import format_date
from udsyn.organisation.models import Department, Municipality
from udsyn.reports import charts, content, layout

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx"}
CSS = Path(__file__).parent / "report.css"
FONTS = Path(settings.BASE_DIR) / "static" / "vendor" / "dkfds" / "fonts" / "IBMPlexSans"

Progress = Callable[[int, str], None]


@dataclass
class Made:
    data: bytes
    content_type: str
    filename: str


def _quiet(percent: int, message: str) -> None:
    pass


def make(
    municipality: Municipality, fmt: str, language: str = "da", department: Department | None = None,
    since_year: int | None = None, progress: Progress = _quiet,
) -> Made:
    """The report in one format and language; ``progress`` hears how far it has come."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with translation.override(language):
        progress(5, _("Gathering the registry"))
        report = content.build(municipality, department, since_year, language)
        progress(30, _("Drawing charts and the map"))
        pictures = charts.pictures(report)
        progress(60, _("Laying out the report"))
        parts = layout.blocks(report, pictures)
        progress(70, _("Writing the {format} file").format(format=fmt.upper()))
        if fmt == "docx":
            data = to_docx(report, parts)
        else:
            html = to_html(report, parts, print_version=fmt == "pdf")
            data = html.encode("utf-8") if fmt == "html" else to_pdf(html)
        progress(100, _("Done"))
        return Made(data, FORMATS[fmt], filename(report, fmt))


def filename(report: content.Report, fmt: str) -> str:
    parts = ["udsyn", report.municipality.code]
    if report.department:
        parts.append(report.department.code)
    parts += [report.language, report.as_of.isoformat()]
    return "-".join(parts).lower() + "." + EXTENSIONS[fmt]


def to_html(report: content.Report, parts: list[layout.Block], print_version: bool = False) -> str:
    return render_to_string("reports/report.html", {
        "report": report, "blocks": parts, "print": print_version,
        "css": CSS.read_text(encoding="utf-8"),
        "fonts": FONTS.as_uri() if print_version and FONTS.exists() else "",
        "as_of": format_date(report.as_of), "generated": report.generated,
    })


def to_pdf(html: str) -> bytes:
    import logging

    from weasyprint import HTML

    # WeasyPrint logs each screen-only CSS property it skips (overflow-x …); those are expected.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return HTML(string=html, base_url=str(Path(settings.BASE_DIR))).write_pdf()  # type: ignore[no-any-return]


def to_docx(report: content.Report, parts: list[layout.Block]) -> bytes:
    from udsyn.reports.word import document

    buffer = io.BytesIO()
    document(report, parts).save(buffer)
    return buffer.getvalue()
