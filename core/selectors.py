"""Reads of the core layer: a user's organisation and the audit trail."""
from core.models import AuditEvent, Organisation
from core.permissions import require_governance


def organisation_of(*, user) -> Organisation | None:
    """The partner organisation a user belongs to (through its group), or None."""
    if not user.is_authenticated:
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.PARTNER, group__user=user).first()


def audit_events(*, user, username: str = "", action: str = "", since=None, until=None):
    """The audit trail, newest first, for a governance lead."""
    require_governance(user)
    events = AuditEvent.objects.all()
    if username:
        events = events.filter(username__iexact=username)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
