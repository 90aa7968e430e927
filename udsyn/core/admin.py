"""The Django admin, for superusers only: an admin site that lets no one else in, and every model of every
Udsyn app registered on it by one loop (a model an app registers itself keeps its own admin). Historical
rows (django-simple-history) show on their record's history page in the admin, not as models of their own.

The admin writes past the permission policy and the actions; it is the installation's last resort (fix a
stuck record, look at raw rows), which is why only superusers reach it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


def _generic_admin(model: type[Any]) -> type[admin.ModelAdmin[Any]]:
    tracked = hasattr(model, "history") and hasattr(model._meta, "simple_history_manager_attribute")
    base: type[admin.ModelAdmin[Any]] = SimpleHistoryAdmin if tracked else admin.ModelAdmin
    fields = [f for f in model._meta.get_fields() if getattr(f, "concrete", False) and not f.many_to_many]
    searchable = [f.name for f in fields if f.get_internal_type() in {"CharField", "SlugField", "EmailField"}][:4]
    related = [f.name for f in fields if f.many_to_one and f.name != "id"][:3]
    return type(f"{model.__name__}Admin", (base,), {
        "list_display": ["__str__", *related],
        "search_fields": searchable,
        "list_select_related": related,
        "list_per_page": 50,
        "show_full_result_count": False,
    })


def register_all() -> None:
    """Register every model of every Udsyn app that has no admin yet."""
    for config in apps.get_app_configs():
        if not config.name.startswith("udsyn."):
            continue
        for model in config.get_models():
            if model._meta.auto_created or model.__name__.startswith("Historical") or admin.site.is_registered(model):
                continue
            admin.site.register(model, _generic_admin(model))


register_all()
