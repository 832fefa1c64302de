"""Writes to the records table's structure: the month partitions of ingestion_record (PostgreSQL).

Records are partitioned by ``month`` (RANGE, one partition per month, ``ingestion_record_yYYYYmMM``)
with a DEFAULT partition (``ingestion_record_default``) that takes any month without one, so an
insert never fails for want of a partition (records migration 0003). SQLite keeps one table and
every function here does nothing there.

Creating a partition locks the parent table against every reader and writer until the
transaction ends (ACCESS EXCLUSIVE): callers run ``record_partitions_ensure`` in its own short
transaction, before the long apply transaction and never on a reader's path.

A large load of a month without a partition may instead fill a plain table, build its indexes
after the rows are in, and attach it as the month's partition at the end of the apply
(``record_partition_detached_create``, ``record_partition_indexes_build``,
``record_partitions_attach``; docs/ingestion.md, "Bulk months").
"""
import logging
import re
import time
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
# Attaching a loaded month takes ACCESS EXCLUSIVE on the DEFAULT partition, and a reader of it queues
# behind the request: each attempt waits at most this long, and the next comes after ATTACH_PAUSE.
ATTACH_LOCK_TIMEOUT = "200ms"
ATTACH_PAUSE = 0.5
ATTACH_PATIENCE = 600.0  # seconds of attempts before the apply gives up (nothing applied)


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


def _month_key(month: date) -> int:
    return month.year * 12 + month.month - 1


def record_months_claim(*, months, bulk) -> list[date]:
    """Inside the apply transaction, before it reads or writes any record: hold the months it writes
    that have no partition, and return those of ``bulk`` it may load as new partitions.

    One advisory lock per month, two int4 keys (PARTITION_LOCK_KEY, the month), held to commit and
    taken in month order (so two applies never wait for each other in a cycle): exclusive for the
    months of ``bulk``, shared for the others. An apply wanting a month another is loading waits for
    it to commit, then finds the month's partition and writes into it. Under the locks, a month of
    ``bulk`` stays bulk only if it still has no partition and no row in the DEFAULT partition (rows
    a creation that timed out sent there); the others go the ordinary way.
    """
    bulk = {month_start(m) for m in bulk}
    missing = record_partitions_missing(months=set(months) | bulk)
    if not missing:
        return []
    with connection.cursor() as cursor:
        for month in missing:
            lock = "pg_advisory_xact_lock" if month in bulk else "pg_advisory_xact_lock_shared"
            cursor.execute(f"SELECT {lock}(%s, %s)", [PARTITION_LOCK_KEY, _month_key(month)])
        fresh = []
        for month in record_partitions_missing(months=[m for m in missing if m in bulk]):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE month >= %s AND month < %s)",
                           [month, add_months(month, 1)])
            if not cursor.fetchone()[0]:
                fresh.append(month)
    return fresh


def record_partition_detached_create(*, month: date) -> str:
    """A plain table shaped like the records, named as the month's partition, not yet attached; its name.

    No index yet (they are built after the load), no identity (ids are drawn from the records'
    sequence), and a CHECK constraint equal to the partition's bounds, so attaching it need not scan it.
    The caller holds the month's exclusive lock (record_months_claim) and attaches the table in the
    same transaction, so no other session ever sees it.
    """
    name = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bounds CHECK (month >= %s AND month < %s)",
                       [month, add_months(month, 1)])
    return name


def record_id_sequence() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        return cursor.fetchone()[0]


def record_partition_indexes_build(*, name: str) -> None:
    """Build on a loaded table every index and key of the records table, as the parent defines them
    (so that attaching the table matches each one instead of building it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid) FROM pg_index i "
            "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
            "WHERE i.indrelid = %s::regclass ORDER BY i.indexrelid", [TABLE])
        definitions = cursor.fetchall()
        for index, constraint in definitions:
            if constraint is not None:  # a primary key or unique constraint: named by PostgreSQL as it would
                cursor.execute(f"ALTER TABLE {name} ADD {constraint}")
            else:
                cursor.execute(re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ ", rf"CREATE \1INDEX ON {name} ",
                                      index))


def record_partitions_attach(*, tables: dict) -> None:
    """Attach the loaded tables (month: name) as their months' partitions; the last writes of the apply.

    ATTACH PARTITION holds SHARE UPDATE EXCLUSIVE on the records table and ACCESS EXCLUSIVE on the
    table attached and on the DEFAULT partition until the transaction commits: a reader that reads
    the DEFAULT partition (any query not pruned to months with partitions) waits from the moment
    the lock is asked for until the commit. The locks are first taken with a short lock_timeout in
    a savepoint, again after a pause when they are busy (a reader then waits at most
    ATTACH_LOCK_TIMEOUT for each attempt); the ATTACH itself only matches the indexes and trusts
    the CHECK constraint, and the caller commits at once.
    """
    if not tables:
        return
    asked = time.monotonic()
    deadline = asked + ATTACH_PATIENCE
    with connection.cursor() as cursor:
        while True:
            try:
                with transaction.atomic():
                    cursor.execute(f"SET LOCAL lock_timeout = '{ATTACH_LOCK_TIMEOUT}'")
                    cursor.execute(f"LOCK TABLE ONLY {TABLE} IN SHARE UPDATE EXCLUSIVE MODE")
                    cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE")
                break
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE or time.monotonic() > deadline:
                    raise
                time.sleep(ATTACH_PAUSE)
        locked = time.monotonic()
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        for month, name in sorted(tables.items()):
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                           [month, add_months(month, 1)])
            cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bounds")
    log.info("records partitions %s attached: %.0f ms for the locks, %.0f ms to attach",
             ", ".join(sorted(tables.values())), (locked - asked) * 1000, (time.monotonic() - locked) * 1000)


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
                # Not while an apply loads the month as a table of its own (record_months_claim).
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PARTITION_LOCK_KEY, _month_key(month)])
                if not record_partitions_missing(months=[month]):
                    continue
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
