"""The report as a Word document staff can edit: real headings, tables and a table of contents field."""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from udsyn.core.formatting import format_date
from udsyn.reports import layout
from udsyn.reports.content import Report

ACCENT = RGBColor(0x00, 0x59, 0xB3)
MUTED = RGBColor(0x55, 0x55, 0x55)


def _field(paragraph: object, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC …); Word fills it in when the document is opened or printed."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(separate)
    shown = paragraph.add_run(placeholder)  # type: ignore[attr-defined]
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    shown._r.append(end)


def _setup(doc: DocumentType, report: Report) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    for level, size in ((1, 22), (2, 16), (3, 12)):
        style = doc.styles[f"Heading {level}"]
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT if level > 1 else RGBColor(0x1A, 0x1A, 0x1A)
    header = section.header.paragraphs[0]
    header.text = f"{report.title} · " + _("As of {date}").format(date=format_date(report.as_of))
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = MUTED
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _field(footer, "PAGE", "1")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES", "1")
    props = doc.core_properties
    props.title = report.title
    props.author = "Udsyn"
    props.language = report.language
    props.created = report.generated.replace(tzinfo=None)


def _table(doc: DocumentType, block: layout.Table) -> None:
    caption = doc.add_paragraph(block.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=0, cols=len(block.headers))
    table.style = "Light List Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    values = [block.headers, *block.rows, *([block.footer] if block.footer else [])]
    last = len(values) - 1
    for r, row in enumerate(values):
        added = table.add_row()
        if r == 0:
            _repeat_header(added)
        # A new row's cells, taken once: python-docx's table.cell(r, c) walks the whole table each time.
        for c, (cell, value) in enumerate(zip(added.cells, row, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(8.5)
            run.bold = r == 0 or (bool(block.footer) and r == last)
            if c in block.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _picture(doc: DocumentType, block: layout.Figure) -> None:
    picture = block.picture
    doc.add_picture(io.BytesIO(picture.png), width=Cm(16.5))
    # The text alternative, where Word and screen readers look for it.
    inline = doc.inline_shapes[-1]._inline
    inline.docPr.set("descr", picture.description)
    inline.docPr.set("title", picture.title)
    doc.add_paragraph(picture.title, style="Caption")
    doc.add_paragraph(picture.description).runs[0].font.color.rgb = MUTED


def document(report: Report, blocks: list[layout.Block]) -> DocumentType:
    doc = Document()
    _setup(doc, report)
    kicker = doc.add_paragraph(report.municipality.name.upper())
    kicker.runs[0].font.color.rgb = MUTED
    doc.add_heading(report.title, level=1)
    stamp = doc.add_paragraph(
        _("As of {date}").format(date=format_date(report.as_of)) + " · " + _("Made from the registry in Udsyn")
        + " " + report.generated.strftime("%d.%m.%Y %H:%M")
    )
    stamp.runs[0].font.color.rgb = MUTED
    doc.add_paragraph(_("Contents"), style="Heading 2")
    toc = doc.add_paragraph()
    _field(toc, 'TOC \\o "2-3" \\h \\z \\u', _("Right-click and choose Update Field to show the table of contents."))
    for block in blocks:
        if isinstance(block, layout.Heading):
            if block.level == 2:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            doc.add_heading(block.full, level=block.level)
        elif isinstance(block, layout.Para):
            paragraph = doc.add_paragraph(block.text)
            if block.style == "note":
                paragraph.runs[0].font.color.rgb = MUTED
            elif block.style == "lead":
                paragraph.runs[0].font.size = Pt(11.5)
        elif isinstance(block, layout.Bullets):
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif isinstance(block, layout.Cards):
            _table(doc, layout.Table(_("Headline figures"), [_("Figure"), _("Value")],
                                     [[label, value] for value, label in block.items], numeric={1}))
        elif isinstance(block, layout.Table):
            _table(doc, block)
        elif isinstance(block, layout.Figure):
            _picture(doc, block)
    return doc
