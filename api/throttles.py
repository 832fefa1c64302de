"""Throttling of the costly endpoints (uploads, record searches), each refusal audited: a client
hammering the records is worth a governance lead's attention as much as one that reads them."""
from rest_framework.throttling import ScopedRateThrottle

from core.audit import audit_record
from core.models import AuditEvent


class AuditedScopedRateThrottle(ScopedRateThrottle):
    """DRF's per-user, per-scope rate (settings REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]); a 429 is audited."""

    def allow_request(self, request, view) -> bool:
        if super().allow_request(request, view):
            return True
        user = request.user
        audit_record(user=user, action=AuditEvent.Action.DENIED, object_type="api_throttle", object_id=self.scope,
                     request=request._request,
                     detail={"denied": True, "status": 429, "method": request.method, "path": request.path,
                             "rate": self.rate})
        return False
