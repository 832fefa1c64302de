"""What the pages show about an upload: its status, its error report, the templates."""
import csv
import io

from ingestion.schemas import SCHEMAS

# Spreadsheet programs run cells starting with these as formulas: neutralise them on the way out.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def status_payload(upload) -> dict:
    return {
        "id": upload.pk, "status": upload.status, "running": upload.is_running,
        "rows_total": upload.rows_total, "rows_validated": upload.rows_validated,
        "rows_applied": upload.rows_applied, "rows_unchanged": upload.rows_unchanged,
        "rows_unlocated": upload.rows_unlocated, "rows_skipped": upload.rows_skipped,
        "error_count": upload.error_count,
    }


def error_report_rows(upload):
    yield ["row", "column", "message"]
    for error in upload.errors:
        yield [safe_cell(error.get("row")), safe_cell(error.get("column")), safe_cell(error.get("message"))]
    if upload.error_count > len(upload.errors):
        yield ["", "", f"... and {upload.error_count - len(upload.errors):,} more errors (only the first "
                       f"{len(upload.errors)} are kept): fix these and upload again"]


def template_csv(kind: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(SCHEMAS[kind]().template_rows())
    return out.getvalue()
