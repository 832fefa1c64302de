"""Every kind of bad file: a clear message, no server error, nothing applied."""
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from ingestion.models import Upload
from records.models import Record
from tests.factories import POLICEUK_HEADER, csv_bytes, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


def _rejected(upload, *needles):
    assert upload.status == Upload.Status.REJECTED, upload.errors
    assert Record.objects.count() == 0
    assert upload.rows_applied == 0
    text = " ".join(e["message"] for e in upload.errors)
    for needle in needles:
        assert needle in text, text
    return upload


def test_it_rejects_an_empty_file(ingest):
    _rejected(ingest("policeuk", b""), "empty")


def test_it_rejects_a_header_without_rows(ingest):
    _rejected(ingest("policeuk", policeuk_file([])), "no data rows")


def test_it_rejects_a_wrong_header(ingest):
    upload = _rejected(ingest("policeuk", csv_bytes([["id", "when"], ["1", "2023-01"]])), "Wrong header",
                       "missing column(s): Month, Crime type", "unexpected column(s): id, when")
    assert upload.errors[0]["row"] == 1


def test_it_rejects_columns_in_the_wrong_order_for_police_uk(ingest):
    header = POLICEUK_HEADER[1:] + POLICEUK_HEADER[:1]
    _rejected(ingest("policeuk", csv_bytes([header, policeuk_row("a")[1:] + ["a"]])), "in that order")


def test_it_says_when_a_file_is_not_utf8(ingest):
    data = policeuk_file([policeuk_row("a1")]).replace(b"On or near X", "On or near King\x92s".encode("latin-1"))
    _rejected(ingest("policeuk", data), "not UTF-8", "CSV UTF-8")


def test_it_accepts_a_utf8_bom(ingest):
    assert ingest("policeuk", b"\xef\xbb\xbf" + policeuk_file([policeuk_row("a1")])).status == "applied"


@pytest.mark.parametrize("data, needle", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "PNG image"),
    (b"%PDF-1.4 hello", "PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old Excel"),
    (b"abc\x00def\n", "binary file"),
])
def test_it_rejects_binary_files_renamed_csv(ingest, data, needle):
    _rejected(ingest("policeuk", data, name="crimes.csv"), needle)


def test_it_rejects_a_zip_renamed_csv(ingest):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("crimes.csv", policeuk_file([policeuk_row("a1")]))
    _rejected(ingest("policeuk", buffer.getvalue(), name="crimes.csv"), "ZIP archive")


def test_it_rejects_duplicate_references_in_one_file(ingest):
    upload = _rejected(ingest("policeuk", policeuk_file([policeuk_row("a1"), policeuk_row("b2"), policeuk_row("a1")])),
                       "'a1' already appears on row 2")
    assert upload.errors[0]["row"] == 4


def test_it_rejects_future_and_unparseable_dates(ingest):
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).strftime("%Y-%m")
    upload = _rejected(ingest("policeuk", policeuk_file([
        policeuk_row("a1", month=future), policeuk_row("b2", month="Feb 2023"), policeuk_row("c3", month="2023-13"),
    ])), "is in the future", "is not a month")
    assert [e["row"] for e in upload.errors] == [2, 3, 4]
    assert upload.error_count == 3


@pytest.mark.parametrize("kind, now, today, tomorrow", [
    # 00:30 BST: the date in London is already the next day's, in UTC not yet.
    ("drug_deaths", "2026-07-01T23:30:00+00:00", "2026-07-02", "2026-07-03"),
    ("policeuk", "2026-06-30T23:30:00+00:00", "2026-07", "2026-08"),
])
def test_it_takes_the_local_date_as_today(ingest, kind, now, today, tomorrow):
    from unittest import mock

    def rows(*days):
        if kind == "policeuk":
            return policeuk_file([policeuk_row(f"r{i}", month=day) for i, day in enumerate(days)])
        return csv_bytes([["reference", "date"], *[[f"r{i}", day] for i, day in enumerate(days)]])

    with mock.patch("django.utils.timezone.now", return_value=dt.datetime.fromisoformat(now)):
        future = _rejected(ingest(kind, rows(today, tomorrow)), "is in the future")
        assert [e["row"] for e in future.errors] == [3]
        upload = ingest(kind, rows(today), name="today.csv")
    assert upload.status == Upload.Status.APPLIED, upload.errors


