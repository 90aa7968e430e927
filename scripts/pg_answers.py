"""Exit 0 when a PostgreSQL server answers at the given URL, 1 otherwise."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception:  # noqa: BLE001 - any failure means "not there"
    sys.exit(1)
