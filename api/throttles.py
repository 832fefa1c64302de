"""Throttling of the costly endpoints (uploads, record searches), each refusal audited: a client
hammering the records is worth a governance lead's attention as much as one that reads them."""
from rest_framework.throttling import ScopedRateThrottle

from core.audit import audit_record
from core.models import AuditEvent


class AuditedScopedRateThrottle(ScopedRateThrottle):
    """DRF's per-user, per-scope rate (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]); a 429 is audited."""

    methods: frozenset[str] | None = None  # the methods counted; None: all of them

    def allow_request(self, request, view) -> bool:
        if self.methods is not None and request.method not in self.methods:
            return True
        if super().allow_request(request, view):
            return True
        user = request.user
        audit_record(user=user, action=AuditEvent.Action.DENIED, object_type="api_throttle", object_id=self.scope,
                     request=request._request,
                     detail={"denied": True, "status": 429, "method": request.method, "path": request.path,
                             "rate": self.rate})
        return False


class UploadThrottle(AuditedScopedRateThrottle):
    """Only sending a file counts: reading uploads and their status (polling) is not throttled."""

    methods = frozenset({"POST"})
