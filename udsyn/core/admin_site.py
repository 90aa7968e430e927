"""The admin site for superusers only, installed instead of ``django.contrib.admin`` (udsyn/core/admin.py
registers the models on it)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    site_header = "Udsyn"
    site_title = "Udsyn"

    def has_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        return bool(user.is_active and user.is_superuser)


class UdsynAdminConfig(AdminConfig):
    """The default admin site is the superusers' site."""

    default_site = "udsyn.core.admin_site.SuperuserAdminSite"
