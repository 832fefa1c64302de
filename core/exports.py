"""The one place files are written for users: CSV streamed, XLSX in openpyxl's write-only mode.

Every cell goes through ``safe_cell``, so a value a spreadsheet would run as a formula stays text.
Callers audit the export before returning the response; these helpers only format.
"""
import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

# A cell starting with one of these is a formula to a spreadsheet: prefix it so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, or the text with a leading quote when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str] | None, rows: Iterable[Iterable], *, safe: bool = True) -> Iterator[str]:
    """CSV text, one line at a time, every cell made safe (the header too).

    ``safe=False`` only for the portal's own text (upload templates, whose examples include
    negative longitudes): never for anything a user or a partner file supplied.
    """
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    clean = safe_cell if safe else (lambda v: v)
    if header is not None:
        yield writer.writerow([clean(v) for v in header])
    for row in rows:
        yield writer.writerow([clean(v) for v in row])


def csv_text(header: list[str] | None, rows: Iterable[Iterable], *, safe: bool = True) -> str:
    return "".join(csv_lines(header, rows, safe=safe))


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    def lines():
        yield from csv_lines(header, rows)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, sheets: list[tuple[str, list[str], Iterable[Iterable]]]) -> HttpResponse:
    """One worksheet per (title, header, rows); written row by row, never held as cells."""
    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


