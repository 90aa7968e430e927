"""What every registry record shares, and the search index over all of them."""

from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.policy import RestrictedQuerySet


class RegistryModel(models.Model):
    """A record of the registry: timestamps, a detail URL by convention, and search text.

    Concrete models name the fields whose text search should find (``search_fields``); the search
    index is kept up to date by ``udsyn.core.signals``.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    search_fields: ClassVar[tuple[str, ...]] = ()
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(self.url_name("detail"), args=[self.pk])

    @classmethod
    def url_name(cls, action: str) -> str:
        return f"{cls._meta.app_label}:{cls._meta.model_name}_{action}"

    def search_title(self) -> str:
        return str(self)

    def search_text(self) -> str:
        parts: list[str] = [str(self)]
        for name in self.search_fields:
            value: Any = self
            for attr in name.split("__"):
                value = getattr(value, attr, None) if value is not None else None
            if isinstance(value, list | tuple):
                parts.extend(str(v) for v in value)
            elif value:
                parts.append(str(value))
        return " ".join(parts)

    def search_municipality_id(self) -> int | None:
        return getattr(self, "municipality_id", None)


class SearchEntry(models.Model):
    """One row per searchable record, with its text folded for Danish (see ``udsyn.core.text``)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    municipality = models.ForeignKey(
        "organisation.Municipality", null=True, blank=True, on_delete=models.CASCADE,
        verbose_name=_("municipality"),
    )
    title = models.CharField(_("title"), max_length=300)
    folded_title = models.CharField(_("folded title"), max_length=300, db_index=True)
    folded_text = models.TextField(_("folded text"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="unique_search_entry"),
        ]

    def __str__(self) -> str:
        return self.title


class ChangeRequest(models.Model):
    """A request to change a record the requester may not change (a shared organisation, city, theme or
    programme that another municipality uses): kept with the record until an administrator answers it."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        DECLINED = "declined", _("declined")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("type"))
    object_id = models.PositiveBigIntegerField(_("object id"))
    record_name = models.CharField(_("record"), max_length=300, help_text=_("The record's name when asked."))
    text = models.TextField(_("requested change"), max_length=4000)
    requested_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="change_requests",
        verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.record_name}: {self.text[:60]}"

    @property
    def record(self) -> Any:
        model = self.content_type.model_class()
        return model._default_manager.filter(pk=self.object_id).first() if model else None


class DeletedRelations(models.Model):
    """What a record was linked to when it was deleted: its many-to-many relations, the records deleted
    along with it, and the records that linked to it. Kept beside its deletion row in the history, so that
    restoring it links everything again (Django removes these links without telling the history)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("type"))
    history_id = models.PositiveBigIntegerField(_("deletion in the history"))
    relations = models.JSONField(_("relations"), default=dict)

    class Meta:
        verbose_name = _("relations of a deleted record")
        verbose_name_plural = _("relations of deleted records")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "history_id"], name="unique_deleted_relations"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type} {self.history_id}"
