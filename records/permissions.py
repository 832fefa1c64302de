"""Who may read raw records, and where.

``records.view_record`` (analysts) opens the records of every area. Anyone else reads them only
in the sectors (and the neighbourhoods inside them) they have been granted ``view_area_records``
on: a django-guardian object permission, granted by ``area_records_grant``.
"""
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from core import roles
from core.audit import audit_record
from core.models import AuditEvent
from core.request_memo import once_per_request
from sectors.models import Area, Level

VIEW_AREA_RECORDS = "sectors.view_area_records"


def record_sector_ids(user) -> set[int] | None:
    """The sectors whose raw records this user may read; None means all of them."""
    if user is None or not user.is_authenticated:
        return set()
    if user.has_perm(roles.ALL_RECORDS):
        return None
    # Read once per request (a page asks for every area it links to); a copy, so a caller may change it.
    return set(once_per_request(f"record_sector_ids:{user.pk}", lambda: set(
        get_objects_for_user(user, VIEW_AREA_RECORDS, klass=Area, accept_global_perms=False)
        .filter(level=Level.SECTOR).values_list("id", flat=True))))


def can_view_records(user, area: Area) -> bool:
    allowed = record_sector_ids(user)
    if allowed is None:
        return True
    if area.level == Level.SECTOR:
        return area.id in allowed
    if area.level == Level.NEIGHBOURHOOD:
        return area.parent_id in allowed
    return False


def area_records_grant(*, user, area: Area, granted_by, revoke: bool = False) -> None:
    """Grant (or revoke) a user the raw records of one sector. Audited."""
    if area.level != Level.SECTOR:
        raise ValueError("Record access is granted per sector")
    (remove_perm if revoke else assign_perm)(VIEW_AREA_RECORDS, user, area)
    audit_record(
        user=granted_by, action=AuditEvent.Action.PERMISSION_CHANGE, object_type="area", object_id=area.pk,
        detail={"permission": VIEW_AREA_RECORDS, "user": user.get_username(), "revoked": revoke},
    )
