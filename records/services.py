"""Writes to the records table's structure: the month partitions of ingestion_record (PostgreSQL).

Records are partitioned by ``month`` (RANGE, one partition per month, ``ingestion_record_yYYYYmMM``)
with a DEFAULT partition (``ingestion_record_default``) that takes any month without one, so an
insert never fails for want of a partition (records migration 0003). SQLite keeps one table and
every function here does nothing there.

Creating a partition locks the parent table against every reader and writer until the
transaction ends (ACCESS EXCLUSIVE): callers run ``record_partitions_ensure`` in its own short
transaction, before the long apply transaction and never on a reader's path.
"""
import logging
from datetime import date

from django.db import OperationalError, connection, transaction

from core.months import add_months, month_start
from records.models import Record

log = logging.getLogger(__name__)

TABLE = Record._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
PARTITION_LOCK_KEY = 7_390_412  # any constant: serialises the creation of partitions
# How long creating a partition waits for the parent's lock before giving up (the rows then go to
# the DEFAULT partition, and the next call moves them out of it). Readers arriving meanwhile queue
# behind the waiting lock, so this is also the longest a page may wait for it.
LOCK_TIMEOUT = "2s"
LOCK_NOT_AVAILABLE = "55P03"  # SQLSTATE of a lock_timeout


def partition_name(month: date) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def partitioned() -> bool:
    """Whether this database holds the records partitioned (PostgreSQL after records migration 0003)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)", [TABLE])
        return cursor.fetchone()[0]


def record_partitions_missing(*, months) -> list[date]:
    """The months among ``months`` without a partition of their own (a catalog read, no lock)."""
    wanted = sorted({month_start(m) for m in months})
    if not wanted or not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = %s::regclass", [TABLE])
        present = {row[0] for row in cursor.fetchall()}
    return [m for m in wanted if partition_name(m) not in present]


def record_partitions_ensure(*, months) -> list[date]:
    """Create the month partitions missing among ``months``; the months created.

    Idempotent and safe when two callers race: one transaction-scoped advisory lock serialises
    the creations and each month is checked again under it. Rows of a month that arrived in the
    DEFAULT partition meanwhile are moved into the new partition (ids kept). Waits at most
    LOCK_TIMEOUT for the parent's lock; if it cannot have it, nothing is created, a warning is
    logged and the rows go to the DEFAULT partition (the next call moves them).
    Call it outside any long transaction: the lock on the parent is held until this one commits.
    """
    if not record_partitions_missing(months=months):
        return []
    created = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_LOCK_KEY])
            for month in record_partitions_missing(months=months):
                _partition_create(cursor, month)
                created.append(month)
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        log.warning("record partitions for %s not created (the table is busy): their rows go to %s",
                    [m.isoformat() for m in months], DEFAULT_PARTITION)
        return []
    return created


def record_partitions_split_default() -> list[date]:
    """Move every month found in the DEFAULT partition into a partition of its own; the months moved."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT month FROM {DEFAULT_PARTITION}")
        months = [row[0] for row in cursor.fetchall()]
    return record_partitions_ensure(months=months)


def _partition_create(cursor, month: date) -> None:
    name, bounds = partition_name(month), (month, add_months(month, 1))
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE month >= %s AND month < %s)", bounds)
    if not cursor.fetchone()[0]:
        # CREATE ... PARTITION OF scans the DEFAULT partition to check it holds none of the month.
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)", bounds)
    else:
        # Rows of the month already sit in the DEFAULT partition: take them out, then attach them
        # as the month's partition. The table is created like the parent (columns, defaults, checks);
        # attaching it creates the parent's indexes on it and checks its rows against the bounds.
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE month >= %s AND month < %s "
                       f"RETURNING *) INSERT INTO {name} SELECT * FROM moved", bounds)
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", bounds)
    log.info("records partition %s created", name)


def record_partitions_maintain(*, ahead: int = 3, today: date | None = None) -> dict:
    """The daily upkeep: partitions for this month and ``ahead`` more, the DEFAULT partition split,
    and the planner statistics of the whole table (autovacuum analyses each partition but never
    the partitioned parent, whose statistics, the extended ones of migration 0002 included,
    estimate every query over several months)."""
    if not partitioned():
        return {"created": [], "split": []}
    this_month = month_start(today or date.today())
    created = record_partitions_ensure(months=[add_months(this_month, i) for i in range(ahead + 1)])
    split = record_partitions_split_default()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    return {"created": created, "split": split}
