"""The reports app: its configuration, and its permission rules and page actions registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "udsyn.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from udsyn.reports import jobs, panels, policies  # noqa: F401  - registers its rules, page panels and jobs
