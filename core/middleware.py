import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat

from core.audit import audit_record, current_request
from core.models import AuditEvent

SESSION_LOGIN_AT = "login_at"  # seconds since the epoch
SESSION_RENEWED_AT = "renewed_at"
RENEW_EVERY_SECONDS = 60


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


class SessionMaxAgeMiddleware:
    """Logs a user out SESSION_MAX_SECONDS after login, however active. The login time is stored in
    the session at login (core.signals); a session without one (made before this rule) gets it now.

    Also keeps the idle limit (SESSION_COOKIE_AGE) running from the latest request: the session is
    saved, which moves its expiry, on a request more than a minute after the last save. That is
    what SESSION_SAVE_EVERY_REQUEST does, without a database write on every request (the upload
    status page polls every 2 s); a session may so end up to a minute early."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT)
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = time.time()
            elif time.time() - login_at > settings.SESSION_MAX_SECONDS:
                request.logout_reason = "session_max_age"
                logout(request)
                return self.get_response(request)
            if time.time() - request.session.get(SESSION_RENEWED_AT, 0) > RENEW_EVERY_SECONDS:
                request.session[SESSION_RENEWED_AT] = time.time()
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """First of all middleware: answers 413 to a request whose declared body (Content-Length) is
    over UPLOAD_MAX_BYTES plus 64 KB of multipart envelope, for any URL, before anything (the CSRF
    check, a view) reads it. A slow client sending a body within the limit is the reverse proxy's
    to cut off (README "Security")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body then
        limit = settings.UPLOAD_MAX_BYTES + 64 * 1024
        if declared > limit:
            return HttpResponse(
                "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Request too large</title>"
                f"</head><body><h1>Request too large</h1><p>The request is over the limit of {filesizeformat(limit)} "
                f"({limit} bytes). Split the file into smaller files (for example one per month) and upload each.</p>"
                "</body></html>",
                status=413,
            )
        return self.get_response(request)


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
