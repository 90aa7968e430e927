"""Authentication: Django's model backend, loading the user's role with the user; passwords are refused
when ``UDSYN_PASSWORD_LOGIN=0`` (single sign-on only, udsyn.organisation.sso). Failed passwords are counted
by django-axes (settings ``AXES_*``); this module tells it what not to count and words the lockout."""

import logging
import threading
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core import schedule
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


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' gate, first of the backends: a password sign-in by a locked-out user or from a locked-out
    address is refused before any backend checks the password. A sign-in without a request (Django's test
    client, a script calling ``authenticate``) came through no web address and is left to the other backends."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' records of failed passwords in the database (``AXES_HANDLER``), except that signing in and
    out write nothing: on SQLite a sign-in must never wait for an import holding the write lock (issue 16).
    Failures past the lockout period are removed at the next failure instead, and daily."""

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        return None

    def user_logged_out(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        return None


def forget_old_failures() -> int:
    """The daily clean-up: failed sign-ins whose lockout period has passed are deleted (none while lockouts
    last until lifted). Returns how many."""
    from axes.models import AccessAttempt

    minutes = cooloff_minutes()
    if minutes is None:
        return 0
    deleted, _rows = AccessAttempt.objects.filter(
        attempt_time__lt=timezone.now() - timedelta(minutes=minutes)).delete()
    return deleted


schedule.register("organisation.forget_login_failures", timedelta(days=1), forget_old_failures)


def not_a_password(request: Any, credentials: Any) -> bool:
    """For django-axes: sign-ins without a password (single sign-on) are neither counted nor locked out; the
    identity provider guards its own passwords."""
    return not (isinstance(credentials, dict) and "password" in credentials)


def cooloff_minutes() -> int | None:
    """How long a lockout lasts, in minutes; None: until an administrator lifts it."""
    hours = getattr(settings, "AXES_COOLOFF_TIME", None)
    return round(float(hours) * 60) if hours else None


def lockout_message() -> str:
    minutes = cooloff_minutes()
    if minutes is None:
        return _("Too many failed sign-ins for this user or from this address: signing in is locked. Ask an "
                 "administrator to lift the lockout.")
    return _("Too many failed sign-ins for this user or from this address: signing in is locked for {minutes} "
             "minutes. Try again later, or ask an administrator to lift the lockout.").format(minutes=minutes)


def retry_after() -> dict[str, str]:
    """The Retry-After header of a lockout answer, when the lockout ends by itself."""
    minutes = cooloff_minutes()
    return {"Retry-After": str(minutes * 60)} if minutes else {}
