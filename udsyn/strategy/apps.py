"""The strategy app: its configuration, and its permission rules registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "udsyn.strategy"
    label = "strategy"
    verbose_name = _("Strategy")

    def ready(self) -> None:
        from udsyn.strategy import exchange, policies, search  # noqa: F401  - its permission rules, import/export and search index