@pytest.mark.parametrize("lon, lat, needle", [
    ("0", "0", "placeholder"), ("2.35", "48.85", "outside Great Britain"), ("-1.6", "", "not a latitude"),
    ("east", "55", "not a latitude"),
])
def test_it_rejects_bad_coordinates(ingest, lon, lat, needle):
    _rejected(ingest("policeuk", policeuk_file([policeuk_row("a1", lon=lon, lat=lat)])), needle)


def test_it_rejects_bad_bng_coordinates_in_partner_files(ingest, coroner, partner_a):
    data = csv_bytes([["reference", "date", "easting", "northing"], ["D1", "2023-01-05", "0", "0"],
                      ["D2", "2023-01-05", "900000", "5"], ["D3", "2023-01-05", "425000", ""]])
    upload = _rejected(ingest("drug_deaths", data, organisation=coroner, user=partner_a), "placeholder",
                       "outside the British National Grid", "give both easting and northing")
    assert upload.error_count == 3


def test_it_rejects_xlsx_formulas(ingest):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(POLICEUK_HEADER)
    sheet.append(policeuk_row("a1"))
    row = policeuk_row("b2")
    row[5] = "=54+1"
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = _rejected(ingest("policeuk", buffer.getvalue(), name="crimes.xlsx"), "formulas are not accepted")
    assert (upload.errors[0]["row"], upload.errors[0]["column"]) == (3, "Latitude")


def test_it_accepts_xlsx_values(ingest):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(POLICEUK_HEADER)
    row = policeuk_row("a1")
    row[4], row[5] = -1.7, 55.0  # numbers, as Excel keeps them
    sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = ingest("policeuk", buffer.getvalue(), name="crimes.xlsx")
    assert upload.status == "applied", upload.errors
    assert Record.objects.get().lat == 55.0


def test_it_rejects_a_row_thousands_of_characters_long(ingest):
    row = policeuk_row("a1")
    row[6] = "x" * 5000
    _rejected(ingest("policeuk", policeuk_file([row])), "field too long")


def test_it_rejects_a_field_beyond_the_csv_limit(ingest):
    row = policeuk_row("a1")
    row[6] = "x" * 200_000
    _rejected(ingest("policeuk", policeuk_file([row])), "Field too long")


def test_it_rejects_a_row_with_too_many_values(ingest):
    _rejected(ingest("policeuk", policeuk_file([policeuk_row("a1") + ["extra"]])), "13 values")


def test_it_counts_every_error_and_keeps_the_first_500(ingest):
    rows = [policeuk_row(f"r{i}", month="bad") for i in range(700)]
    upload = _rejected(ingest("policeuk", policeuk_file(rows)))
    assert upload.error_count == 700
    assert len(upload.errors) == 500


def test_it_applies_nothing_when_row_10000_is_bad(ingest):
    rows = [policeuk_row(f"r{i}") for i in range(10_000)]
    rows[-1] = policeuk_row("bad", month="2023-99")
    upload = _rejected(ingest("policeuk", policeuk_file(rows)))
    assert upload.rows_validated == 10_000
    assert upload.errors == [{"row": 10_001, "column": "Month", "message": "'2023-99' is not a month: use YYYY-MM"}]


def test_it_rejects_a_kind_the_organisation_may_not_send(coroner, partner_a):
    from ingestion.services import UploadRefused, upload_create

    with pytest.raises(UploadRefused):
        upload_create(organisation=coroner, kind="policeuk", fileobj=io.BytesIO(b"x"), original_name="x.csv",
                      user=partner_a)
    assert not Upload.objects.exists()
