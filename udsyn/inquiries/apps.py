"""The inquiries app: its configuration, and its permission rules and page panels registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "udsyn.inquiries"
    verbose_name = _("Inquiries")

    def ready(self) -> None:
        from udsyn.inquiries import exchange, panels, personal, policies  # noqa: F401  - rules, import/export, panels, personal data
