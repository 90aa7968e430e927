"""The import and export app: its configuration, and its permission rules registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "udsyn.interop"
    label = "interop"
    verbose_name = _("Interop")

    def ready(self) -> None:
        from udsyn.interop import jobs, policies  # noqa: F401  - registers this app's permission rules and jobs
