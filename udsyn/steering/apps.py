"""The steering app: its configuration, and its permission rules and page panels registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "udsyn.steering"
    verbose_name = _("Steering by goals")

    def ready(self) -> None:
        from udsyn.steering import exchange, panels, policies, tasks  # noqa: F401  - registers its rules, import/export, panels and jobs
