"""Stand-ins for a signed-in user of each kind, for code that takes a user but no request."""

from typing import Any

from udsyn.core.policy import ADMIN as ADMIN_KIND
from udsyn.core.policy import Actor


class ActorUser:
    """A signed-in user as the permission policy sees them, without a database row."""

    is_authenticated = True
    is_superuser = False
    pk = None

    def __init__(self, actor: Actor) -> None:
        self._udsyn_actor = actor
        self._udsyn_role: Any = None


ADMIN = ActorUser(Actor(ADMIN_KIND))
