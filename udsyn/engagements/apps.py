"""The engagements app: its configuration, and its permission rules and page panels registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "udsyn.engagements"
    label = "engagements"
    verbose_name = _("Engagements")

    def ready(self) -> None:
        from udsyn.engagements import exchange, panels, personal, policies, search  # noqa: F401  - rules, import/export, panels, search, personal data
