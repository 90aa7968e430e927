"""What every page's template knows: the user's role and the page in the other language."""

from typing import Any

from django.http import HttpRequest
from django.urls import translate_url

from udsyn.core.policy import actor


def udsyn(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "user_role": actor(user).kind if user.is_authenticated else "",
        "user_role_record": getattr(user, "_udsyn_role", None) if actor(user).signed_in else None,
        "url_da": translate_url(request.get_full_path(), "da"),
        "url_en": translate_url(request.get_full_path(), "en"),
    }
