"""Streaming readers for uploaded files: CSV (UTF-8) and XLSX, told apart by content.

A reader yields ``(row_number, values)`` one row at a time, so memory stays flat
whatever the file size. Row numbers are those a spreadsheet shows: the header is
row 1, the first data row is row 2. Problems with the file as a whole (not text,
not UTF-8, no header...) raise ``FileRejected``; problems with one value are the
schema's business.

Blank rows are yielded too, as ``(row_number, None)``, so that ``batches`` can end
a batch after a bounded number of rows read, blank or not: a file of a million
blank lines still heartbeats.

Limits (Django settings, read when a file is opened; docs/ingestion.md):
``INGEST_MAX_COLUMNS`` for the header; for XLSX, checked with zipfile before
openpyxl parses anything, ``INGEST_XLSX_MAX_BYTES`` (everything unzipped),
``INGEST_XLSX_MAX_RATIO`` (per member over 1 MB) and
``INGEST_XLSX_MAX_SHARED_STRINGS_BYTES`` (each part read whole into memory).
"""
import csv
import io
import itertools
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from django.conf import settings

# Longest single field we read from a CSV (the csv module's own guard); anything
# near it is not a value a partner meant to send.
MAX_FIELD_CHARS = 100_000
csv.field_size_limit(MAX_FIELD_CHARS)
# The header line is read on its own with this bound, so a line of millions of commas
# is refused before the csv module splits it into a list of millions of names.
MAX_HEADER_CHARS = 65_536
MB = 1024 * 1024
# Members smaller than this may compress as well as they like (a tiny sheet of one repeated value).
_RATIO_FLOOR = MB

# Magic bytes of binary formats people rename to .csv by mistake.
_BINARY_SIGNATURES = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or other Office) file: save it as .xlsx or CSV UTF-8"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


class FileRejected(Exception):
    """The file as a whole cannot be read; ``message`` is shown to the uploader."""

    def __init__(self, message: str, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


class Formula(str):
    """An XLSX cell holding a formula (its text, never evaluated)."""


def sniff(head: bytes) -> str:
    """'xlsx' or 'csv' from the first bytes of the file; FileRejected for anything else."""
    if not head:
        raise FileRejected("The file is empty.")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise FileRejected(f"This is {what}, not a CSV or XLSX file.")
    if b"\x00" in head:
        raise FileRejected(
            "This is a binary file, not CSV text (it contains NUL bytes). "
            "If it is UTF-16 text, save it as 'CSV UTF-8' instead."
        )
    return "csv"


def open_table(fileobj: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list | None]]]:
    """The header and an iterator over the rows after it (values None for a blank row)."""
    head = fileobj.read(8192)
    fileobj.seek(0)
    fmt = sniff(head)
    header, rows = _open_xlsx(fileobj) if fmt == "zip" else _open_csv(fileobj)
    # Before the schema looks at the names: its checks grow with the width of the header.
    limit = getattr(settings, "INGEST_MAX_COLUMNS", 500)
    if len(header) > limit:
        raise FileRejected(f"The header has {len(header):,} columns; at most {limit:,} are accepted. "
                           "Check this is the right file (download the template).", row=1)
    return header, rows


def batches(rows: Iterator[tuple[int, list | None]], size: int) -> Iterator[list[tuple[int, list]]]:
    """The non-blank rows among each next ``size`` rows read; a batch may be empty (all blank)."""
    while chunk := list(itertools.islice(rows, size)):
        yield [row for row in chunk if row[1] is not None]


def _open_csv(fileobj: IO[bytes]):
    # Incremental decoder: a bad byte is found where it is, without reading the file twice.
    text = io.TextIOWrapper(raw_file(fileobj), encoding="utf-8-sig", errors="strict", newline="")

    def rejected(exc, row):
        if isinstance(exc, UnicodeDecodeError):
            bad = exc.object[exc.start:exc.start + 1].hex()
            return FileRejected(
                f"The file is not UTF-8 text (byte 0x{bad} near row {row}). "
                "Save it as 'CSV UTF-8' and upload it again.", row=row,
            )
        if "field larger than field limit" in str(exc):
            return FileRejected(f"Field too long near row {row}: a value is over {MAX_FIELD_CHARS:,} characters.",
                                row=row)
        return FileRejected(f"Unreadable CSV near row {row}: {exc}.", row=row)

    try:
        first = text.readline(MAX_HEADER_CHARS + 1)
        if not first:
            raise StopIteration  # nothing after the byte-order mark
        if len(first) > MAX_HEADER_CHARS:
            raise FileRejected(f"The header line is over {MAX_HEADER_CHARS:,} characters long: "
                               "this is not a header (download the template).", row=1)
        # The rest of the file continues the same reader (a quoted header may span lines).
        reader = csv.reader(itertools.chain([first], text))
        header = next(reader)
    except StopIteration:
        raise FileRejected("The file is empty.") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise rejected(exc, 2) from None

    def rows():
        row = 1
        try:
            # One loop over the reader (not a call per row): this runs for every line of the file.
            for values in reader:
                row += 1
                joined = "".join(values)
                # The sniffed head only covers the first 8 KB; a NUL is never text a partner meant.
                if "\x00" in joined:
                    raise FileRejected(f"The file has a NUL byte (0x00) on row {row}: this is not CSV text. "
                                       "Save it as 'CSV UTF-8' and upload it again.", row=row)
                if joined.strip():
                    yield row, values
                else:
                    yield row, None  # a blank line (or a line of bare commas)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise rejected(exc, row + 1) from None

    return [h.strip() for h in header], rows()


