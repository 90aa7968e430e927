"""Who may see and do what with inquiries. Inquiries hold personal data (the requester's name and
e-mail), so readers see none of them.

- administrators, and coordinators of the municipality (the central secretariat): everything;
- department editors: the inquiries routed to their department (as lead or contributor); the lead
  department's editors decide, plan and close them;
- readers and anonymous visitors: nothing (requesters use their private status link).
"""

from typing import Any

from udsyn.core import permissions
from udsyn.inquiries.models import Inquiry, InquiryQuerySet
from udsyn.organisation.models import Department, Role


def visible(user: Any, queryset: InquiryQuerySet | None = None) -> InquiryQuerySet:
    queryset = Inquiry.objects.all() if queryset is None else queryset
    kind = permissions.kind_of(user)
    if kind == Role.Kind.ADMINISTRATOR:
        return queryset
    role = permissions.role_of(user)
    if role is None or kind == Role.Kind.READER:
        return queryset.none()
    if role.municipality_id is None:
        return queryset.none()
    queryset = queryset.filter(municipality_id=role.municipality_id)
    if kind == Role.Kind.COORDINATOR:
        return queryset
    if role.department_id is None:
        return queryset.none()
    return queryset.for_department(role.department_id)


def may_see(user: Any, inquiry: Inquiry) -> bool:
    if permissions.coordinates(user, inquiry.municipality_id):
        return True
    role = permissions.role_of(user)
    return bool(role and permissions.kind_of(user) == Role.Kind.EDITOR
                and role.department_id in inquiry.department_ids())


def may_route(user: Any, inquiry: Inquiry) -> bool:
    return permissions.coordinates(user, inquiry.municipality_id)


def may_decide(user: Any, inquiry: Inquiry) -> bool:
    """Accept, decline, plan, mark as held and close: the secretariat, and the lead department."""
    if permissions.coordinates(user, inquiry.municipality_id):
        return True
    role = permissions.role_of(user)
    return bool(role and permissions.kind_of(user) == Role.Kind.EDITOR and inquiry.lead_department_id
                and role.department_id == inquiry.lead_department_id)


def may_configure(user: Any, department: Department) -> bool:
    """Edit a department's inquiry settings: the secretariat, and the department's own editors."""
    if permissions.coordinates(user, department.municipality_id):
        return True
    role = permissions.role_of(user)
    return bool(role and permissions.kind_of(user) == Role.Kind.EDITOR and role.department_id == department.pk)


def may_use_inquiries(user: Any) -> bool:
    """Whether the inquiry pages are in the user's menu at all."""
    return permissions.kind_of(user) in (Role.Kind.ADMINISTRATOR, Role.Kind.COORDINATOR, Role.Kind.EDITOR)
