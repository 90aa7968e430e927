"""The organisation app: its configuration, and its permission rules registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "udsyn.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from udsyn.organisation import personal, policies, search  # noqa: F401  - rules, search, personal data
