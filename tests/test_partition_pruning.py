"""Every month-scoped read of the records scans only the partitions of its months (PostgreSQL).

The queries are not written out here: each test captures what the code under test really runs
(the scoped recompute, the area page with a window and the records list filtered by a month) and
asks PostgreSQL for the plan of every statement reading ``ingestion_record``. Plan-time pruning
leaves only the partitions the month predicate can match, so the plan names them.

The one read allowed to name every partition is the records' month span (the first and last
month of any located record: the months nominals are counted in), which has no month to be
limited to by definition; its plan reads each kind's (kind, month) index in order and stops at
the first located record from each end.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.months import add_months
from records.services import DEFAULT_PARTITION, partition_name, record_partitions_ensure
from scoring.services import scores_recompute
from tests.world import build_world

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps one records table")]

MONTH_SPAN = "SELECT MIN(first), MAX(last)"  # scoring.sql.located_span


@pytest.fixture
def world(db):
    # Partitions from well before the world's first month (2023-01) to well after its last (2024-12).
    record_partitions_ensure(months=[add_months(dt.date(2022, 6, 1), i) for i in range(40)])
    return build_world()


def _relations(node: dict, found: set) -> set:
    if node.get("Relation Name", "").startswith("ingestion_record"):
        found.add(node["Relation Name"])
    for child in node.get("Plans", []):
        _relations(child, found)
    return found


def scanned(sql: str) -> set[str]:
    """The records partitions in the plan of ``sql`` (parameters already inlined by the client)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        return _relations(cursor.fetchone()[0][0]["Plan"], set())


def record_reads(queries) -> list[tuple[str, set[str]]]:
    """(SQL, partitions scanned) of every captured statement reading the records, the month span apart."""
    reads = []
    for query in queries.captured_queries:
        sql = query["sql"]
        verb = sql.lstrip().split(None, 1)[0].upper()
        if "ingestion_record" in sql and verb in ("SELECT", "WITH", "CREATE") and MONTH_SPAN not in sql:
            reads.append((sql, scanned(sql)))
    return reads


def partitions(*months: dt.date) -> set[str]:
    return {partition_name(m) for m in months}


def test_the_scoped_recompute_reads_only_its_months(world):
    months = [dt.date(2024, 3, 1), dt.date(2024, 11, 1)]
    with CaptureQueriesContext(connection) as queries:
        # The run itself; the area views it stores afterwards read their own windows (next test).
        scores_recompute(area_ids=[world.sectors["S2"].pk], months=months, views=False)
    reads = record_reads(queries)
    grain = [scans for sql, scans in reads if "CREATE TEMPORARY TABLE scoring_grain" in sql]
    assert grain == [partitions(*months)]
    for sql, scans in reads:
        assert scans <= partitions(*months), sql


def test_the_area_page_reads_only_its_window_and_the_list_only_its_month(world, analyst, client):
    client.force_login(analyst)
    window = partitions(dt.date(2024, 10, 1), dt.date(2024, 11, 1), dt.date(2024, 12, 1))
    # As the page is first opened (its count and harm from the stored counts: one read, the page of
    # records), and with a filter the stored counts do not hold (the list and its totals read live).
    for query, least in (("", 1), ("&kind=crime", 3)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/sectors/{world.sectors['S2'].pk}/?months=3&month=2024-11{query}")
        assert response.status_code == 200 and response.context["records"].paginator.count > 0
        reads = record_reads(queries)
        assert len(reads) >= least, query  # the map layer and contributing records are stored
        for sql, scans in reads:
            assert scans and scans <= window and DEFAULT_PARTITION not in scans, sql
        filtered = [scans for sql, scans in reads if "\"ingestion_record\".\"month\" = '2024-11-01'" in sql]
        assert filtered and all(scans == partitions(dt.date(2024, 11, 1)) for scans in filtered), query


def test_a_window_with_a_month_without_partition_reads_the_default_partition(world):
    """What pruning cannot do: a month without its own partition may be in the DEFAULT one."""
    from records.models import Record

    with CaptureQueriesContext(connection) as queries:
        list(Record.objects.filter(month__gte=dt.date(2031, 1, 1), month__lte=dt.date(2031, 2, 1)))
    assert scanned(queries.captured_queries[0]["sql"]) == {DEFAULT_PARTITION}
