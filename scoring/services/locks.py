"""The PostgreSQL advisory locks that keep two recomputes from writing the same cells at once (SQLite has one writer).

A run of every force takes the recompute key alone. A run of one force takes it shared, and the force's
own key: runs of different forces go side by side (each writes only its force's rows), two runs of one
force, or a run of every force and any other, one after the other.
"""
from django.db import connection

ADVISORY_LOCK_KEY = 7_460_301  # any constant
FORCE_LOCK_CLASS = 7_460_302  # the first key of a force's lock (two int4 keys: apart from the single bigint key)


def recompute_lock(*, force_id: int | None) -> None:
    """Inside the caller's transaction: wait until no run that may write the same cells holds them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if force_id is None:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ADVISORY_LOCK_KEY])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FORCE_LOCK_CLASS, force_id])
