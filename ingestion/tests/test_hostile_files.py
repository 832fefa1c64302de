"""Files built to hurt the reader: zip bombs, DTDs, wide headers, late NUL bytes, lying dimensions.
Each ends rejected with a message for the uploader (never failed, never partly read)."""
import io
import zipfile
from unittest import mock

import pytest

from ingestion.models import Upload
from ingestion.schemas.base import Schema
from ingestion.services.processing import Run
from records.models import Record
from tests.factories import POLICEUK_HEADER, csv_bytes, policeuk_file, policeuk_row

pytestmark = pytest.mark.django_db


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_REL}/officeDocument"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{_REL}/worksheet"/>'
        f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{_REL}/sharedStrings"/></Relationships>'),
}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _xlsx(rows, *, dimension=None, doctype=None, padding="") -> bytes:
    """A workbook written by hand, as Excel lays it out: text in xl/sharedStrings.xml, numbers in the
    cells, a <dimension> (the real one unless given), and optionally a DTD in one member
    (``doctype=(member, text)``) or one more shared string (``padding``)."""
    strings, cells = [], []
    for r, row in enumerate(rows, start=1):
        xml = []
        for c, value in enumerate(row):
            where = f"{chr(65 + c)}{r}"
            if isinstance(value, str):
                strings.append(value)
                xml.append(f'<c r="{where}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                xml.append(f'<c r="{where}"><v>{value}</v></c>')
        cells.append(f'<row r="{r}">{"".join(xml)}</row>')
    dimension = dimension or f"A1:{chr(64 + max(len(row) for row in rows))}{len(rows)}"
    parts = dict(_PARTS)
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{_NS}"><dimension ref="{dimension}"/><sheetData>{"".join(cells)}</sheetData></worksheet>')
    if padding:
        strings.append(padding)
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                                     + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            if doctype and doctype[0] == name:
                xml = doctype[1] + xml
            archive.writestr(name, _DECLARATION + xml)
    return buffer.getvalue()


def _rejected(upload, *needles):
    assert upload.status == Upload.Status.REJECTED, (upload.status, upload.errors, upload.failure)
    assert Record.objects.count() == 0
    text = " ".join(e["message"] for e in upload.errors)
    for needle in needles:
        assert needle in text, text
    return upload


def _policeuk_xlsx(count=2, **kwargs) -> bytes:
    return _xlsx([POLICEUK_HEADER, *[policeuk_row(f"a{i}") for i in range(count)]], **kwargs)


def test_it_accepts_the_hand_written_workbook(ingest):
    upload = ingest("policeuk", _policeuk_xlsx(), name="crimes.xlsx")
    assert (upload.status, upload.rows_applied) == (Upload.Status.APPLIED, 2), upload.errors


def test_it_rejects_an_xlsx_whose_shared_strings_unzip_a_thousandfold(ingest):
    # 8 MB of one repeated letter deflates to a few KB: the shape of a shared-strings bomb.
    bomb = _policeuk_xlsx(padding="a" * 8_000_000)
    assert len(bomb) < 100_000
    _rejected(ingest("policeuk", bomb, name="crimes.xlsx"), "xl/sharedStrings.xml", "times its zipped size")


def test_it_rejects_an_xlsx_over_the_unzipped_total(ingest, settings):
    settings.INGEST_XLSX_MAX_BYTES = 20_000
    _rejected(ingest("policeuk", _policeuk_xlsx(50), name="crimes.xlsx"), "unzips to", "at most 20,000 bytes")


def test_it_rejects_shared_strings_over_their_own_cap(ingest, settings):
    data = _policeuk_xlsx(50)
    size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/sharedStrings.xml").file_size
    settings.INGEST_XLSX_MAX_SHARED_STRINGS_BYTES = size - 1
    _rejected(ingest("policeuk", data, name="crimes.xlsx"), "xl/sharedStrings.xml", f"at most {size - 1:,} bytes")


@pytest.mark.parametrize("member, doctype", [
    # The classic: an internal entity (defusedxml raises on it, in the middle of reading the sheet).
    ("xl/worksheets/sheet1.xml", '<!DOCTYPE worksheet [<!ENTITY lat "55.0">]>'),
    # A bare DTD with no entity at all: defusedxml lets it through, the check does not.
    ("xl/sharedStrings.xml", "<!DOCTYPE sst>"),
    # After a comment in the prolog, beyond the first few KB.
    ("xl/workbook.xml", f"<!-- {'x' * 20_000} --><!DOCTYPE workbook>"),
])
def test_it_rejects_an_xlsx_with_a_dtd(ingest, member, doctype):
    data = _policeuk_xlsx(doctype=(member, doctype))
    _rejected(ingest("policeuk", data, name="crimes.xlsx"), "document type declaration", member)


def test_it_rejects_a_sheet_that_breaks_after_the_header(ingest):
    data = _policeuk_xlsx(3)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            xml = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = xml.replace(b'<row r="3">', b'<row r="3"><c r="A3">')  # never closed
            target.writestr(info.filename, xml)
    upload = _rejected(ingest("policeuk", broken.getvalue(), name="crimes.xlsx"), "cannot be read after row 2")
    assert upload.errors[0]["row"] == 3


def test_it_rejects_a_header_line_too_long_to_be_one(ingest):
    header = ["reference", "date", "x" * 70_000]
    _rejected(ingest("drug_deaths", csv_bytes([header, ["D1", "2023-01-05", ""]])), "header line is over 65,536")


def test_it_rejects_a_header_over_the_column_limit_before_checking_it(ingest):
    header = [f"c{i}" for i in range(600)]
    with mock.patch.object(Schema, "header_problem", autospec=True, return_value=None) as header_problem:
        upload = _rejected(ingest("drug_deaths", csv_bytes([header, ["x"] * 600])), "600 columns", "at most 500")
    header_problem.assert_not_called()
    assert upload.errors[0]["row"] == 1


def test_it_still_names_repeated_columns_in_a_wide_header(ingest):
    header = ["reference", "date"] + ["notes"] * 400
    _rejected(ingest("drug_deaths", csv_bytes([header, ["x"] * 402])), "repeated column(s): notes")


def test_it_rejects_a_nul_byte_past_the_sniffed_head(ingest):
    rows = [policeuk_row(f"r{i}") for i in range(200)]
    rows[149][6] = "On or near \x00 Street"
    data = policeuk_file(rows)
    assert data.index(b"\x00") > 8192
    upload = _rejected(ingest("policeuk", data), "NUL", "row 151")
    assert upload.errors[0]["row"] == 151


@pytest.mark.parametrize("dimension", ["A1:D2", "A1:B2"])
def test_it_reads_every_row_and_column_whatever_the_dimension_says(ingest, dimension):
    rows = [["reference", "date", "latitude", "longitude"], *[[f"D{i}", "2023-01-05", 55.0, -1.7] for i in range(5)]]
    upload = ingest("drug_deaths", _xlsx(rows, dimension=dimension), name="deaths.xlsx")
    assert upload.status == Upload.Status.APPLIED, upload.errors
    assert (upload.rows_total, upload.rows_applied) == (5, 5)
    assert Record.objects.filter(lat=55.0, lon=-1.7).count() == 5


def _heartbeats(ingest, kind, data):
    calls = []
    progress = Run.progress

    def spy(run, **fields):
        calls.append(fields)
        return progress(run, **fields)

    with mock.patch.object(Run, "progress", autospec=True, side_effect=spy):
        upload = ingest(kind, data)
    assert upload.status == Upload.Status.APPLIED, upload.errors
    return calls


def test_it_heartbeats_after_the_header_and_every_batch_blank_lines_included(ingest, settings):
    settings.INGEST_BATCH_ROWS = 2
    lines = policeuk_file([policeuk_row("r0"), policeuk_row("r1")]) + b"\r\n" * 6
    lines += csv_bytes([policeuk_row(f"r{i}") for i in range(2, 5)])
    calls = _heartbeats(ingest, "policeuk", lines)
    assert calls[0] == {}  # the header is read and checked
    # Batches of two rows read: r0 r1 | 3 x two blank lines | r2 r3 | r4.
    assert [c["rows_validated"] for c in calls if "rows_validated" in c] == [2, 2, 2, 2, 4, 5]


def test_it_heartbeats_every_batch_of_a_register(ingest, settings):
    settings.INGEST_BATCH_ROWS = 2
    calls = _heartbeats(ingest, "nominals", csv_bytes([["ref", "name"], *[[f"N{i}", f"Person {i}"] for i in range(5)]]))
    assert calls[0] == {}
    assert [c["rows_validated"] for c in calls if "rows_validated" in c] == [2, 4, 5]
