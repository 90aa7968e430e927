"""Who may see and do what with inquiries, asked of the inquiries app's policy (udsyn/inquiries/policies.py):
the secretariat (coordinators) everything of its municipality, a department's editors the inquiries routed
to it, the lead department decides; readers and anonymous visitors nothing."""

from typing import Any

from udsyn.core.policy import allows
from udsyn.inquiries.models import DepartmentInquirySettings, Inquiry, InquiryQuerySet
from udsyn.organisation.models import Department


def visible(user: Any, queryset: InquiryQuerySet | None = None) -> InquiryQuerySet:
    queryset = Inquiry.objects.all() if queryset is None else queryset
    restricted: InquiryQuerySet = queryset.restrict(user, "view")
    return restricted


def may_see(user: Any, inquiry: Inquiry) -> bool:
    return allows(user, "view", inquiry)


def may_route(user: Any, inquiry: Inquiry) -> bool:
    return allows(user, "route", inquiry)


def may_decide(user: Any, inquiry: Inquiry) -> bool:
    """Accept, decline, plan, mark as held and close: the secretariat, and the lead department."""
    return allows(user, "decide", inquiry)


def may_configure(user: Any, department: Department) -> bool:
    """Edit a department's inquiry settings: the secretariat, and the department's own editors."""
    return allows(user, "change", DepartmentInquirySettings(department=department))


def may_use_inquiries(user: Any) -> bool:
    """Whether the inquiry pages are in the user's menu at all."""
    return allows(user, "view", Inquiry)