def raw_file(fileobj):
    """The io object under Django's File wrappers: the text layer asks it `closed` on every
    line, and a FieldFile answers through two Python properties (a tenth of the read time)."""
    while not isinstance(fileobj, io.IOBase):
        inner = getattr(fileobj, "file", None)
        if inner is None or inner is fileobj:
            break
        fileobj = inner
    return fileobj


def _open_xlsx(fileobj: IO[bytes]):
    import defusedxml
    import openpyxl

    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile:
        raise FileRejected("This is a damaged ZIP archive, not a CSV or XLSX file.") from None
    if "xl/workbook.xml" not in archive.namelist():
        raise FileRejected("This is a ZIP archive, not a CSV or XLSX file.")
    _check_archive(archive)
    fileobj.seek(0)
    try:
        # data_only=False: a formula comes back as its text and is refused, never trusted.
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise FileRejected(f"This XLSX workbook cannot be read: {exc}.") from None
    sheet = book.worksheets[0]
    # Read-only mode stops at the rows and columns the sheet's <dimension> claims; a file
    # that under-states them would lose the rest silently. Every row and cell is read.
    sheet.reset_dimensions()
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None:
        raise FileRejected("The file is empty.")

    def rows():
        number = 1
        try:
            for number, values in enumerate(cells, start=2):
                values = [_xlsx_value(v) for v in values]
                yield number, values if any(v != "" for v in values) else None
        # What zipfile, the XML parser and openpyxl's cell conversions raise for a broken sheet
        # (a bad CRC, malformed XML, a shared-string index that does not exist...).
        except (zipfile.BadZipFile, zlib.error, EOFError, ParseError, defusedxml.DefusedXmlException,
                ValueError, IndexError) as exc:
            raise FileRejected(f"This XLSX sheet cannot be read after row {number}: {exc}.", row=number + 1) from None
        book.close()

    return [str(h).strip() if h is not None else "" for h in header], rows()


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that would unzip to far more than it weighs, or that holds a DTD.

    The sizes are those the archive declares: zipfile never returns more bytes than a
    member declares (it stops there, and a mismatched CRC raises BadZipFile).
    """
    upload_max = getattr(settings, "UPLOAD_MAX_BYTES", 50 * MB)
    max_total = getattr(settings, "INGEST_XLSX_MAX_BYTES", min(20 * upload_max, 300 * MB))
    max_ratio = getattr(settings, "INGEST_XLSX_MAX_RATIO", 100)
    max_part = getattr(settings, "INGEST_XLSX_MAX_SHARED_STRINGS_BYTES", 50 * MB)
    again = "Save the sheet as 'CSV UTF-8' and upload that instead."
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise FileRejected(f"This XLSX workbook is not accepted: {info.filename} unzips to {ratio:,.0f} "
                               f"times its zipped size (at most {max_ratio} times). {again}")
        # openpyxl streams the sheets in read-only mode; every other part (above all
        # xl/sharedStrings.xml, every text cell of the workbook) is read whole into memory.
        if not _is_sheet(info.filename) and info.file_size > max_part:
            raise FileRejected(f"This XLSX workbook is not accepted: {info.filename} unzips to "
                               f"{info.file_size:,} bytes, at most {max_part:,} bytes. {again}")
    if total > max_total:
        raise FileRejected(f"This XLSX workbook unzips to {total:,} bytes; at most {max_total:,} bytes are "
                           f"accepted. {again}")
    for info in archive.infolist():
        if _has_doctype(archive, info):
            raise FileRejected(f"This XLSX workbook is not accepted: {info.filename} holds a document type "
                               f"declaration (DTD), which a spreadsheet never needs. {again}")


def _is_sheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.count("/") == 2 and name.endswith(".xml")


class _PrologEnd(Exception):
    """The first element (or a DTD) was reached: nothing more to read."""


def _has_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member declares a DTD. A DTD may only come before the first element,
    so only the prolog is read (however long its comments), not the whole member."""
    found = []

    def doctype(*args):
        found.append(True)
        raise _PrologEnd

    def element(*args):
        raise _PrologEnd

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        with archive.open(info) as member:
            while chunk := member.read(64 * 1024):
                parser.Parse(chunk, False)
    except _PrologEnd:
        pass
    except expat.ExpatError:
        # Not XML (an image, a binary part): no parser honours a DTD in it. If openpyxl
        # reads this part as XML it fails to parse it and the file is rejected then.
        pass
    except (NotImplementedError, RuntimeError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # An unsupported compression method, an encrypted member, a damaged stream.
        raise FileRejected(f"This XLSX workbook cannot be read ({info.filename}: {exc}).") from None
    return bool(found)


def _xlsx_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return Formula(value) if value.startswith("=") else value
    return value  # numbers, dates and booleans keep their type
