"""Where a socket's database work runs: on PostgreSQL, on a few threads at once.

Channels' database_sync_to_async runs all sync ORM work of a process on one thread by default
(DESIGN.md §8), so every frame and every connect waited for the round trips of all the others
before it. On PostgreSQL each thread borrows its own pooled connection for the call and gives it
back after (CONN_MAX_AGE 0), so a socket's work goes to the default executor's threads instead:
while one waits for PostgreSQL or Redis, others run (docs/performance.md, issue #12). One socket's
frames still run one after another (the consumer awaits each). SQLite takes one writer at a time,
so there everything stays on the one thread.
"""

import functools
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings

PARALLEL = settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
# Threads of the process's own, living as long as it does: each gives its pooled connection back
# after every call (CONN_MAX_AGE 0), and there are fewer than the pool holds.
THREADS = 4
_threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="database") if PARALLEL else None


@functools.cache  # the wrapper is made once per function: making it inspects the function each time
def on_database_threads(work):
    """database_sync_to_async(work), on several threads where the database allows it."""
    if _threads is None:
        return database_sync_to_async(work)
    return database_sync_to_async(work, thread_sensitive=False, executor=_threads)
