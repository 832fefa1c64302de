from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.audit import audit_record
from core.models import AuditEvent
from portal.selectors import LATEST_EVENTS, home_summary


@require_GET  # the same page for everyone: a wrong method gives nothing away
def home(request):
    summary = home_summary(user=request.user)
    if "audit" in summary:  # the latest events of the trail are a reading of it, recorded as any other
        audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="audit_trail",
                     detail={"on": "home page", "latest": LATEST_EVENTS}, request=request)
    return render(request, "portal/home.html", {"summary": summary})


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
