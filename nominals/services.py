"""Writes of the nominals layer that are not uploads (those are applied by ingestion)."""
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import audit_record
from core.models import AuditEvent
from nominals.models import Nominal
from nominals.permissions import VIEW_RESTRICTED


def nominal_access_grant(*, user, nominal: Nominal, granted_by, revoke: bool = False) -> None:
    """Grant (or revoke) one user sight of one restricted nominal. Audited."""
    (remove_perm if revoke else assign_perm)("view_restricted_nominal", user, nominal)
    audit_record(
        user=granted_by, action=AuditEvent.Action.PERMISSION_CHANGE, object_type="nominal", object_id=nominal.pk,
        detail={"permission": VIEW_RESTRICTED, "user": user.get_username(), "revoked": revoke},
    )
