"""Who may see what of an area.

Rankings and maps of every area are open to analysts and officers. Raw records
are open to analysts everywhere, and to an officer only in the sectors (and
the neighbourhoods inside them) they have been granted ``view_area_records`` on.
"""
from django.http import Http404
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from portal import roles
from portal.audit import audit_record
from portal.models import AuditEvent
from sectors.models import Area, Level

VIEW_AREA_RECORDS = "sectors.view_area_records"


def can_see_rankings(user) -> bool:
    return roles.has_role(user, roles.ANALYST, roles.OFFICER) or user.is_superuser


def access_area(user, area_id) -> Area:
    """The area, or 404 for a user who may not see rankings (same as a missing one)."""
    if not can_see_rankings(user):
        raise Http404("No such area")
    try:
        return Area.objects.select_related("parent").get(pk=area_id)
    except (Area.DoesNotExist, ValueError, TypeError):
        raise Http404("No such area") from None


def record_sector_ids(user) -> set[int] | None:
    """The sectors whose raw records this user may read; None means all of them."""
    if roles.has_role(user, roles.ANALYST) or user.is_superuser:
        return None
    if roles.has_role(user, roles.OFFICER):
        granted = get_objects_for_user(user, VIEW_AREA_RECORDS, klass=Area, accept_global_perms=False)
        return set(granted.filter(level=Level.SECTOR).values_list("id", flat=True))
    return set()


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
    """Grant (or revoke) an officer the raw records of one sector. Audited."""
    if area.level != Level.SECTOR:
        raise ValueError("Record access is granted per sector")
    (remove_perm if revoke else assign_perm)(VIEW_AREA_RECORDS, user, area)
    audit_record(
        user=granted_by, action=AuditEvent.Action.PERMISSION_CHANGE, object_type="area", object_id=area.pk,
        detail={"permission": VIEW_AREA_RECORDS, "user": user.get_username(), "revoked": revoke},
    )
