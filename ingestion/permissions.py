"""Who may upload what, and who may see an upload.

Analysts see and send everything (as the force); partner staff send only their
organisation's kinds and see only their organisation's uploads (a guardian
object permission granted on each upload to the organisation's group). Anyone
else gets 404, the same as for an upload that does not exist.
"""
from django.http import Http404
from guardian.shortcuts import assign_perm

from core import roles
from core.audit import audit_record
from core.models import AuditEvent, Organisation
from core.selectors import organisation_of
from ingestion.models import Upload, UploadKind
from ingestion.selectors import uploads_visible

VIEW_UPLOAD = "ingestion.view_upload"


def uploading_organisation(user) -> Organisation | None:
    """The organisation a user uploads as: the force for analysts, their own for partner staff."""
    if not can_use_uploads(user):
        return None
    partner = organisation_of(user=user)
    if partner is not None:
        return partner
    return Organisation.objects.filter(code="force").first() if user.has_perm(roles.ALL_UPLOADS) else None


def upload_kinds_for(organisation: Organisation | None) -> list[str]:
    if organisation is None:
        return []
    kinds = organisation.upload_kinds or []
    return [k for k in UploadKind.values if "*" in kinds or k in kinds]


def can_use_uploads(user) -> bool:
    return user.is_authenticated and user.has_perm(roles.UPLOAD)


def may_process_again(user, upload: Upload) -> bool:
    """Whoever may see the upload (access_upload) and may send its kind may have it processed again."""
    return upload.kind in upload_kinds_for(uploading_organisation(user))


def access_upload(user, upload_id) -> Upload:
    """The upload, or 404 whether it is missing or not this user's to see."""
    try:
        return uploads_visible(user=user).select_related("organisation", "uploaded_by", "force").get(pk=upload_id)
    except (Upload.DoesNotExist, ValueError, TypeError):
        raise Http404("No such upload") from None


def upload_view_grant(*, upload: Upload, granted_by) -> None:
    """Let the uploading partner organisation's staff see the upload (the one place this is granted)."""
    organisation = upload.organisation
    if organisation.kind != Organisation.Kind.PARTNER or not organisation.group_id:
        return  # force uploads are seen by analysts through their role
    assign_perm(VIEW_UPLOAD, organisation.group, upload)
    audit_record(
        user=granted_by, username=None if granted_by and granted_by.is_authenticated else "(system)",
        action=AuditEvent.Action.PERMISSION_CHANGE, object_type="upload", object_id=upload.pk,
        detail={"permission": VIEW_UPLOAD, "group": organisation.group.name},
    )
