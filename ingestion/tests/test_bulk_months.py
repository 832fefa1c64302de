"""Months without a partition loaded as tables of their own and attached (ingestion.services.bulk): the same
records, links, row report and scores as the ordinary upsert, nothing left behind by a failure, and two
uploads wanting the same new month both applied."""
import datetime as dt
import io

import pytest
from django.db import connection, transaction

from ingestion.models import Upload
from ingestion.services import bulk, upload_create
from ingestion.services import records as record_service
from ingestion.tests.concurrency import apply_together
from nominals.models import RecordNominal
from records.models import Record
from records.services import DEFAULT_PARTITION, partition_name
from scoring.models import HarmScore
from scoring.services import scores_recompute
from tests.factories import (
    CssEditionFactory, MembershipFactory, NominalFactory, OffenceWeightFactory, csv_bytes, grid, policeuk_file,
    policeuk_row,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps one records table")

HEADER = ["reference", "offence_code", "date", "latitude", "longitude", "nominals"]
NEW = [dt.date(2023, 3, 1), dt.date(2023, 4, 1)]


def _tables(pattern: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind IN ('r', 'p')", [pattern])
        return {row[0] for row in cursor.fetchall()}


def _partition_of(record_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM ingestion_record WHERE id = %s", [record_id])
        return cursor.fetchone()[0]


def _indexes(table: str) -> list[str]:
    """The table's index definitions without their names (the same for every month's partition)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT regexp_replace(pg_get_indexdef(indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+ ', "
                       "'\\1') FROM pg_index WHERE indrelid = %s::regclass", [table])
        return sorted(row[0] for row in cursor.fetchall())


def _default_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {DEFAULT_PARTITION}")
        return cursor.fetchone()[0]


@pytest.fixture
def attached(monkeypatch):
    """The tables each apply attached (month: table)."""
    seen, original = [], record_service.record_partitions_attach

    def remembering(*, tables):
        seen.append(dict(tables))
        return original(tables=tables)

    monkeypatch.setattr(record_service, "record_partitions_attach", remembering)
    return seen


@pytest.mark.django_db
def test_it_loads_new_months_as_partitions_giving_what_the_ordinary_upsert_gives(ingest, monkeypatch, attached):
    requests = []
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kw: requests.append(kw))
    areas = grid()
    edition = CssEditionFactory(code="bulk-css", is_active=True)
    offence = OffenceWeightFactory(edition=edition, offence_type__code="92A", weight=3.5).offence_type
    member = MembershipFactory(nominal=NominalFactory(ref="N001")).nominal
    NominalFactory(ref="N002")
    first = csv_bytes([HEADER, ["MOVES", "92A", "2023-01-14", "55.0", "-1.5", "N001:suspect;N002:offender"],
                       ["STAYS", "92A", "2023-01-20", "55.0", "-1.7", "N002:suspect"]])
    rows = [["MOVES", "92A", "2023-03-02", "55.0", "-1.7", "N001:suspect"],
            ["STAYS", "92A", "2023-01-20", "55.0", "-1.7", "N002:suspect"]]
    rows += [[f"C{n:03d}", "92A", f"2023-0{3 + n % 2}-{1 + n % 28:02d}", "55.0", "-1.5" if n % 3 else "-1.7",
              "N001:offender" if n % 5 == 0 else ""] for n in range(40)]
    second = csv_bytes([HEADER, *rows])

    def outcome(month_rows: int) -> tuple:
        monkeypatch.setattr(bulk, "BULK_MONTH_ROWS", month_rows)
        requests.clear()
        first_upload = ingest("crimes", first)
        moving = Record.objects.get(external_ref="MOVES")
        links_before = set(RecordNominal.objects.filter(record=moving).values_list("id", flat=True))
        upload = ingest("crimes", second)
        assert upload.status == "applied", (upload.errors, upload.failure)
        moved = Record.objects.get(external_ref="MOVES")
        scores_recompute()
        return (
            (first_upload.rows_applied, upload.rows_total, upload.rows_applied, upload.rows_unchanged,
             upload.rows_unlocated, upload.error_count),
            sorted(Record.objects.values_list("external_ref", "kind", "source", "occurred_on", "month", "lat", "lon",
                                              "area_id", "sector_id", "command_id", "offence_type_id", "drug_supply",
                                              "details", "force_id")),
            sorted(RecordNominal.objects.values_list("record__external_ref", "nominal__ref", "role")),
            # The moved record keeps its id, and the link it kept keeps its own.
            moved.id == moving.id,
            len(set(RecordNominal.objects.filter(record=moved).values_list("id", flat=True)) & links_before),
            {(m, _partition_of(r)) for m, r in Record.objects.values_list("month", "id")},
            sorted((r["area_ids"], r["months"]) for r in requests[1:]),
            sorted(HarmScore.objects.values_list("area__code", "month", "measure__code", "count", "harm")),
            {month: _indexes(partition_name(month)) for month in NEW},
            _default_rows(),
        )

    with transaction.atomic():  # rolled back (the partitions with it): the second run starts as the first did
        ordinary = outcome(10**9)
        transaction.set_rollback(True)
    assert attached == [{}, {}]
    bulk_loaded = outcome(1)

    assert [set(tables) for tables in attached[2:]] == [{dt.date(2023, 1, 1)}, set(NEW)]
    assert bulk_loaded == ordinary
    report, records, links, same_id, links_kept, places, scopes, scores, indexes, default_rows = bulk_loaded
    assert report == (2, 42, 41, 1, 0, 0) and len(records) == 42 and same_id and links_kept == 1
    assert ("MOVES", "N001", "suspect") in links and len(links) == 10
    assert places == {(dt.date(2023, 1, 1), partition_name(dt.date(2023, 1, 1)))} | {
        (month, partition_name(month)) for month in NEW}
    # The month the record left and the two new ones are rescored.
    assert scopes == [(sorted(a.id for a in areas.values() if a.level > 0), [dt.date(2023, 1, 1), *NEW])]
    assert {(code, month) for _, month, code, *_ in scores} >= {("ocg-linked-crime", NEW[0])}
    assert HarmScore.objects.filter(measure__code="ocg-linked-crime", month=NEW[0], area=areas["east"]).exists()
    assert indexes[NEW[0]] == _indexes(partition_name(dt.date(2023, 1, 1))) and len(indexes[NEW[0]]) == 6
    assert default_rows == 0
    assert member.ref == "N001" and offence.code == "92A"


@pytest.mark.django_db
def test_it_leaves_no_table_or_partition_behind_when_the_apply_fails_after_the_load(ingest, monkeypatch):
    grid()
    monkeypatch.setattr(bulk, "BULK_MONTH_ROWS", 1)
    loaded = []

    def failing(*, tables):
        loaded.append(_tables("ingestion_record_y2023m0%") & set(tables.values()))
        raise RuntimeError("the attach failed")

    monkeypatch.setattr(record_service, "record_partitions_attach", failing)
    upload = ingest("policeuk", policeuk_file([policeuk_row(f"R{n}", month=f"2023-0{5 + n % 2}")
                                               for n in range(20)]))

    assert upload.status == Upload.Status.FAILED and "the attach failed" in upload.failure
    assert loaded == [{partition_name(dt.date(2023, 5, 1)), partition_name(dt.date(2023, 6, 1))}]
    assert _tables("ingestion_record_y2023m0%") == set()
    assert Record.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # each thread commits on its own connection
def test_it_applies_both_of_two_uploads_racing_for_the_same_new_month(force, analyst, monkeypatch, attached):
    monkeypatch.setattr(bulk, "BULK_MONTH_ROWS", 1)
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kwargs: None)
    grid()
    files = {
        "policeuk": policeuk_file([policeuk_row(f"P{n:03d}", month="2023-07") for n in range(300)]),
        "crimes": csv_bytes([HEADER, *[[f"C{n:03d}", "92A", "2023-07-09", "55.0", "-1.5", ""] for n in range(300)]]),
    }
    OffenceWeightFactory(offence_type__code="92A")
    uploads = [upload_create(organisation=force, kind=kind, fileobj=io.BytesIO(data), original_name=f"{kind}.csv",
                             user=analyst, dispatch=False) for kind, data in files.items()]
    apply_together(uploads, monkeypatch)
    # One loaded the month as its partition; the other waited for it, then wrote into it.
    assert sorted(len(tables) for tables in attached) == [0, 1]
    assert {_partition_of(pk) for pk in Record.objects.values_list("id", flat=True)} == {
        partition_name(dt.date(2023, 7, 1))}
    assert sorted(Record.objects.values_list("source", flat=True).distinct()) == ["force", "policeuk"]
    assert Record.objects.count() == 600
