"""Tables uploaded on the web: kept until imported, so that nothing uploaded is lost between the check
and the import, and so that a large file can be worked on in the background while its page shows how
far it has come."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from udsyn.core.policy import RestrictedQuerySet


class TableUpload(models.Model):
    class State(models.TextChoices):
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked")
        IMPORTING = "importing", _("being imported")
        IMPORTED = "imported", _("imported")
        FAILED = "failed", _("has problems")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_uploads",
                             verbose_name=_("user"))
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=250)
    table = models.CharField(_("table"), max_length=40, blank=True)
    content = models.BinaryField(_("content"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.CHECKING)
    done = models.PositiveIntegerField(_("rows read"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("uploaded table")
        verbose_name_plural = _("uploaded tables")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.filename

    @property
    def working(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
