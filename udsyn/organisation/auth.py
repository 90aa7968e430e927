"""Authentication: Django's model backend, loading the user's role with the user; passwords are refused
when ``UDSYN_PASSWORD_LOGIN=0`` (single sign-on only, udsyn.organisation.sso)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from udsyn.organisation.models import Role


class RoleBackend(ModelBackend):
    """Every signed-in request loads its user; this loads the role (and its municipality and department)
    in the same query, so the permission checks of a page cost no query of their own."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if not getattr(settings, "UDSYN_PASSWORD_LOGIN", True):
            return None  # password login is off: the login page and the API's token endpoint refuse passwords
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user = (get_user_model()._default_manager
                .select_related("udsyn_role__municipality", "udsyn_role__department")
                .filter(pk=user_id).first())
        if user is None or not self.user_can_authenticate(user):
            return None
        try:
            role: Role | None = user.udsyn_role
        except Role.DoesNotExist:
            role = None
        user._udsyn_role = role  # type: ignore[attr-defined]  # read by udsyn.organisation.policies.role_of
        return user
