"""police.uk CSV files validated in SQL (ingestion.services.staging) give what the row-by-row path gives."""
import datetime as dt
import itertools
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.models import Upload
from ingestion.services import records as record_service
from ingestion.services import staging
from records.models import Record
from tests.factories import csv_bytes, grid, policeuk_file, policeuk_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's; SQLite reads rows"),
]

FUTURE = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")


def _with(**changes) -> list:
    row = policeuk_row(changes.pop("ref", "r1"))
    for position, value in changes.items():
        row[int(position[1:])] = value
    return row


# Rows SQL must not pass on its own: each is an error, a skip or a row only Python can judge.
BAD_ROWS = [
    _with(ref="a-1"), _with(ref="x" * 101), _with(ref=""), _with(ref="", c9="Anti-social behaviour"),
    _with(ref="  ", c9="Anti-social behaviour"), _with(ref=" padded "), _with(c9=" Burglary "),
    _with(c9="Burglary offence"), _with(c9=""), _with(c1="2023-13"), _with(c1="2023-1"), _with(c1="0000-01"),
    _with(c1=FUTURE), _with(c1=" 2023-02"), _with(c1=""), _with(c1="\u0662\u0660\u0662\u0663-01"),
    _with(c4="0", c5="0"), _with(c4="-1.7", c5="40.0"), _with(c4="", c5="55.0"), _with(c4="-1.7", c5=""),
    _with(c4="abc", c5="55.0"), _with(c4=" -1.7", c5="55.0 "), _with(c4="nan", c5="55.0"),
    _with(c4="-1.7e0", c5="5.5e1"), _with(c6="x" * 501), _with(c6="x" * 498 + "   "), _with(c7="E" * 21),
    _with(c6="On or near \u00e9" * 40), ["", "", "", "", "", "", "", "", "", "", "", ""],
    [" ", "", "", "", "\t", "", "", "", "", "", "", ""],
]


def _outcome(upload) -> tuple:
    records = sorted(Record.objects.values_list(
        "external_ref", "occurred_on", "month", "lat", "lon", "area_id", "sector_id", "command_id",
        "offence_type_id", "details"))
    return (upload.status, upload.errors, upload.error_count, upload.rows_total, upload.rows_skipped,
            upload.rows_applied, upload.rows_unchanged, upload.rows_unlocated, records)


