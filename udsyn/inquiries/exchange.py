"""The inquiries' part of the import/export registry: how a department handles inquiries, with its stock
reasons for declining (``inquiries:`` in a department of the registry file; seed 000 §8), registered as a
section nested in the departments (docs/import-format.md)."""

from typing import Any

from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import FileImport, Rec
from udsyn.core.exchange.sections import Col, Schema, Section, nested, register
from udsyn.core.exchange.values import choices, integer
from udsyn.inquiries.models import DeclineReason, DepartmentInquirySettings, OrganisationKind
from udsyn.organisation.models import Department

SETTINGS = {
    "handled_by": Col("handled_by"), "approved_by": Col("approved_by"), "usual_place": Col("usual_place"),
    "usual_duration": Col("usual_duration", integer), "usual_programme": Col("usual_programme"),
    "priority": Col("priority_kinds", choices(OrganisationKind)),
    "monthly_capacity": Col("monthly_capacity", integer),
    "response_days": Col("response_days", integer), "inbox_email": Col("inbox_email"),
    "decline_reasons": nested(),
}


def _write(job: FileImport, department_rec: Rec, department: Department | None, _state: Any) -> None:
    rec = Rec(job, department_rec.refs["inquiries"], f"{department_rec.where}, inquiries", INQUIRIES.schema,
              department_rec.data.line_of("inquiries"), "inquiries")
    if department is None:
        rec.blocked = True
        return
    existing = DepartmentInquirySettings.objects.filter(department=department).first()
    values = {**rec.values, "department": department}
    if "response_days" in values and values["response_days"] is None:
        del values["response_days"]
    if job.upsert(rec, DepartmentInquirySettings, existing, values) is None:
        return
    reasons = {v.key(r.text): r for r in DeclineReason.objects.filter(department=department)}
    listed = set()
    for reason_rec in job.nested(rec, "decline_reasons", DECLINE_REASON):
        key = reason_rec.natural("text")
        listed.add(key)
        job.upsert(reason_rec, DeclineReason, reasons.get(key), {**reason_rec.values, "department": department})
    for key, reason in reasons.items():
        if key not in listed:
            job.delete(reason)


INQUIRIES = Section("inquiries", 61, SETTINGS, "handled_by", models=(DepartmentInquirySettings, DeclineReason),
                    parent="departments", many=False, write_nested=_write)
DECLINE_REASON = Schema("text", {"text": Col("text", required=True), "text_en": Col("text_en")})
register(INQUIRIES)
