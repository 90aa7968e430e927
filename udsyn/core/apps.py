"""The kernel app: its configuration, and the receivers and policies it registers when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "udsyn.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from udsyn.core import history, requests, signals, tasks  # noqa: F401  - receivers, the requests' policy, jobs
