"""What every registry record shares, and the search index over all of them."""

from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.policy import RestrictedQuerySet


class StaleVersion(Exception):  # noqa: N818 - the record is stale, not an error of the caller's code
    """A save based on a version of the record that is no longer the newest: someone saved it since."""

    def __init__(self, instance: "RegistryModel", expected: int) -> None:
        super().__init__(f"{instance._meta.label} {instance.pk} is no longer at version {expected}")
        self.instance = instance
        self.expected = expected


class RegistryModel(models.Model):
    """A record of the registry: timestamps, a version, a detail URL by convention, and search text.

    Concrete models name the fields whose text search should find (``search_fields``); the search
    index is kept up to date by ``udsyn.core.signals``.

    Every save of an existing record adds one to ``version``, in the UPDATE itself. A save that was based
    on a version the user saw (``expect_version``: edit forms and API writes) is a compare-and-swap,
    ``UPDATE … WHERE id = ? AND version = ?``, and raises ``StaleVersion`` if someone saved the record
    since, so that no process overwrites a newer save. Other saves (imports, restores, workflow steps)
    go through and bump the newest version.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text=_("Counts the saves of the record."))

    search_fields: ClassVar[tuple[str, ...]] = ()
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None and not self._state.adding:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(self.url_name("detail"), args=[self.pk])

    def expect_version(self, version: int | None) -> None:
        """Make the next save succeed only if the record is still at ``version`` (None: no check)."""
        self._expected_version = version

    def _do_update(self, base_qs: Any, using: Any, pk_val: Any, values: Any,  # type: ignore[override]
                   *rest: Any) -> Any:
        field = self._meta.get_field("version")
        if not any(f is field for f, _model, _value in values):
            return super()._do_update(base_qs, using, pk_val, values, *rest)  # type: ignore[call-arg]
        expected = getattr(self, "_expected_version", None)
        self._expected_version = None
        base = self.version if expected is None else expected

        def setting(version: Any) -> list[Any]:
            return [(f, model, version if f is field else value) for f, model, value in values]

        if base_qs.filter(pk=pk_val, version=base)._update(setting(base + 1)) > 0:
            self.version = base + 1
            return True
        if expected is not None:
            if base_qs.filter(pk=pk_val).exists():
                raise StaleVersion(self, expected)
            return False
        # Not checked, and someone saved the record since this copy was read: the newest version plus one.
        if base_qs.filter(pk=pk_val)._update(setting(F("version") + 1)) == 0:
            return False
        self.version = base_qs.filter(pk=pk_val).values_list("version", flat=True).get()
        return True

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


class WorkerBeat(models.Model):
    """A running ``udsyn worker``: where it runs and when it last said it was alive (every few seconds, from
    a thread of its own). A job whose worker stopped beating, or whose process is gone, is recovered by the
    next worker (``udsyn.core.tasks.recover``)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started = models.DateTimeField(_("started"), auto_now_add=True)
    seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class ScheduledRun(models.Model):
    """When a scheduled job (``udsyn.core.schedule``) was last queued. One row per job, locked while a worker
    decides whether it is due, so that several workers queue it once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_run = models.DateTimeField(_("last queued"), null=True, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name
