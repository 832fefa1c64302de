"""A record whose date is corrected into another month: found by its reference and moved, never duplicated.

On PostgreSQL the records are partitioned by month and the natural key holds the month; the apply
keeps a reference one record across months (docs/ingestion.md, "Records partitioned by month").
"""
import datetime as dt

import pytest
from django.db import connection

from nominals.models import RecordNominal
from records.models import Record
from records.services import partition_name, partitioned
from tests.factories import NominalFactory, OffenceTypeFactory, csv_bytes, grid, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db

HEADER = ["reference", "offence_code", "date", "latitude", "longitude", "nominals"]


def _partition_of(record_id: int) -> str | None:
    if not partitioned():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM ingestion_record WHERE id = %s", [record_id])
        return cursor.fetchone()[0]


def test_it_moves_a_crime_to_its_corrected_month_with_its_id_and_links(ingest, monkeypatch):
    calls = []
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kw: calls.append(kw))
    areas = grid()
    OffenceTypeFactory(code="92A")
    NominalFactory(ref="N001")
    NominalFactory(ref="N002")
    links_cr1 = "N001:suspect;N002:offender"
    cr2 = ["CR2", "92A", "2023-01-20", "55.0", "-1.7", ""]
    first = ingest("crimes", csv_bytes([HEADER, ["CR1", "92A", "2023-01-14", "55.0", "-1.5", links_cr1], cr2]))
    assert first.status == "applied"
    record = Record.objects.get(source="force", external_ref="CR1")
    links = set(RecordNominal.objects.filter(record=record).values_list("id", "nominal__ref", "role"))

    moved = ingest("crimes", csv_bytes([HEADER, ["CR1", "92A", "2023-03-02", "55.0", "-1.5", links_cr1], cr2]))

    assert (moved.status, moved.rows_applied, moved.rows_unchanged) == ("applied", 1, 1)
    assert Record.objects.filter(source="force", external_ref="CR1").count() == 1
    again = Record.objects.get(source="force", external_ref="CR1")
    assert (again.id, again.occurred_on, again.month) == (record.id, dt.date(2023, 3, 2), dt.date(2023, 3, 1))
    assert set(RecordNominal.objects.filter(record=again).values_list("id", "nominal__ref", "role")) == links
    assert len(links) == 2
    if partitioned():
        assert _partition_of(again.id) == partition_name(dt.date(2023, 3, 1))
    # Both months are rescored: the one it left and the one it joined.
    east = sorted([areas["east"].id, areas["east_n"].id, areas["command"].id])
    assert (calls[-1]["area_ids"], calls[-1]["months"]) == (east, [dt.date(2023, 1, 1), dt.date(2023, 3, 1)])


def test_it_moves_a_policeuk_record_back_and_forth_without_a_duplicate(ingest):
    grid()
    ids = set()
    for n, month in enumerate(["2023-01", "2023-02", "2023-01"]):
        upload = ingest("policeuk", policeuk_file([policeuk_row("P1", month=month), policeuk_row(f"P{n + 2}")]))
        assert upload.status == "applied", upload.errors
        ids.add(Record.objects.get(external_ref="P1").id)
    assert list(Record.objects.order_by("external_ref").values_list("external_ref", "month")) == [
        ("P1", dt.date(2023, 1, 1)), ("P2", dt.date(2023, 1, 1)), ("P3", dt.date(2023, 1, 1)),
        ("P4", dt.date(2023, 1, 1))]
    assert len(ids) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps one records table")
def test_it_inserts_a_file_of_several_months_one_month_at_a_time(ingest):
    grid()
    # File order cycles through the months; the identity sequence shows the order of the inserts.
    rows = [policeuk_row(f"R{n:02d}{'zyx'[n % 3]}", month=f"2023-0{1 + n % 3}") for n in range(30)]
    upload = ingest("policeuk", policeuk_file(rows))
    assert upload.status == "applied", upload.errors
    inserted = list(Record.objects.order_by("id").values_list("month", "external_ref"))
    assert inserted == sorted(inserted)
    assert len(inserted) == 30 and len({month for month, _ in inserted}) == 3
