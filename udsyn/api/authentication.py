"""Token authentication against Udsyn's own tokens (udsyn.organisation.tokens): ``Authorization: Token <key>``,
refused (401) when the key is unknown, expired or revoked, or its user deactivated."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from udsyn.organisation import tokens


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        found = tokens.user_of_key(key)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return found
