"""URL helpers: the standard URL set of a record type (list, add, detail, edit, delete, history with revert
and restore of a version, deleted, restore), and absolute links for e-mails and calendars."""

from typing import Any

from django.conf import settings
from django.urls import URLPattern, path

from udsyn.core import views


def record_urls(prefix: str, model: Any, list_view: Any, detail_view: Any, edit_view: Any) -> list[URLPattern]:
    name = model._meta.model_name
    attrs = {"model": model}
    delete_view: Any
    history_view: Any
    deleted_view: Any
    restore_view: Any
    revert_view: Any
    version_view: Any
    delete_view = type(f"{model.__name__}DeleteView", (views.ObjectDeleteView,), attrs)
    history_view = type(f"{model.__name__}HistoryView", (views.ObjectHistoryView,), attrs)
    deleted_view = type(f"{model.__name__}DeletedView", (views.DeletedListView,), attrs)
    restore_view = type(f"{model.__name__}RestoreView", (views.RestoreView,), attrs)
    revert_view = type(f"{model.__name__}RevertView", (views.RevertView,), attrs)
    version_view = type(f"{model.__name__}RestoreVersionView", (views.RestoreVersionView,), attrs)
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/deleted/", deleted_view.as_view(), name=f"{name}_deleted"),
        path(f"{prefix}/restore/<int:history_id>/", restore_view.as_view(), name=f"{name}_restore"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
        path(f"{prefix}/<int:pk>/history/", history_view.as_view(), name=f"{name}_history"),
        path(f"{prefix}/<int:pk>/history/revert/", revert_view.as_view(), name=f"{name}_revert"),
        path(f"{prefix}/<int:pk>/history/restore/", version_view.as_view(), name=f"{name}_restore_version"),
    ]


def absolute_url(path: str) -> str:
    """A link that works outside the app (in an e-mail or a calendar): ``UDSYN_BASE_URL`` + path."""
    return str(settings.UDSYN_BASE_URL).rstrip("/") + path
