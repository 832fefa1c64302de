"""Receiving an upload and handing it to a worker (an outbox: never lost if the broker is down)."""
import hashlib
import logging
import os
import re
from datetime import timedelta

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent, Organisation
from ingestion.models import Upload, UploadKind
from ingestion.permissions import upload_view_grant
from sectors.selectors import ForceNotGiven, upload_force

logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class UploadTooLarge(ValueError):
    def __init__(self, size: int):
        self.size = size
        super().__init__(f"The file is {size:,} bytes; the limit is {settings.UPLOAD_MAX_BYTES:,} bytes.")


class UploadRefused(ValueError):
    """The organisation may not send this kind (or the kind does not exist)."""


class UploadForceRefused(UploadRefused):
    """The upload names no force where the deployment holds several, or names an area that is not one."""


def may_upload(*, organisation: Organisation, kind: str) -> bool:
    kinds = organisation.upload_kinds or []
    return kind in UploadKind.values and ("*" in kinds or kind in kinds)


def display_name(original_name: str) -> str:
    """The client's file name, safe to show: no directories, no control characters."""
    name = os.path.basename(str(original_name).replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    return name[:200] or "upload"


def _measure(fileobj) -> tuple[str, int]:
    """SHA-256 and size, streaming; stops as soon as the size limit is passed."""
    digest, size = hashlib.sha256(), 0
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        size += len(chunk)
        if size > settings.UPLOAD_MAX_BYTES:
            raise UploadTooLarge(size)
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def _declared_size(fileobj) -> int | None:
    size = getattr(fileobj, "size", None)
    if size is None:
        try:
            size = os.fstat(fileobj.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            return None
    return size


def upload_create(*, organisation: Organisation, kind: str, fileobj, original_name: str, user,
                  options: dict | None = None, force_id: int | None = None, dispatch: bool = True) -> Upload:
    """Keep the file, record who sent it and for which force, and queue it for processing once committed.

    ``force_id`` is the force root the rows belong to: required when the deployment holds several,
    the only one otherwise (sectors.selectors.upload_force). The organisation does not decide it: a
    partner may serve several forces, and names the one each file is for.

    The same file sent again by the same organisation for the same kind returns
    the earlier upload (no new row) while that upload is in progress or applied;
    after a rejection or a failure the same bytes make a new upload (the missing
    references may exist now). ``dispatch=False`` leaves the queuing to the caller
    (the ``ingest`` command processes synchronously).
    """
    declared = _declared_size(fileobj)
    if declared is not None and declared > settings.UPLOAD_MAX_BYTES:
        raise UploadTooLarge(declared)
    if not may_upload(organisation=organisation, kind=kind):
        raise UploadRefused(f"{organisation} may not upload {kind!r} files.")
    try:
        force_id = upload_force(force_id=force_id)
    except ForceNotGiven as exc:
        raise UploadForceRefused(str(exc)) from None
    sha256, size = _measure(fileobj)
    earlier = _live_upload(organisation=organisation, kind=kind, sha256=sha256)
    if earlier is not None:
        return earlier

    upload = Upload(
        kind=kind, organisation=organisation, force_id=force_id,
        uploaded_by=user if user and user.is_authenticated else None,
        original_name=display_name(original_name), sha256=sha256, size=size, options=options or {},
        created_at=timezone.now(),
    )
    # The stored name is generated (upload_path); the client's name never reaches the disk.
    upload.file.save("original", File(fileobj), save=False)
    try:
        with transaction.atomic():
            upload.save()
            upload_view_grant(upload=upload, granted_by=user)
            audit_record(
                user=user, username=None if user and user.is_authenticated else "(command line)",
                action=AuditEvent.Action.UPLOAD, object_type="upload", object_id=upload.pk,
                detail={"kind": kind, "organisation": organisation.code, "force": force_id,
                        "name": upload.original_name, "size": size, "sha256": sha256},
            )
            if dispatch:
                transaction.on_commit(lambda: upload_dispatch(upload_id=upload.pk))
    except IntegrityError:
        # The same file arrived twice at once: the other request's upload wins.
        upload.file.delete(save=False)
        live = _live_upload(organisation=organisation, kind=kind, sha256=sha256)
        if live is None:
            raise
        return live
    return upload


def _live_upload(*, organisation: Organisation, kind: str, sha256: str) -> Upload | None:
    """The upload holding this file (at most one: the upload_unique_live_file constraint)."""
    return Upload.objects.filter(organisation=organisation, kind=kind, sha256=sha256, status__in=Upload.LIVE).first()


class ReprocessRefused(ValueError):
    """The upload cannot be processed again (not rejected or failed, or its file is in another upload)."""


def upload_reprocess(*, upload_id: int, user) -> Upload:
    """Put a rejected or failed upload back to received and hand it to a worker again.

    For a file whose rows were right but whose references were missing (a crime
    naming a nominal not uploaded yet), or a run that failed for a reason that is
    not the file's. The caller has checked the user may see the upload and send
    its kind. Dispatched through the outbox, like a new upload.
    """
    try:
        with transaction.atomic():
            upload = Upload.objects.select_for_update().get(pk=upload_id)
            if not upload.can_process_again:
                raise ReprocessRefused(f"Only a rejected or failed upload can be processed again; this one is "
                                       f"{upload.status}.")
            live = _live_upload(organisation=upload.organisation, kind=upload.kind, sha256=upload.sha256)
            if live is not None:
                raise ReprocessRefused(f"The same file was sent again since: see upload {live.pk}.")
            previous = upload.status
            Upload.objects.filter(pk=upload.pk).update(
                status=Upload.Status.RECEIVED, dispatched_at=None, claim_token=None, heartbeat_at=None,
                started_at=None, finished_at=None, rows_total=0, rows_validated=0, rows_applied=0,
                rows_unchanged=0, rows_unlocated=0, rows_skipped=0, error_count=0, errors=[], failure="",
            )
            audit_record(
                user=user, action=AuditEvent.Action.UPLOAD, object_type="upload", object_id=upload.pk,
                detail={"what": "process again", "previous_status": previous, "kind": upload.kind,
                        "organisation": upload.organisation.code, "sha256": upload.sha256},
            )
            transaction.on_commit(lambda: upload_dispatch(upload_id=upload.pk))
    except IntegrityError:
        # The same file was sent again at this very moment: that upload holds it.
        raise ReprocessRefused("The same file was sent again meanwhile.") from None
    upload.refresh_from_db()
    return upload


def upload_dispatch(*, upload_id: int) -> bool:
    """Hand the upload to the broker; mark it dispatched only once the broker took it."""
    # The task module imports the services, so the task is looked up when needed.
    from ingestion.tasks import process_upload

    app = process_upload.app
    try:
        # A fresh connection to the current broker URL, one attempt, no publish retries:
        # a request must not hang on a dead broker; the outbox (dispatch_pending) retries.
        with app.connection_for_write(connect_timeout=2) as connection:
            if not app.conf.task_always_eager:
                connection.ensure_connection(max_retries=0)
            process_upload.apply_async(args=[upload_id], connection=connection, retry=False)
    except Exception as exc:  # kombu and redis raise several types for an unreachable broker
        logger.warning("upload %s not dispatched, the outbox will retry: %s", upload_id, exc)
        return False
    Upload.objects.filter(pk=upload_id, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return True


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "INGEST_STALE_SECONDS", 600))


def uploads_dispatch_pending(*, limit: int = 100) -> int:
    """Re-send uploads never handed to the broker, and runs whose worker died (stale heartbeat)."""
    now = timezone.now()
    pending = Upload.objects.filter(
        Q(status=Upload.Status.RECEIVED, dispatched_at__isnull=True)
        | Q(status__in=[Upload.Status.VALIDATING, Upload.Status.APPLYING], heartbeat_at__lt=now - stale_after())
    ).order_by("created_at").values_list("id", flat=True)[:limit]
    return sum(upload_dispatch(upload_id=pk) for pk in list(pending))
