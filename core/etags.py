"""ETags for responses that depend only on stored figures (the pages' and API's scores).

The caller names what a response is made of (the scoring run, the upload, what else it reads);
to that the ETag adds today's month (a default window leaves the month still filling up out), the
user and their permissions, their session and CSRF cookie (a page carries a CSRF token), the path
and the query parameters. A browser sending it back in If-None-Match gets 304 and keeps its copy.
The responses are private (never stored by a shared cache), vary on Cookie and are revalidated on
every use (no-cache), so one user's copy is never served to another and a new run shows at once.
"""
import hashlib

from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag


def response_etag(request, *parts) -> str:
    """The ETag of ``request``'s response, built from ``parts`` (what the response is made of) and the user's scope."""
    user = request.user
    session = getattr(request, "session", None)
    # The session key changes at every login, as does the CSRF secret whose tokens a page carries.
    scope = [timezone.localdate().replace(day=1), user.pk, sorted(user.get_all_permissions()),
             session and session.session_key, request.path, sorted(request.GET.lists())]
    return quote_etag(hashlib.sha256(repr([*parts, *scope]).encode()).hexdigest()[:32])


def not_modified(request, etag: str):
    """The 304 response when the browser's copy is current (If-None-Match), else None."""
    response = get_conditional_response(request, etag=etag)
    return None if response is None else with_etag(response, etag)


def with_etag(response, etag: str):
    """Mark a response with its ETag, for the user who asked only, to be revalidated on every use."""
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response
