"""The inquiries app's permission rules. Inquiries hold personal data (the requester's name and e-mail),
so readers see none: the secretariat (coordinators) sees its municipality's, a department's editors those
routed to their department (as lead or contributor); the lead department decides, plans and closes them.
Requesters use their private status link, not these rules."""

from udsyn.core import policy as p
from udsyn.inquiries.models import DeclineReason, DepartmentInquirySettings, FollowUp, Inquiry

DECIDE = p.coordinator() | p.editor("lead_department")
p.register(Inquiry, p.Policy(
    view=p.coordinator() | p.editor("lead_department") | p.editor("contributing_departments"),
    change=DECIDE,
    extra={"route": p.coordinator(), "decide": DECIDE, "erase": p.coordinator()},
    summary="The secretariat routes; the lead department decides; contributors read."))
p.register(FollowUp, p.Policy(
    view=p.coordinator("inquiry__municipality") | p.editor("inquiry__lead_department")
    | p.editor("inquiry__contributing_departments"),
    add=p.coordinator("inquiry__municipality") | p.editor("inquiry__lead_department"),
    change=p.coordinator("inquiry__municipality") | p.editor("inquiry__lead_department"),
    scope="inquiry__municipality", summary="As the inquiry."))
OWN = p.coordinator("department__municipality") | p.editor("department")
for model in (DepartmentInquirySettings, DeclineReason):
    p.register(model, p.Policy(view=p.ANY_STAFF, add=OWN, change=OWN, scope="department__municipality",
                               summary="The secretariat and the department's own editors."))
