from typing import Any

from django.http import HttpRequest
from django.urls import translate_url

from udsyn.core import permissions


def udsyn(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "user_role": permissions.kind_of(user) if user.is_authenticated else "",
        "user_role_record": permissions.role_of(user),
        "url_da": translate_url(request.get_full_path(), "da"),
        "url_en": translate_url(request.get_full_path(), "en"),
    }