@pytest.fixture(autouse=True)
def sql_results(monkeypatch):
    """What each stage_copied call returned (None: the file went row by row)."""
    results, original = [], staging.stage_copied

    def remembering(*args, **kwargs):
        results.append(original(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(record_service, "stage_copied", remembering)
    return results


@pytest.fixture
def both_paths(ingest, sql_results):
    """The outcome of the SQL path and of the row-by-row path for the same file (records cleared between)."""

    sent = itertools.count()

    def run(data: bytes) -> tuple[tuple, tuple]:
        # Trailing line ends make other bytes (an applied file is not processed twice), not other rows.
        sql_results.clear()
        by_sql = _outcome(ingest("policeuk", data + b"\r\n" * next(sent)))
        assert len(sql_results) == 1 and sql_results[0] is not None, "the file did not take the SQL path"
        Record.objects.all().delete()
        with mock.patch.object(record_service, "copy_applies", return_value=False):
            by_rows = _outcome(ingest("policeuk", data + b"\r\n" * next(sent)))
        assert len(sql_results) == 1
        return by_sql, by_rows

    return run


@pytest.mark.parametrize("bad", BAD_ROWS, ids=range(len(BAD_ROWS)))
def test_it_reports_each_bad_row_as_the_row_by_row_path_does(both_paths, bad):
    grid()
    rows = [policeuk_row("g1"), bad, policeuk_row("g2", lon="-1.5", month="2022-11"), policeuk_row("g3", lat="",
                                                                                                  lon="")]
    by_sql, by_rows = both_paths(policeuk_file(rows))
    assert by_sql == by_rows


def test_it_reports_a_table_of_bad_rows_numbered_as_the_spreadsheet_shows_them(both_paths):
    grid()
    rows = [policeuk_row(f"g{i}") for i in range(3)] + [row[:] for row in BAD_ROWS] + [policeuk_row("g1")]
    for number, row in enumerate(rows):
        if row[0] == "r1":
            row[0] = f"r{number}"
    by_sql, by_rows = both_paths(policeuk_file(rows))
    assert by_sql == by_rows
    status, errors = by_sql[:2]
    assert status == Upload.Status.REJECTED
    assert errors[-1] == {"row": len(rows) + 1, "column": "Crime ID", "message": "reference 'g1' already appears "
                                                                                  "on row 3"}
    assert {"row": 5, "column": "Crime ID", "message": "'a-1' is not a police.uk Crime ID"} in errors
    assert Record.objects.count() == 0


_cells = {
    0: st.sampled_from(["", " ", "abc1", "ABC", "a_b", "x" * 101]),
    1: st.sampled_from(["2023-01", "2022-12", "2023-13", "23-01", " 2023-01", FUTURE, ""]),
    4: st.sampled_from(["-1.7", "-1.5", "", "0", "-1.70", "x", "-3.0"]),
    5: st.sampled_from(["55.0", "54.95", "", "0", "70", "55"]),
    6: st.sampled_from(["On or near X", "", "x" * 600, "caf\u00e9"]),
    9: st.sampled_from(["Burglary", "Drugs", "Anti-social behaviour", "burglary", " Drugs", ""]),
}


@pytest.fixture
def areas():
    return grid()


@st.composite
def _files(draw):
    rows = []
    for number in range(draw(st.integers(1, 8))):
        row = policeuk_row(f"p{number}")
        for position, cells in _cells.items():
            if draw(st.booleans()):
                row[position] = draw(cells)
        rows.append(row)
    return rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_files())
def test_it_gives_what_the_row_by_row_path_gives_for_any_file(areas, both_paths, rows):
    Record.objects.all().delete()  # the examples share the test's database (and its areas)
    by_sql, by_rows = both_paths(policeuk_file(rows))
    assert by_sql == by_rows


def test_it_keeps_the_months_crime_types_and_points_apart_when_their_texts_are_the_same(both_paths):
    # The three look-ups come from one scan (grouping sets): a text in one column must never be
    # judged as another column's; the blank rows are counted once.
    grid()
    rows = [policeuk_row("g1"), _with(ref="m1", c1="Burglary"), _with(ref="t1", c9="2023-01"),
            _with(ref="p1", c4="2023-01", c5="Burglary"), _with(ref="p2", c4="-1.7", c5="2023-01"),
            _with(ref="m2", c1="-1.7"), _with(ref="t2", c9="55.0"), [""] * 12, policeuk_row("g2", month="2022-11"),
            [""] * 12, policeuk_row("g3", lon="-1.5", crime_type="Drugs"), _with(ref="", c1="", c4="", c5="")]
    by_sql, by_rows = both_paths(policeuk_file(rows))
    assert by_sql == by_rows
    status, errors, error_count, total = by_sql[:4]
    assert (status, error_count, total) == (Upload.Status.REJECTED, 8, 10)
    assert {"row": 3, "column": "Month", "message": "'Burglary' is not a month: use YYYY-MM"} in errors


def test_it_applies_nothing_when_one_row_anywhere_is_bad(ingest):
    grid()
    rows = [policeuk_row(f"g{i}") for i in range(50)]
    rows[37][1] = "2023-14"
    upload = ingest("policeuk", policeuk_file(rows))
    assert upload.status == Upload.Status.REJECTED
    assert upload.errors == [{"row": 39, "column": "Month", "message": "'2023-14' is not a month: use YYYY-MM"}]
    assert Record.objects.count() == 0
    upload.refresh_from_db()
    with upload.file.open("rb") as kept:
        assert kept.read() == policeuk_file(rows)


def test_it_says_which_row_repeats_a_reference(ingest):
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1"), policeuk_row("b2"), policeuk_row("a1"),
                                               policeuk_row("a1")]))
    assert upload.errors == [
        {"row": 4, "column": "Crime ID", "message": "reference 'a1' already appears on row 2"},
        {"row": 5, "column": "Crime ID", "message": "reference 'a1' already appears on row 2"},
    ]
    assert Record.objects.count() == 0


