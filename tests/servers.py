"""For tests that start real servers in other processes: a free port, the test database's URL, whether a
port answers, a password such a server accepts, and the CSRF token of a page it served."""

import re
import socket
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def database_url() -> str:
    """The test database, for a server or worker started in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def production_password(user: Any, password: str) -> None:
    """Give ``user`` a password hashed as production hashes it: the tests' own fast hasher is not in the list
    a server started with the real settings accepts."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save()


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[:300]
    return found.group(1)
