import contextvars

from core.models import AuditEvent

# The request being served, so that changes made deep inside Django (group
# membership, object permissions) are attributed to the person who made them.
current_request: contextvars.ContextVar = contextvars.ContextVar("current_request", default=None)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, user, action: str, object_type: str = "", object_id="", detail: dict | None = None,
                 request=None, username: str | None = None) -> AuditEvent:
    """Append one event to the audit trail. The only writer of AuditEvent."""
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=username or (user.get_username() if authenticated else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
        ip=client_ip(request),
    )
