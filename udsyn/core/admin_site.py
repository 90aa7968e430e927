"""The admin site for superusers only, installed instead of ``django.contrib.admin`` (udsyn/core/admin.py
registers the models on it)."""

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse

from udsyn.core.csp import admit, in_templates


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Udsyn"
    site_title = "Udsyn"

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_superuser)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """The admin's pages admit the few literal inline styles of Django's admin templates and of
        django-simple-history's, by hash (udsyn/core/csp.py): the Content Security Policy stays strict."""
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def with_its_styles(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return admit(guarded(request, *args, **kwargs),
                         in_templates("django.contrib.admin") | in_templates("simple_history"))

        return with_its_styles


class UdsynAdminConfig(AdminConfig):
    """The default admin site is the superusers' site."""

    default_site = "udsyn.core.admin_site.SuperuserAdminSite"
