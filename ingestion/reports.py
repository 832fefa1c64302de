"""What the pages show about an upload: its status, its error report, the templates."""
from core.exports import csv_text
from ingestion.schemas import SCHEMAS


def status_payload(upload) -> dict:
    return {
        "id": upload.pk, "status": upload.status, "running": upload.is_running,
        "rows_total": upload.rows_total, "rows_validated": upload.rows_validated,
        "rows_applied": upload.rows_applied, "rows_unchanged": upload.rows_unchanged,
        "rows_unlocated": upload.rows_unlocated, "rows_skipped": upload.rows_skipped,
        "error_count": upload.error_count,
    }


ERROR_REPORT_HEADER = ["row", "column", "message"]


def error_report_rows(upload):
    """The rows of an upload's error report (written through core.exports, which makes every cell safe)."""
    for error in upload.errors:
        yield ["" if error.get(k) is None else str(error.get(k)) for k in ERROR_REPORT_HEADER]
    if upload.error_count > len(upload.errors):
        yield ["", "", f"... and {upload.error_count - len(upload.errors):,} more errors (only the first "
                       f"{len(upload.errors)} are kept): fix these and upload again"]


def template_csv(kind: str) -> str:
    return csv_text(None, SCHEMAS[kind]().template_rows(), safe=False)  # the portal's own text
