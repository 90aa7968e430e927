"""The API's permissions are the web app's (udsyn.core.permissions), checked on every request.

- Anonymous callers read the published record types only (their viewsets say ``public = True``), through
  serializers that leave out people and internal fields.
- Signed-in users read everything, as in the web app.
- Writes need ``can_create`` for the record type, and ``can_edit`` for the record both as it stands and
  as it would be saved (so a department editor cannot move an engagement out of their department).
"""

from typing import Any

from rest_framework import permissions as drf
from rest_framework.pagination import PageNumberPagination

from udsyn.core import permissions


class RegistryPermission(drf.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in drf.SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated) or getattr(view, "public", False)
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method == "POST":
            return permissions.can_create(request.user, view.get_queryset().model)
        return True

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        if request.method in drf.SAFE_METHODS:
            return True
        return permissions.can_edit(request.user, obj)


class Pagination(PageNumberPagination):
    """50 records a page by default; ``?page_size=`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
