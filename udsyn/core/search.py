"""Global search over every record of the registry, through one index table.

Each indexed record has one ``SearchEntry`` row holding its title and its text folded for Danish
(see :mod:`udsyn.core.text`), so a search costs the same few queries whatever it finds. When no
record contains every word, titles are matched approximately with rapidfuzz ("Kopenhagen" still
finds "København").
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from rapidfuzz import fuzz, process

from udsyn.core.models import RegistryModel, SearchEntry
from udsyn.core.policy import actor, policy_for
from udsyn.core.text import fold, terms

INDEXED_MODELS = (
    "organisation.Municipality",
    "organisation.Department",
    "organisation.Unit",
    "organisation.Person",
    "organisation.Committee",
    "engagements.Engagement",
    "engagements.ExternalOrganisation",
    "engagements.City",
    "engagements.Theme",
    "engagements.FundingProgramme",
    "engagements.Funding",
    "strategy.Strategy",
    "strategy.Goal",
    "strategy.Principle",
    "strategy.FocusArea",
)
# A change to one of these changes the search text of its parent.
PARENT_FIELDS = {"strategy.StrategyElement": "strategy"}


def indexed_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in INDEXED_MODELS]


def is_indexed(model: type[models.Model]) -> bool:
    return model._meta.label in INDEXED_MODELS or model._meta.label in PARENT_FIELDS


def _entry_values(obj: RegistryModel) -> dict[str, Any]:
    title = obj.search_title()[:300]
    return {
        "municipality_id": obj.search_municipality_id(),
        "title": title,
        "folded_title": fold(title)[:300],
        "folded_text": fold(obj.search_text()),
    }


def index(obj: RegistryModel) -> None:
    label = obj._meta.label
    if label in PARENT_FIELDS:
        parent = getattr(obj, PARENT_FIELDS[label], None)
        if parent is not None:
            index(parent)
        return
    SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, defaults=_entry_values(obj)
    )


def unindex(obj: RegistryModel) -> None:
    label = obj._meta.label
    if label in PARENT_FIELDS:
        parent = getattr(obj, PARENT_FIELDS[label] + "_id", None)
        model = obj._meta.get_field(PARENT_FIELDS[label]).related_model
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
    qs = model._default_manager.all()
    related = [
        f.name for f in model._meta.get_fields()
        if f.many_to_one and f.concrete and f.name in {"department", "lead_department", "programme"}
    ]
    if related:
        qs = qs.select_related(*related)
    if model._meta.label == "strategy.Strategy":
        qs = qs.prefetch_related("elements")
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
