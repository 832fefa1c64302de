import csv
import json

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.selectors import audit_events, home_summary


@login_required
def home(request):
    return render(request, "portal/home.html", {"summary": home_summary(user=request.user)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class AuditFilter(forms.Form):
    username = forms.CharField(required=False)
    action = forms.ChoiceField(required=False, choices=[("", "any")] + list(AuditEvent.Action.choices))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


@login_required
def audit_trail(request):
    form = AuditFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(user=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def audit_export(request):
    form = AuditFilter(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_events(user=request.user, **{k: v for k, v in filters.items() if v})
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="audit_trail",
                 detail={"filters": {k: str(v) for k, v in filters.items() if v}}, request=request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "username", "action", "object_type", "object_id", "ip", "detail"])
    for e in events.iterator():
        writer.writerow([e.at.isoformat(), e.username, e.action, e.object_type, e.object_id, e.ip or "",
                         json.dumps(e.detail, sort_keys=True)])
    return response
