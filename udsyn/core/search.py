"""Global search over every record of the registry, through one index table.

Each indexed record has one ``SearchEntry`` row holding its title and its text folded for Danish
(see :mod:`udsyn.core.text`), so a search costs the same few queries whatever it finds. When no
record contains every word, titles are matched approximately with rapidfuzz ("Kopenhagen" still
finds "København").
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from rapidfuzz import fuzz, process

from udsyn.core.models import RegistryModel, SearchEntry
from udsyn.core.policy import actor, policy_for
from udsyn.core.text import fold, terms


@dataclass(frozen=True)
class Indexed:
    """A searchable record type, as its app registers it (``<app>/search.py``): its title and text come from
    the model (``search_title``, ``search_text`` and ``search_fields``); ``select`` and ``prefetch`` are what
    building the text reads, so that a rebuild costs a few queries per type, not per record."""

    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()


_indexed: dict[type[models.Model], Indexed] = {}
_parts: dict[type[models.Model], str] = {}  # a part whose change changes its parent's text: its parent field


def register(model: type[models.Model], *, select: tuple[str, ...] = (), prefetch: tuple[str, ...] = ()) -> None:
    _indexed[model] = Indexed(select, prefetch)


def register_part(model: type[models.Model], parent: str) -> None:
    """A change to a record of ``model`` changes the search text of the record its ``parent`` field names."""
    _parts[model] = parent


def indexed_models() -> list[type[models.Model]]:
    return list(_indexed)


def is_indexed(model: type[models.Model]) -> bool:
    return model in _indexed or model in _parts


def _entry_values(obj: RegistryModel) -> dict[str, Any]:
    title = obj.search_title()[:300]
    return {
        "municipality_id": obj.search_municipality_id(),
        "title": title,
        "folded_title": fold(title)[:300],
        "folded_text": fold(obj.search_text()),
    }


def index(obj: RegistryModel) -> None:
    if type(obj) in _parts:
        parent = getattr(obj, _parts[type(obj)], None)
        if parent is not None:
            index(parent)
        return
    SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, defaults=_entry_values(obj)
    )


def unindex(obj: RegistryModel) -> None:
    if type(obj) in _parts:
        parent = getattr(obj, _parts[type(obj)] + "_id", None)
        model = obj._meta.get_field(_parts[type(obj)]).related_model
        if parent and model is not None:
            index(model._default_manager.get(pk=parent))  # type: ignore[arg-type]
        return
    SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).delete()


def rebuild(models_to_index: Iterable[type[models.Model]] | None = None) -> int:
    """Rebuild the whole index in bulk; returns the number of entries written."""
    count = 0
    for model in models_to_index or indexed_models():
        ct = ContentType.objects.get_for_model(model)
        SearchEntry.objects.filter(content_type=ct).delete()
        rows = [
            SearchEntry(content_type=ct, object_id=obj.pk, **_entry_values(obj))
            for obj in _prefetched(model).iterator(chunk_size=2000)
        ]
        SearchEntry.objects.bulk_create(rows, batch_size=1000)
        count += len(rows)
    return count


def _prefetched(model: type[models.Model]) -> models.QuerySet[Any]:
    how = _indexed[model]
    qs = model._default_manager.all()
    if how.select:
        qs = qs.select_related(*how.select)
    if how.prefetch:
        qs = qs.prefetch_related(*how.prefetch)
    return qs


@dataclass
class Hit:
    title: str
    model: str  # model name, e.g. "city"; stable across languages
    kind: str  # the model's verbose name in the active language
    url: str
    municipality: str


def visible_entries(user: Any) -> models.QuerySet[SearchEntry]:
    """The index entries of the records the user may see (the permission policy, per record type)."""
    entries = SearchEntry.objects.all()
    if actor(user).is_admin:
        return entries
    seen = models.Q(pk__in=[])
    types = ContentType.objects.get_for_models(*indexed_models())
    for model, content_type in types.items():
        condition = policy_for(model).rule("view").q(actor(user), model)
        if condition is True:
            seen |= models.Q(content_type=content_type)
        elif condition is not False:
            seen |= models.Q(content_type=content_type,
                             object_id__in=model._default_manager.filter(condition).values("pk"))
    return entries.filter(seen)


def query(q: str, user: Any, municipality_id: int | None = None, limit: int = 200) -> list[Hit]:
    """Records the user may see whose text contains every word of ``q``; titles that match come first."""
    words = terms(q)
    if not words:
        return []
    entries = visible_entries(user).select_related("content_type", "municipality")
    if municipality_id:
        entries = entries.filter(models.Q(municipality_id=municipality_id) | models.Q(municipality__isnull=True))
    exact = entries
    for word in words:
        exact = exact.filter(folded_text__contains=word)
    found = list(exact.order_by("folded_title")[: limit * 2])
    if not found:
        found = _approximate(entries, " ".join(words), limit)
    folded_q = " ".join(words)
    found.sort(key=lambda e: (0 if folded_q in e.folded_title else 1, e.folded_title))
    return [_hit(e) for e in found[:limit]]


def _approximate(entries: models.QuerySet[SearchEntry], folded_q: str, limit: int) -> list[SearchEntry]:
    titles = dict(entries.values_list("pk", "folded_title"))
    matches = process.extract(folded_q, titles, scorer=fuzz.WRatio, score_cutoff=80, limit=limit)
    ids = [key for _title, _score, key in matches]
    return list(entries.filter(pk__in=ids))


def _hit(entry: SearchEntry) -> Hit:
    model = entry.content_type.model_class()
    assert model is not None
    return Hit(
        title=entry.title,
        model=model._meta.model_name or "",
        kind=str(model._meta.verbose_name),
        url=reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[entry.object_id]),
        municipality=entry.municipality.name if entry.municipality else "",
    )
