"""API tokens: made by a user for themself (on their page, or by ``POST /api/token/`` with their password),
listed on the user's page, revoked by the user or by whoever may deactivate the account. Only a digest of a
key is stored, so a key is shown once. A token expires ``UDSYN_TOKEN_DAYS`` (90) days after it is made.
Each action keeps the token's history (who made or revoked it, and why)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core.policy import allows
from udsyn.organisation.accounts import AccountError, role_of_user
from udsyn.organisation.models import ApiToken

# A token's last use is written at most this often: an API call is a read, and should seldom write.
LAST_USED_EVERY = timedelta(hours=1)


def token_days() -> int:
    return int(getattr(settings, "UDSYN_TOKEN_DAYS", 90))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def may_make(by: Any, user: Any) -> bool:
    """A user makes tokens for themself only: a token acts with all their rights."""
    return by is not None and by.is_authenticated and by.pk == user.pk


def may_revoke(by: Any, user: Any) -> bool:
    """The user themself, and whoever may deactivate their account."""
    if by is None or not by.is_authenticated:
        return False
    return by.pk == user.pk or allows(by, "deactivate", role_of_user(user))


def tokens_of(user: Any) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(ApiToken.objects.filter(user=user))


def do_make_token(user: Any, by: Any, name: str = "", reason: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, made by ``by`` (the user; None: the command line). Returns the token and its
    key, which is not kept and cannot be shown again."""
    if by is not None and not may_make(by, user):
        raise AccountError(_("You can make API tokens for yourself only."))
    if not user.is_active:
        raise AccountError(_("This account is deactivated."))
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(user=user, name=name.strip()[:100], prefix=key[:8], key_digest=_digest(key), created=now,
                     expires=now + timedelta(days=token_days()))
    token._history_user = by  # type: ignore[attr-defined]
    token._change_reason = reason or _("API token made")  # type: ignore[attr-defined]
    with transaction.atomic():
        token.save()
    return token, key


def do_revoke_token(token: ApiToken, by: Any) -> None:
    """The token stops working at once; it stays listed, marked revoked."""
    if by is not None and not may_revoke(by, token.user):
        raise AccountError(_("You may not revoke this token."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked is not None:
            return
        locked.revoked = timezone.now()
        locked._history_user = by  # type: ignore[attr-defined]
        locked._change_reason = _("API token revoked")  # type: ignore[attr-defined]
        locked.save()
    token.revoked = locked.revoked


def user_of_key(key: str) -> tuple[Any, ApiToken] | None:
    """The active user a key belongs to and its token, or None when the key is unknown, revoked or expired,
    or its user deactivated. Its last use is noted (at most hourly)."""
    token = ApiToken.objects.select_related("user").filter(key_digest=_digest(key)).first()
    now = timezone.now()
    if token is None or not token.is_valid(now) or not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token.user, token


def history_of(user: Any) -> list[Any]:
    """The history of the user's tokens (made, revoked), newest first."""
    return list(ApiToken.history.filter(user_id=user.pk).select_related("history_user")  # type: ignore[attr-defined]
                .order_by("-history_date", "-history_id"))
