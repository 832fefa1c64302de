"""The month partitions of the records table (PostgreSQL; SQLite keeps one table and these do nothing)."""
import datetime as dt
import re

import pytest
from django.db import connection

from records.models import Record
from records.services import (
    DEFAULT_PARTITION,
    partition_name,
    partitioned,
    record_partitions_ensure,
    record_partitions_missing,
    record_partitions_split_default,
)
from tests.factories import RecordFactory as CrimeFactory
from tests.factories import RecordNominalFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps one records table")


def RecordFactory(**kwargs):
    return CrimeFactory(kind="policeuk", **kwargs)


def _partition_of(record_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM ingestion_record WHERE id = %s", [record_id])
        return cursor.fetchone()[0]


def test_it_does_nothing_on_sqlite():
    if connection.vendor == "postgresql":
        assert partitioned()
        return
    assert not partitioned()
    assert record_partitions_ensure(months=[dt.date(1999, 1, 1)]) == []
    assert record_partitions_missing(months=[dt.date(1999, 1, 1)]) == []


@postgres_only
def test_it_creates_a_missing_month_once():
    month = dt.date(1999, 4, 1)
    assert record_partitions_missing(months=[dt.date(1999, 4, 20)]) == [month]
    assert record_partitions_ensure(months=[dt.date(1999, 4, 20), month]) == [month]
    assert record_partitions_ensure(months=[month]) == []
    record = RecordFactory(occurred_on=dt.date(1999, 4, 30))
    assert _partition_of(record.id) == partition_name(month)


@postgres_only
def test_it_moves_a_month_out_of_the_default_partition_with_its_ids():
    month = dt.date(1998, 7, 1)
    first = RecordFactory(occurred_on=dt.date(1998, 7, 3))
    link = RecordNominalFactory(record=RecordFactory(occurred_on=dt.date(1998, 7, 9)))
    other = RecordFactory(occurred_on=dt.date(1997, 2, 9))
    assert {_partition_of(r.id) for r in (first, link.record, other)} == {DEFAULT_PARTITION}

    assert record_partitions_ensure(months=[month]) == [month]
    assert (_partition_of(first.id), _partition_of(link.record_id)) == (partition_name(month),) * 2
    assert _partition_of(other.id) == DEFAULT_PARTITION
    assert link.record.nominal_links.get() == link
    assert Record.objects.filter(month=month).count() == 2

    assert record_partitions_split_default() == [dt.date(1997, 2, 1)]
    assert _partition_of(other.id) == partition_name(dt.date(1997, 2, 1))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {DEFAULT_PARTITION}")
        assert cursor.fetchone()[0] == 0


@postgres_only
def test_every_partition_has_the_keys_and_the_statistics():
    record_partitions_ensure(months=[dt.date(1996, 1, 1)])
    name = partition_name(dt.date(1996, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [name])
        indexes = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT stxname FROM pg_statistic_ext WHERE stxrelid IN (%s::regclass, %s::regclass)",
                       [name, Record._meta.db_table])
        statistics = {row[0] for row in cursor.fetchall()}
    for columns in ["(id, force_id, month)", "(sector_id, month, kind)", "(area_id, month)", "(command_id, month)",
                    "(kind, month)"]:
        assert columns in indexes
    # The unique key on the reference's compact form (records.keys, records migration 0006).
    assert re.search(r"CREATE UNIQUE INDEX \S+ ON \S+ USING btree \(source, \(\s*CASE.*decode\(\(external_ref\)::text, "
                     r"'hex'::text\).*END\), month, force_id\)", indexes, re.S)
    # On the parent only: they estimate the queries over the parent (records migrations 0003, 0004).
    assert statistics == {"ingestion_record_grain_groups", "ingestion_record_area_keys"}


@postgres_only
def test_it_leaves_the_rows_to_the_default_partition_while_the_table_is_busy(monkeypatch, caplog):
    import psycopg

    monkeypatch.setattr("records.services.LOCK_TIMEOUT", "200ms")
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as reader:
        reader.execute("LOCK TABLE ingestion_record IN ACCESS SHARE MODE")  # a long read in progress
        assert record_partitions_ensure(months=[dt.date(1995, 5, 1)]) == []
    assert "not created (the table is busy)" in caplog.text
    record = RecordFactory(occurred_on=dt.date(1995, 5, 2))
    assert _partition_of(record.id) == DEFAULT_PARTITION
    assert record_partitions_ensure(months=[dt.date(1995, 5, 1)]) == [dt.date(1995, 5, 1)]
    assert _partition_of(record.id) == partition_name(dt.date(1995, 5, 1))


def test_the_daily_upkeep_creates_the_months_ahead_and_empties_the_default_partition():
    from records.services import record_partitions_maintain

    stray = RecordFactory(occurred_on=dt.date(1994, 6, 3))
    done = record_partitions_maintain(ahead=2, today=dt.date(1995, 1, 15))
    if connection.vendor != "postgresql":
        assert done == {"created": [], "split": []}
        return
    assert done == {"created": [dt.date(1995, 1, 1), dt.date(1995, 2, 1), dt.date(1995, 3, 1)],
                    "split": [dt.date(1994, 6, 1)]}
    assert _partition_of(stray.id) == partition_name(dt.date(1994, 6, 1))
    assert record_partitions_maintain(ahead=2, today=dt.date(1995, 1, 15)) == {"created": [], "split": []}
