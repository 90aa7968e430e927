"""A report asked for in the web app: made in the background, with its progress, kept for download."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from udsyn.core.policy import RestrictedQuerySet
from udsyn.organisation.models import Department, Municipality


class ReportJob(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word")
        HTML = "html", "HTML"

    class Language(models.TextChoices):
        DA = "da", _("Danish")
        EN = "en", _("English")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("in progress")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs",
                             verbose_name=_("user"))
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, verbose_name=_("municipality"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE,
                                   verbose_name=_("department"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DA)
    since_year = models.PositiveSmallIntegerField(_("funding since"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=200, blank=True)
    created = models.DateTimeField(_("asked for"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    data = models.BinaryField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created"]

    def __str__(self) -> str:
        scope = self.department.code if self.department else self.municipality.name
        return f"{scope} · {self.get_format_display()} · {self.language}"

    def get_absolute_url(self) -> str:
        return reverse("reports:job", args=[self.pk])

    @property
    def finished_ok(self) -> bool:
        return self.state == self.State.DONE
