"""All writes of the ingestion app (see docs/ingestion.md)."""
from ingestion.services.processing import upload_process
from ingestion.services.uploads import (
    ReprocessRefused,
    UploadForceRefused,
    UploadRefused,
    UploadTooLarge,
    may_upload,
    upload_create,
    upload_dispatch,
    upload_reprocess,
    uploads_dispatch_pending,
)

__all__ = [
    "ReprocessRefused", "UploadForceRefused", "UploadRefused", "UploadTooLarge", "may_upload", "upload_create",
    "upload_dispatch", "upload_process", "upload_reprocess", "uploads_dispatch_pending",
]
