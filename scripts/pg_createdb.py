"""Create the PostgreSQL database the URL names, if it does not exist yet (its server must answer).

    python scripts/pg_createdb.py postgres://postgres@127.0.0.1:5432/udsyn_bench [--fresh]

--fresh drops it first.
"""

import sys

import psycopg
from psycopg import sql

url = sys.argv[1].replace("postgres://", "postgresql://", 1)
server, name = url.rsplit("/", 1)
with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
    if "--fresh" in sys.argv:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
