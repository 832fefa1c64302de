"""All writes of the ingestion app (see docs/ingestion.md)."""
from ingestion.services.processing import upload_process
from ingestion.services.uploads import (
    UploadRefused,
    UploadTooLarge,
    may_upload,
    upload_create,
    upload_dispatch,
    uploads_dispatch_pending,
)

__all__ = [
    "UploadRefused", "UploadTooLarge", "may_upload", "upload_create", "upload_dispatch", "upload_process",
    "uploads_dispatch_pending",
]
