from core.audit import audit_record, current_request
from core.models import AuditEvent


class CurrentRequestMiddleware:
    """Keeps the request being served, so changes made deep inside Django (group membership,
    object permissions) are attributed in the audit trail to the person who made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class DenialAuditMiddleware:
    """Records a logged-in user's request that one of the portal's views answered with 404.

    A page a user may not see is a 404, never a 403 (each ``access_<thing>`` raises Http404), so a
    404 from a view is how a refusal looks; a missing object looks the same and is worth knowing too.
    Paths no view handles (a mistyped URL, a missing static file) have no ``resolver_match`` and are
    not recorded. Placed after AuthenticationMiddleware: it reads ``request.user``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is not None and request.user.is_authenticated:
            audit_record(user=request.user, action=AuditEvent.Action.DENIED, object_type="page",
                         object_id=request.resolver_match.view_name[:64],
                         detail={"denied": True, "status": 404, "method": request.method, "path": request.path},
                         request=request)
        return response
