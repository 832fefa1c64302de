"""The audit trail for governance leads: filter, page, export (the export is itself audited)."""
import json

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from core.audit import audit_record
from core.exports import csv_response
from core.models import AuditEvent
from core.permissions import require_governance
from core.selectors import audit_events
from pages.http import get_only

EXPORT_HEADER = ["at", "username", "action", "object_type", "object_id", "ip", "detail"]


class AuditFilter(forms.Form):
    username = forms.CharField(required=False)
    action = forms.ChoiceField(required=False, choices=[("", "any")] + list(AuditEvent.Action.choices))
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


def _governance(request, **_) -> None:
    require_governance(request.user)


@get_only(_governance)
def audit_trail(request):
    form = AuditFilter(request.GET or None)
    filters = form.filters()
    events = audit_events(user=request.user, **filters)
    # Reading the trail is itself recorded: who looked at whose activity.
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="audit_trail",
                 detail={"filters": {k: str(v) for k, v in filters.items()}, "page": request.GET.get("page", "1")[:20]},
                 request=request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/audit.html", {"form": form, "page": page, "query": query.urlencode()})


@get_only(_governance)
def audit_export(request):
    filters = AuditFilter(request.GET or None).filters()
    events = audit_events(user=request.user, **filters)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="audit_trail",
                 detail={"filters": {k: str(v) for k, v in filters.items()}}, request=request)
    rows = ([e.at.isoformat(), e.username, e.action, e.object_type, e.object_id, e.ip or "",
             json.dumps(e.detail, sort_keys=True)] for e in events.iterator(chunk_size=2000))
    return csv_response("audit-trail.csv", EXPORT_HEADER, rows)