@pytest.mark.parametrize("data, why", [
    (policeuk_file([policeuk_row("a1"), policeuk_row("b2")[:-1]]), "a ragged row"),
    (policeuk_file([policeuk_row("a1"), _with(ref="b2", c6="On or near \"The Bank\"")]), "a quoted field"),
    (policeuk_file([policeuk_row("a1")]) + b"\r\n" + csv_bytes([policeuk_row("b2")]), "a blank line inside"),
    (policeuk_file([policeuk_row("a1"), _with(ref="b2", c6="back\\.slash")]), "an end-of-data marker"),
    # Past the first 8 KB, which the header check decodes before COPY is tried.
    (policeuk_file([policeuk_row(f"a{i}") for i in range(200)] + [_with(ref="b2", c6="x")]).replace(
        b",x,", b",\x92,"), "not UTF-8"),
])
def test_it_falls_back_to_the_row_by_row_path_when_copy_cannot_read_the_file(ingest, sql_results, data, why):
    grid()
    upload = ingest("policeuk", data)
    assert sql_results == [None], why
    with mock.patch.object(record_service, "copy_applies", return_value=False):
        expected = ingest("policeuk", data + b"\r\n")
    assert (upload.status, upload.errors, upload.rows_total) == (expected.status, expected.errors,
                                                                 expected.rows_total), why


def test_it_reads_a_quoted_file_row_by_row_and_applies_it(ingest, sql_results):
    grid()
    upload = ingest("policeuk", policeuk_file([_with(ref="a1", c6="On or near Grey Street, Newcastle")]))
    assert sql_results == [None]
    assert upload.status == Upload.Status.APPLIED
    assert Record.objects.get().details["location"] == "On or near Grey Street, Newcastle"


def test_it_keeps_a_header_only_file_rejected(ingest):
    upload = ingest("policeuk", policeuk_file([]) + b"\r\n\r\n")
    assert upload.status == Upload.Status.REJECTED
    assert upload.errors == [{"row": 2, "column": "", "message": "The file has a header but no data rows."}]


def test_it_sends_as_many_queries_for_3000_rows_as_for_300(ingest, sql_results):
    grid()
    counts = []
    for size in (30, 300, 3000):  # the first also builds the locator
        rows = [policeuk_row(f"q{size}x{i}", lon=("-1.7", "-1.5")[i % 2]) for i in range(size)]
        rows[10] = _with(ref=f"q{size}x10", c1="bad")
        with CaptureQueriesContext(connection) as queries:
            upload = ingest("policeuk", policeuk_file(rows))
        assert (upload.status, upload.error_count, upload.errors[0]["row"]) == (Upload.Status.REJECTED, 1, 12)
        counts.append(len(queries))
    assert None not in sql_results
    assert counts[1] == counts[2]


@pytest.fixture
def parallel_plans():
    """Plan the staging statements on parallel workers even for a small file, and run each one's
    SELECT first under EXPLAIN ANALYZE: the workers each of them launched, in order."""
    launched = []

    def explaining(execute, sql, params, many, context):
        if sql.startswith("CREATE TEMPORARY TABLE ") and " AS SELECT " in sql:
            with connection.connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql.split(" AS ", 1)[1], params)
                plan = cursor.fetchone()[0][0]["Plan"]
            launched.append(plan.get("Workers Launched", 0))
        return execute(sql, params, many, context)

    def run(workers: int, body):
        with connection.cursor() as cursor:
            for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"):
                cursor.execute(f"SET {setting} = 0")
            cursor.execute(f"SET max_parallel_workers_per_gather = {workers}")
        try:
            with connection.execute_wrapper(explaining):
                return body()
        finally:
            with connection.cursor() as cursor:
                for setting in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
                                "max_parallel_workers_per_gather"):
                    cursor.execute(f"RESET {setting}")

    run.launched = launched
    return run


