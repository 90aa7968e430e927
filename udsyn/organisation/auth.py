"""Authentication: Django's model backend, loading the user's role with the user; passwords are refused
when ``UDSYN_PASSWORD_LOGIN=0`` (single sign-on only, udsyn.organisation.sso)."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DatabaseError, connection
from django.utils import timezone

from udsyn.organisation.models import Role

log = logging.getLogger(__name__)


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


def record_last_login(sender: Any, user: Any, **kwargs: Any) -> None:
    """Django's ``update_last_login``, except that on SQLite outside a transaction the time is written by a
    thread of its own, which waits as long as it must for the database's write lock: a sign-in never waits
    for (nor fails behind) a table import holding that lock. It is bookkeeping (the users page shows it)."""
    now = timezone.now()
    user.last_login = now
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        get_user_model()._default_manager.filter(pk=user.pk).update(last_login=now)
        return
    threading.Thread(target=_write_last_login, args=(user.pk, now), name="last-login", daemon=True).start()


def _write_last_login(pk: Any, when: Any) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 600000")  # this thread's own connection: up to ten minutes
        get_user_model()._default_manager.filter(pk=pk).update(last_login=when)
    except DatabaseError:
        log.warning("The last sign-in of user %s was not recorded", pk, exc_info=True)
    finally:
        connection.close()
