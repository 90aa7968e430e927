"""What every page's template knows about the organisation: whether the user may administer users."""

from typing import Any

from django.http import HttpRequest

from udsyn.core.policy import allows
from udsyn.organisation.models import Role


def organisation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {"may_administer_users": user.is_authenticated and allows(user, "view", Role)}
