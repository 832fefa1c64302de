"""Login lockout (django-axes): which client a request comes from, and the page a locked-out
client sees. Settings: AXES_* in portal/settings.py; README "Security"."""
from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone

from core.audit import client_ip  # noqa: F401  (AXES_CLIENT_IP_CALLABLE names it here)


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
