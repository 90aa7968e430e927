"""The API's permissions are the web app's (the policy in udsyn.core.policy), checked on every request.

- Anonymous callers read the published record types only (their viewsets say ``public = True``), through
  serializers that leave out people and internal fields; the policy's ``view`` rule says which records.
- Signed-in users read what the policy lets them view, as in the web app.
- Writes need ``add`` for the record type, ``change`` (or ``delete``) for the record as it stands, and
  ``add``/``change`` for the record as it would be saved (so a department editor cannot move an engagement
  out of their department).
"""

from typing import Any

from rest_framework import permissions as drf
from rest_framework.pagination import PageNumberPagination

from udsyn.core.policy import allows


class RegistryPermission(drf.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in drf.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated) or getattr(view, "public", False)
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method == "POST":
            return allows(request.user, "add", view.get_queryset().model)
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in drf.SAFE_METHODS:
            return True
        return allows(request.user, "delete" if request.method == "DELETE" else "change", obj)


class Pagination(PageNumberPagination):
    """50 records a page by default; ``?page_size=`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