def _no_create_privilege(execute, sql, params, many, context):
    """As for a role that may not create tables in its schema (it keeps the raw rows in temporary tables)."""
    if sql == "SELECT has_schema_privilege(current_schema(), 'CREATE')":
        sql = "SELECT false"
    return execute(sql, params, many, context)


def test_it_stages_on_parallel_workers_exactly_what_it_stages_on_one(ingest, sql_results, parallel_plans):
    grid()
    good = [policeuk_row(f"w{i}", lon=("-1.7", "-1.5")[i % 2], month=("2023-01", "2022-12")[i % 3 == 0])
            for i in range(400)]
    bad = good[:200] + [row[:] for row in BAD_ROWS] + good[200:]
    for number, row in enumerate(bad):
        if row[0] == "r1":
            row[0] = f"r{number}"
    sent = itertools.count()

    def outcomes() -> list:
        applied = _outcome(ingest("policeuk", policeuk_file(good) + b"\r\n" * next(sent)))
        again = _outcome(ingest("policeuk", policeuk_file(good) + b"\r\n" * next(sent)))  # nothing changed
        rejected = _outcome(ingest("policeuk", policeuk_file(bad) + b"\r\n" * next(sent)))
        Record.objects.all().delete()
        return [applied, again, rejected]

    parallel = parallel_plans(2, outcomes)
    # Per upload: the stage's rows, then the rows set aside for Python. Whether a worker is free
    # (and which plan wins for a few hundred rows) is the server's choice; some must have run.
    assert len(parallel_plans.launched) == 6 and sum(parallel_plans.launched) >= 3
    parallel_plans.launched.clear()
    serial = parallel_plans(0, outcomes)
    assert parallel_plans.launched == [0] * 6
    assert len(sql_results) == 6 and None not in sql_results
    parallel_plans.launched.clear()
    with connection.execute_wrapper(_no_create_privilege):
        temporary = parallel_plans(2, outcomes)
    assert parallel_plans.launched == [0] * 6  # workers cannot read temporary tables
    with mock.patch.object(record_service, "copy_applies", return_value=False):
        by_rows = outcomes()
    assert parallel == serial == temporary == by_rows
    applied, again, rejected = parallel
    assert applied[0] == again[0] == Upload.Status.APPLIED
    assert (applied[5], again[5], again[6]) == (400, 0, 400)
    assert len(applied[-1]) == 400
    assert rejected[0] == Upload.Status.REJECTED and rejected[2] > 10


def _unlogged(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE {name} (n bigint)")


def _tables_like(pattern: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE %s", [pattern])
        return {name for (name,) in cursor.fetchall()}


def test_it_drops_the_scratch_tables_a_killed_run_left_but_not_those_of_a_run_in_progress(ingest):
    grid()
    left = ingest("policeuk", policeuk_file([policeuk_row("k1")]))  # a finished upload: its run has ended
    running = ingest("policeuk", policeuk_file([policeuk_row("k2")]))
    Upload.objects.filter(pk=running.pk).update(status=Upload.Status.VALIDATING)
    for name in (f"ingest_stage_{left.pk}_raw", f"ingest_stage_{left.pk}_points", f"ingest_stage_{running.pk}_raw",
                 "ingest_stage_notes"):  # the last is nobody's scratch: not ours to drop
        _unlogged(name)
    upload = ingest("policeuk", policeuk_file([policeuk_row("k3")]))
    assert upload.status == Upload.Status.APPLIED
    assert _tables_like("ingest_stage_%") == {f"ingest_stage_{running.pk}_raw", "ingest_stage_notes"}
