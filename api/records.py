"""JSON API of the raw records of an area: the area page's records list (pages.selectors.records) with its
filters, scoped as on the page (analysts: every area; anyone else: the sectors granted to them), and
audited as the page's read of them is. Records only: the nominal-months of the page's list are not here."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes, throttle_classes, throttle_scope
from rest_framework.response import Response

from api.pagination import Pagination
from api.permissions import MayReadSomeRecords
from api.throttles import AuditedScopedRateThrottle
from core.audit import audit_record
from core.models import AuditEvent
from pages.exports import RECORD_COLUMNS
from pages.forms import RankingForm, RecordFilterForm
from pages.selectors.area import area_window
from pages.selectors.overview import measures_available
from pages.selectors.records import area_records, with_weight
from records.permissions import can_view_records
from scoring.models import CssEdition
from scoring.permissions import access_area
from scoring.selectors.ranking import WINDOWS
from sectors.models import Area, Level

COLUMNS = RECORD_COLUMNS  # (name in the response, field of the query): the records export's columns
TEXT, NUMBER, FLAG = serializers.CharField, serializers.FloatField, serializers.BooleanField
RECORD_FIELDS = {
    "id": serializers.IntegerField(), "kind": TEXT(), "source": TEXT(), "external_ref": TEXT(),
    "occurred_on": serializers.DateField(allow_null=True), "month": serializers.DateField(),
    "lat": NUMBER(allow_null=True), "lon": NUMBER(allow_null=True), "command": TEXT(allow_null=True),
    "sector": TEXT(allow_null=True), "area": TEXT(allow_null=True), "offence_code": TEXT(allow_null=True),
    "offence": TEXT(allow_null=True), "weight_is_approximation": FLAG(allow_null=True),
    "css_weight": NUMBER(help_text="The offence's weight in the edition in force (0 for other records)"),
    "harm": NUMBER(help_text="The record's weight under the selection (0 for a record it does not count)"),
    "drug_supply": FLAG(), "cannabis_farm": FLAG(), "firearms_discharge": FLAG(),
    "upload": serializers.IntegerField(allow_null=True), "synthetic": FLAG(),
}

PARAMETERS = [
    OpenApiParameter("area", int, description="The area (default: the force)"),
    OpenApiParameter("end", str, description="Last month of the window, YYYY-MM (default: the latest scored)"),
    OpenApiParameter("months", int, description="Months in the window (default 12)", enum=list(WINDOWS)),
    OpenApiParameter("measure", str, many=True, description="A measure code, repeated (default: the active ones)"),
    OpenApiParameter("counted_by", str, description="soc (each item counted once, the default), a measure code, "
                                                     "or all (every record located there)"),
    OpenApiParameter("kind", str, description="A record kind"),
    OpenApiParameter("flag", str, description="drug_supply, cannabis_farm or firearms_discharge"),
    OpenApiParameter("group", int, description="Records linked to a group's members"),
    OpenApiParameter("nominal", int, description="Records linked to a nominal"),
    OpenApiParameter("month", str, description="One month, YYYY-MM"),
    OpenApiParameter("offence", str, description="An offence code"),
    OpenApiParameter("limit", int, description=f"Records per response (default {Pagination.default_limit}, "
                                               f"at most {Pagination.max_limit})"),
    OpenApiParameter("offset", int, description="The first record to return (0-based)"),
]


def _area(request) -> Area:
    area_id = request.query_params.get("area")
    if area_id is None:
        force = Area.objects.filter(level=Level.FORCE).order_by("id").values_list("id", flat=True).first()
        if force is None:
            raise Http404("No force")
        area_id = force
    area = access_area(request.user, area_id)
    if not can_view_records(request.user, area):
        raise Http404("No such area")
    return area


def _valid(form) -> None:
    if not form.is_valid():
        raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})


@extend_schema(
    parameters=PARAMETERS,
    responses=inline_serializer("RecordPage", fields={
        "area_id": serializers.IntegerField(), "start": serializers.DateField(allow_null=True),
        "end": serializers.DateField(allow_null=True, help_text="null before any score exists"),
        "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": inline_serializer("Record", fields=RECORD_FIELDS, many=True),
    }),
    description="The records of an area in a window, newest first, as the area page lists them, with the same "
                "filters. Who may not read the area's records gets 404. Every response is audited as a read "
                "of records. Throttled (scope `records`): too many in a while is 429.",
)
@api_view(["GET"])
@permission_classes([MayReadSomeRecords])
@throttle_classes([AuditedScopedRateThrottle])
@throttle_scope("records")
def records(request):
    area = _area(request)
    measures = measures_available(user=request.user)
    window_form = RankingForm(request.query_params, measures=measures)
    filters_form = RecordFilterForm(request.query_params, measures=measures, user=request.user)
    _valid(window_form), _valid(filters_form)
    window = area_window(**window_form.window())
    if window is None:  # no scores yet: no window, so no records in it
        return Response({"area_id": area.pk, "start": None, "end": None, "count": 0, "next": None,
                         "previous": None, "results": []})
    codes = window_form.ranking_kwargs()["measure_codes"]
    selected = [m for m in measures if m.code in codes] if codes else [m for m in measures if m.is_active]
    edition = CssEdition.objects.filter(is_active=True).first()
    filters = filters_form.filters()
    qs = with_weight(area_records(user=request.user, area=area, start=window[0], end=window[1], filters=filters,
                                  measures=selected, edition=edition), edition)
    rows = qs.order_by("-occurred_on", "-id").values_list(*[field for _, field in COLUMNS])
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="area_records", object_id=area.pk,
                 request=request._request,
                 detail={"api": True, "params": dict(request.query_params.lists()),
                         "filters": {k: str(v) for k, v in filters.items()}, "records": len(page),
                         "offset": paginator.offset, "count": paginator.count})
    names = [name for name, _ in COLUMNS]
    return Response({"area_id": area.pk, "start": window[0], "end": window[1],
                     **paginator.get_paginated_response([dict(zip(names, row)) for row in page]).data})
