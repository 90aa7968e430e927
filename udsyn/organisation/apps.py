"""The organisation app: its configuration, and its permission rules registered when ready."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "udsyn.organisation"
    label = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from udsyn.organisation import exchange, personal, policies, search  # noqa: F401  - rules, import/export, search, personal data
        from udsyn.organisation.auth import record_last_login

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="udsyn.record_last_login")
