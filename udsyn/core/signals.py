"""Keep the search index in step with the registry."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from udsyn.core import search
from udsyn.core.models import RegistryModel


def _saved(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and isinstance(instance, RegistryModel) and search.is_indexed(type(instance)):
        search.index(instance)


def _deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, RegistryModel) and search.is_indexed(type(instance)):
        search.unindex(instance)


post_save.connect(_saved, dispatch_uid="udsyn-search-save")
post_delete.connect(_deleted, dispatch_uid="udsyn-search-delete")
