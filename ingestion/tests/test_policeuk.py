import datetime as dt

import pytest

from ingestion.models import Upload
from records.models import Record
from tests.factories import grid, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


def test_it_applies_and_locates_police_uk_rows(ingest):
    areas = grid()
    upload = ingest("policeuk", policeuk_file([
        policeuk_row("a1", lon="-1.7"), policeuk_row("b2", lon="-1.5", month="2022-12"),
        policeuk_row("c3", lon="-2.5"), policeuk_row("", lon="", lat="", crime_type="Anti-social behaviour"),
        policeuk_row("d4", lon="", lat=""),
    ]))
    assert upload.status == Upload.Status.APPLIED, upload.errors
    assert (upload.rows_total, upload.rows_applied, upload.rows_skipped, upload.rows_unlocated) == (5, 4, 1, 1)
    a1 = Record.objects.get(external_ref="a1")
    assert (a1.kind, a1.source, a1.occurred_on, a1.month) == ("policeuk", "policeuk", dt.date(2023, 1, 1),
                                                               dt.date(2023, 1, 1))
    assert (a1.area_id, a1.sector_id, a1.command_id) == (areas["west_n"].id, areas["west"].id, areas["command"].id)
    assert Record.objects.get(external_ref="b2").sector_id == areas["east"].id
    assert Record.objects.get(external_ref="c3").sector_id is None
    assert Record.objects.get(external_ref="d4").lat is None
    assert a1.details["crime_type"] == "Burglary"


def test_it_adds_nothing_when_the_same_rows_come_again(ingest):
    rows = [policeuk_row("a1"), policeuk_row("b2")]
    ingest("policeuk", policeuk_file(rows))
    again = ingest("policeuk", policeuk_file(rows + [policeuk_row("c3")]))
    assert (again.rows_applied, again.rows_unchanged) == (1, 2)
    assert Record.objects.count() == 3
    changed = ingest("policeuk", policeuk_file([policeuk_row("a1", crime_type="Robbery")]))
    assert (changed.rows_applied, changed.rows_unchanged) == (1, 0)
    assert Record.objects.get(external_ref="a1").details["crime_type"] == "Robbery"


@pytest.fixture
def debug_cursor():
    """Django's debug cursor wrapper, as with DEBUG on (restored afterwards)."""
    from django.db import connection

    before = connection.force_debug_cursor
    connection.force_debug_cursor = True
    yield
    connection.force_debug_cursor = before


@pytest.mark.parametrize("kind, data", [
    ("policeuk", policeuk_file([policeuk_row("a1"), policeuk_row("b2", lon="-1.5")])),
    ("drug_deaths", b"reference,date,latitude,longitude\r\nD1,2023-01-05,55.0,-1.7\r\nD2,2023-01-06,,\r\n"),
], ids=["policeuk", "drug_deaths"])
def test_it_stages_rows_through_the_debug_cursor(ingest, debug_cursor, kind, data):
    grid()
    upload = ingest(kind, data)
    assert upload.status == Upload.Status.APPLIED, (upload.errors, upload.failure[-300:])
    assert Record.objects.count() == 2


def test_it_takes_the_sql_path_on_postgresql_only(ingest):
    """PostgreSQL validates police.uk CSV files in SQL (ingestion.services.staging); SQLite reads them row by row."""
    import io

    from django.db import connection

    from ingestion.schemas.policeuk import PoliceUkSchema
    from ingestion.services.staging import copy_applies

    schema = PoliceUkSchema()
    assert copy_applies(schema, io.BytesIO(policeuk_file([policeuk_row("a1")]))) is (connection.vendor == "postgresql")
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1"), policeuk_row("", crime_type="Anti-social behaviour")]))
    assert (upload.status, upload.rows_total, upload.rows_applied, upload.rows_skipped) == ("applied", 2, 1, 1)
