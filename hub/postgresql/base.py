"""Django's PostgreSQL backend whose pool checks a connection before handing it out with a round
trip only when the server has said something since the connection was last used.

psycopg_pool's own check (what CONN_HEALTH_CHECKS turns on) is one more round trip to PostgreSQL
for every borrow, and under ASGI (CONN_MAX_AGE 0) every trip to the database thread borrows: a
socket frame paid for it once or twice (docs/performance.md). An idle connection in autocommit
hears nothing from the server unless the server is ending it (a restart, a failover,
pg_terminate_backend: it writes its FATAL error and closes the socket), so the socket is asked
whether anything waits to be read, which costs no round trip; only then is the connection tried
for real, and the pool drops one that fails and hands out another.
"""

import select

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def check_connection(conn) -> None:
    """Return quietly if the connection looks alive, else raise (the pool then replaces it)."""
    if conn.closed or conn.broken:
        raise ConnectionError("connection closed")
    readable, _writable, _failed = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        # Django gives the pool psycopg_pool's check or none; psycopg_pool (pinned) keeps it here.
        if pool is not None and pool._check is not check_connection:
            pool._check = check_connection
        return pool
