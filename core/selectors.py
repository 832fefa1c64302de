"""Reads of the core layer: a user's organisation and the audit trail."""
from core.models import AuditEvent, Organisation
from core.permissions import require_governance


def organisation_of(*, user) -> Organisation | None:
    """The partner organisation a user belongs to (through its group), or None."""
    if not user.is_authenticated:
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER, group__user=user).first()


def audit_events(*, user, username: str = "", action: str = "", since=None, until=None,
                 object_types: list[str] | None = None, object_id: str = ""):
    """The audit trail, newest first, for a governance lead: what one user did, what was done to
    one object (``object_types`` are the kinds of event about it: an area's page, records, exports)."""
    require_governance(user)
    events = AuditEvent.objects.all()
    if username:
        events = events.filter(username__iexact=username)
    if object_types:
        events = events.filter(object_type__in=object_types)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
