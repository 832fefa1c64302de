"""Login lockout (django-axes): which client a request comes from, and the page a locked-out
client sees. Settings: AXES_* in portal/settings.py; README "Security"."""
from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, each appending the address
    it saw to X-Forwarded-For, the client is that many entries from the right; anything further left
    was sent by the client and is not trusted."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(request, original_response=None, credentials=None):
    """HTTP 429 with the time the login form opens again."""
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    username = get_client_username(request, credentials) or ""
    ip = getattr(request, "axes_ip_address", None)
    last = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=ip)).aggregate(at=Max("attempt_time"))["at"]
    cooloff = settings.AXES_COOLOFF_TIME
    retry_at = timezone.localtime((last or timezone.now()) + cooloff)
    context = {"retry_at": retry_at, "cooloff_minutes": int(cooloff.total_seconds() // 60),
               "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
