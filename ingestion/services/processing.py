"""Processing one upload: claim it, validate every row, apply all or nothing.

A run holds the upload through a claim token written by a conditional UPDATE,
so two deliveries of the same task cannot both work on it. Progress is written
under that token in its own short autocommit statements (visible to the status
page at once); the apply is one transaction that re-checks the token under a
row lock before committing. A worker killed at any point leaves the upload in
validating/applying with an ageing heartbeat and nothing applied; the redelivered
task (acks_late) or the outbox re-claims it once the heartbeat is stale.
"""
import logging
import traceback
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from ingestion.models import Upload
from ingestion.readers import FileRejected
from ingestion.services.uploads import stale_after
from scoring.services import scores_recompute_request, scores_recompute_request_all

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 500
BATCH_ROWS = 10_000
APPLY_LOCK_CLASS = 7_390_411  # any constant: the first key of the applies' advisory locks (Run.lock)


def batch_rows() -> int:
    """Rows read (blank ones included) between two heartbeats of a validating upload."""
    return getattr(settings, "INGEST_BATCH_ROWS", BATCH_ROWS)


class ClaimLost(Exception):
    """Another run took the upload over (this one was presumed dead)."""


@dataclass
class ErrorLog:
    count: int = 0
    items: list = field(default_factory=list)

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append({"row": row, "column": column, "message": message})


@dataclass
class Run:
    upload: Upload
    token: uuid.UUID
    errors: ErrorLog = field(default_factory=ErrorLog)

    def progress(self, **fields) -> None:
        updated = Upload.objects.filter(pk=self.upload.pk, claim_token=self.token).update(
            heartbeat_at=timezone.now(), **fields
        )
        if not updated:
            raise ClaimLost(self.upload.pk)

    def lock(self, rows_of: str | None = None) -> None:
        """Inside the apply transaction: hold the upload row, and make sure it is still ours.

        With ``rows_of`` (a record source, a register), also wait until no other apply of the same
        rows is in progress (PostgreSQL; SQLite has one writer at a time). Two applies inserting the
        same new references in different orders would each wait for a row the other holds, and one
        would fail on the deadlock; serialised, both apply, the later one last. Validation, the long
        part of a run, still goes on side by side.
        """
        if not Upload.objects.select_for_update().filter(pk=self.upload.pk, claim_token=self.token).exists():
            raise ClaimLost(self.upload.pk)
        if rows_of is not None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two int4 keys: a key space apart from the recompute's single bigint lock.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [APPLY_LOCK_CLASS, rows_of])

    def finish(self, status: str, **fields) -> None:
        self.progress(status=status, finished_at=timezone.now(), error_count=self.errors.count,
                      errors=self.errors.items, **fields)


def _claim(upload_id: int, token: uuid.UUID) -> bool:
    now = timezone.now()
    return bool(
        Upload.objects.filter(pk=upload_id)
        .filter(
            Q(status=Upload.Status.RECEIVED)
            | Q(status__in=[Upload.Status.VALIDATING, Upload.Status.APPLYING], heartbeat_at__lt=now - stale_after())
        )
        .update(
            status=Upload.Status.VALIDATING, claim_token=token, heartbeat_at=now, started_at=now,
            attempts=F("attempts") + 1, rows_validated=0, rows_applied=0, rows_unchanged=0, rows_unlocated=0,
            rows_skipped=0, error_count=0, errors=[], failure="",
        )
    )


def upload_process(*, upload_id: int) -> Upload:
    """Validate and apply one upload. Safe to call twice: a run that cannot claim it does nothing."""
    from ingestion.schemas import SCHEMAS
    from ingestion.services.boundaries import process_boundaries
    from ingestion.services.records import process_records
    from ingestion.services.registers import process_register

    token = uuid.uuid4()
    if not _claim(upload_id, token):
        return Upload.objects.get(pk=upload_id)
    upload = Upload.objects.select_related("organisation", "uploaded_by").get(pk=upload_id)
    run = Run(upload=upload, token=token)
    schema_class = SCHEMAS[upload.kind]
    handler = {"records": process_records, "register": process_register, "boundaries": process_boundaries}[
        schema_class.target
    ]
    affected = None
    try:
        with upload.file.open("rb") as fileobj:
            affected = handler(run, schema_class, fileobj)
        if affected is None:
            run.finish(Upload.Status.REJECTED)
    except FileRejected as exc:
        run.errors.add(exc.row, exc.column, exc.message)
        run.finish(Upload.Status.REJECTED)
    except ClaimLost:
        logger.warning("upload %s: claim lost to another run; this run stops", upload_id)
    except Exception:
        # Not the uploader's fault: kept on the row for the administrators, shown as "failed".
        logger.exception("upload %s failed", upload_id)
        try:
            run.finish(Upload.Status.FAILED, failure=traceback.format_exc()[-4000:])
        except ClaimLost:
            pass
    upload.refresh_from_db()
    if affected and upload.status == Upload.Status.APPLIED:
        _request_recompute(upload, affected)
    return upload


def _request_recompute(upload: Upload, affected: dict) -> None:
    """Ask scoring to recompute what the upload changed: everything, or some areas and months of its force.

    A scope with no areas or no months would select nothing (and is an empty
    ``IN ()`` in SQL): nothing is requested for it. A register (nominals, groups, memberships,
    priority periods) is shared by every force: a nominal's crimes may lie in another force than
    their home, so its full recompute is every force's (one run per force: scores_recompute_request).
    """
    if affected.get("full"):
        scores_recompute_request_all(requested_by=upload.uploaded_by)
        return
    area_ids, months = sorted(affected.get("area_ids") or []), sorted(affected.get("months") or [])
    if area_ids and months:
        scores_recompute_request(force_id=upload.force_id, area_ids=area_ids, months=months,
                                 requested_by=upload.uploaded_by)
