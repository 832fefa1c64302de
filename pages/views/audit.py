"""The audit trail for governance leads: filter (by user, action, date, object), page, export (the
export follows the filters and is itself audited)."""
import json
from itertools import islice

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from core.audit import audit_record
from core.exports import csv_response
from core.models import AuditEvent
from core.permissions import require_governance
from core.selectors import audit_events
from pages.http import get_only
from pages.selectors.audit import OBJECTS, audit_rows

EXPORT_HEADER = ["at", "username", "action", "object_type", "object_id", "object", "ip", "detail"]
PER_PAGE = 50


class AuditFilter(forms.Form):
    username = forms.CharField(required=False, label="User")
    action = forms.ChoiceField(required=False, choices=[("", "any")] + list(AuditEvent.Action.choices))
    object_type = forms.ChoiceField(required=False, label="About",
                                    choices=[("", "anything")] + [(k, label) for k, (label, _) in OBJECTS.items()])
    object_id = forms.CharField(required=False, max_length=64, label="Object id")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


def filtered_events(user, filters: dict):
    kwargs = {k: v for k, v in filters.items() if k != "object_type"}
    key = filters.get("object_type")
    events = audit_events(user=user, object_types=list(OBJECTS[key][1]) if key else None, **kwargs)
    if key == "group":  # not the permission changes of roles, which are Django groups
        events = events.exclude(detail__has_key="change")
    return events


def _governance(request, **_) -> None:
    require_governance(request.user)


@get_only(_governance)
def audit_trail(request):
    form = AuditFilter(request.GET or None)
    filters = form.filters()
    events = filtered_events(request.user, filters)
    # Reading the trail is itself recorded: who looked at whose activity.
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="audit_trail",
                 detail={"filters": {k: str(v) for k, v in filters.items()}, "page": request.GET.get("page", "1")[:20]},
                 request=request)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/audit.html", {"form": form, "page": page, "rows": audit_rows(page.object_list),
                                                 "query": query.urlencode(), "filtered": bool(filters)})


def _export_rows(events):
    chunks = events.iterator(chunk_size=2000)
    while chunk := list(islice(chunks, 2000)):
        for row in audit_rows(chunk):  # the objects of each chunk named in one query per kind
            e = row.event
            yield [e.at.isoformat(), e.username, e.action, e.object_type, e.object_id, row.object_label, e.ip or "",
                   json.dumps(e.detail, sort_keys=True)]


@get_only(_governance)
def audit_export(request):
    filters = AuditFilter(request.GET or None).filters()
    events = filtered_events(request.user, filters)
    audit_record(user=request.user, action=AuditEvent.Action.EXPORT, object_type="audit_trail",
                 detail={"filters": {k: str(v) for k, v in filters.items()}}, request=request)
    return csv_response("audit-trail.csv", EXPORT_HEADER, _export_rows(events))
