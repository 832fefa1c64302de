"""Streaming readers for uploaded files: CSV (UTF-8) and XLSX, told apart by content.

A reader yields ``(row_number, values)`` one row at a time, so memory stays flat
whatever the file size. Row numbers are those a spreadsheet shows: the header is
row 1, the first data row is row 2. Problems with the file as a whole (not text,
not UTF-8, no header...) raise ``FileRejected``; problems with one value are the
schema's business.
"""
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO

# Longest single field we read from a CSV (the csv module's own guard); anything
# near it is not a value a partner meant to send.
MAX_FIELD_CHARS = 100_000
csv.field_size_limit(MAX_FIELD_CHARS)

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


def open_table(fileobj: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header and an iterator over the data rows of a CSV or XLSX file."""
    head = fileobj.read(8192)
    fileobj.seek(0)
    fmt = sniff(head)
    if fmt == "zip":
        return _open_xlsx(fileobj)
    return _open_csv(fileobj)


def _open_csv(fileobj: IO[bytes]):
    # Incremental decoder: a bad byte is found where it is, without reading the file twice.
    text = io.TextIOWrapper(_raw_file(fileobj), encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)

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
                if values and "".join(values).strip():  # skip blank lines (and lines of bare commas)
                    yield row, values
        except (UnicodeDecodeError, csv.Error) as exc:
            raise rejected(exc, row + 1) from None

    return [h.strip() for h in header], rows()


def _raw_file(fileobj):
    """The io object under Django's File wrappers: the text layer asks it `closed` on every
    line, and a FieldFile answers through two Python properties (a tenth of the read time)."""
    while not isinstance(fileobj, io.IOBase):
        inner = getattr(fileobj, "file", None)
        if inner is None or inner is fileobj:
            break
        fileobj = inner
    return fileobj


def _open_xlsx(fileobj: IO[bytes]):
    import openpyxl

    try:
        names = set(zipfile.ZipFile(fileobj).namelist())
    except zipfile.BadZipFile:
        raise FileRejected("This is a damaged ZIP archive, not a CSV or XLSX file.") from None
    fileobj.seek(0)
    if "xl/workbook.xml" not in names:
        raise FileRejected("This is a ZIP archive, not a CSV or XLSX file.")
    try:
        # data_only=False: a formula comes back as its text and is refused, never trusted.
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise FileRejected(f"This XLSX workbook cannot be read: {exc}.") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None:
        raise FileRejected("The file is empty.")

    def rows():
        for number, values in enumerate(cells, start=2):
            values = [_xlsx_value(v) for v in values]
            if any(v != "" for v in values):
                yield number, values
        book.close()

    return [str(h).strip() if h is not None else "" for h in header], rows()


def _xlsx_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return Formula(value) if value.startswith("=") else value
    return value  # numbers, dates and booleans keep their type
