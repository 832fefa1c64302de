"""Bulk months: the records of a month without a partition loaded into a table of their own (PostgreSQL).

A month that has no partition yet is loaded as a plain table without indexes, its indexes are built
after the rows are in (one sorted build each instead of an index entry per row), and the table is
attached as the month's partition as the last statement of the apply transaction: a file is still
applied wholly or not at all, and a failure anywhere leaves no table behind (the CREATE TABLE is
rolled back with the rest). Months with a partition, and months with fewer than BULK_MONTH_ROWS
rows in the file, take the ordinary upsert. docs/ingestion.md, "Bulk months".

What a fresh month changes in the upsert (Stage.upsert, Stage.apply_links):
- no record can be in a month without a partition (record_months_claim checked the DEFAULT
  partition under the month's lock), so a staged reference found in the records is a record whose
  month moves here: it is deleted from its old month and inserted into the new table with its id
  (its nominal links stay), its old place returned as ``replaced``;
- the others get ids from the records' sequence, as the identity column would give them;
- no ON CONFLICT: the stage holds each reference once (duplicates were rejected), the table is new;
- the links are looked up in the records and the loaded tables together, before the attach.
"""
from django.db import connection

from core.months import add_months
from records.keys import reference_match
from records.services import (
    TABLE,
    partitioned,
    record_id_sequence,
    record_partition_detached_create,
    record_partition_indexes_build,
    record_partitions_missing,
)

# At or above this many rows of a month without a partition, the month is loaded as a table of its own.
# The load saves about 5 microseconds a row (the six index entries per row of the ordinary insert,
# measured at a million rows, docs/ingestion.md) against a fixed cost of tens of milliseconds (the
# table, six index builds, the attach) and the ACCESS EXCLUSIVE lock on the DEFAULT partition the
# attach holds until commit; below about 10,000 rows the saving is smaller than that cost.
BULK_MONTH_ROWS = 10_000

_COLUMNS = ("force_id, kind, source, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
            "offence_type_id, drug_supply, cannabis_farm, firearms_discharge, upload_id, is_synthetic, details")
# The columns the link statements read of a record (Stage.records_relation).
LINK_COLUMNS = "id, force_id, source, external_ref, area_id, sector_id, command_id, month, upload_id"


def bulk_months(month_rows: dict) -> list:
    """The months of a file (month: its rows) worth loading as new partitions: no partition yet, enough rows."""
    if not partitioned():
        return []
    return record_partitions_missing(months=[m for m, n in month_rows.items() if n >= BULK_MONTH_ROWS])


def bulk_load(stage, *, source: str, kind: str, upload_id: int) -> int:
    """Write the staged rows of ``stage.bulk``'s months into their new tables, then build their indexes.

    Returns the number of records written; adds their places to ``stage.written`` and the old places
    of the records that moved here to ``stage.replaced``. The tables are attached later
    (records.services.record_partitions_attach), after the links.
    """
    months = sorted(stage.bulk)
    moved = f"{stage.name}_moved"
    applied = 0
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {moved}")
        cursor.execute(f"CREATE TEMPORARY TABLE {moved} (id bigint, external_ref varchar(100), area_id bigint, "
                       "sector_id bigint, command_id bigint, month date)")
        cursor.execute(
            f"WITH d AS (DELETE FROM {TABLE} r USING {stage.name} s WHERE r.force_id = %s AND r.source = %s "
            f"AND {reference_match('r', 's')} AND s.month = ANY(%s) "
            "RETURNING r.id, r.external_ref, r.area_id, r.sector_id, r.command_id, r.month) "
            f"INSERT INTO {moved} SELECT * FROM d", [stage.force_id, source, months])
        if cursor.rowcount:
            cursor.execute(f"SELECT DISTINCT area_id, sector_id, command_id, month FROM {moved}")
            stage.replaced.update(cursor.fetchall())
        # One statement writes every month: the tables are the partitions of a scratch table made for
        # it (created, detached and dropped in this transaction, so no other session sees it), which
        # routes each row; a statement per month would read the whole stage once a month.
        router = f"ingest_bulk_{upload_id}"
        cursor.execute(f"CREATE TABLE {router} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                       "PARTITION BY RANGE (month)")
        for month in months:
            stage.bulk[month] = record_partition_detached_create(month=month)
            cursor.execute(f"ALTER TABLE {router} ATTACH PARTITION {stage.bulk[month]} FOR VALUES FROM (%s) TO (%s)",
                           [month, add_months(month, 1)])
        cursor.execute(
            f"WITH w AS (INSERT INTO {router} (id, {_COLUMNS}) "
            f"SELECT COALESCE(m.id, nextval(%s)), %s, %s, %s, s.external_ref, s.occurred_on, s.month, s.lat, "
            "s.lon, s.area_id, s.sector_id, s.command_id, s.offence_type_id, s.drug_supply, s.cannabis_farm, "
            f"s.firearms_discharge, %s, FALSE, s.details FROM {stage.name} s "
            f"LEFT JOIN {moved} m ON m.external_ref = s.external_ref WHERE s.month = ANY(%s){stage.insert_order()} "
            "RETURNING area_id, sector_id, command_id, month) "
            "SELECT area_id, sector_id, command_id, month, COUNT(*) FROM w GROUP BY 1, 2, 3, 4",
            [record_id_sequence(), stage.force_id, kind, source, upload_id, months])
        for *place, n in cursor.fetchall():
            stage.written.add(tuple(place))
            applied += n
        for month in months:
            cursor.execute(f"ALTER TABLE {router} DETACH PARTITION {stage.bulk[month]}")
        cursor.execute(f"DROP TABLE {router}")
        for month in months:
            record_partition_indexes_build(name=stage.bulk[month])
        cursor.execute(f"DROP TABLE {moved}")
    return applied


def records_relation(tables) -> str:
    """The records and the loaded, not yet attached, tables as one relation for the link statements."""
    if not tables:
        return TABLE
    return "(" + " UNION ALL ".join(f"SELECT {LINK_COLUMNS} FROM {t}" for t in [TABLE, *tables]) + ")"
