"""JSON API of one area's monthly SOC harm: the series of the area page's chart, a page of months at a time."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from api.pagination import Pagination
from scoring.permissions import access_area
from scoring.selectors.drilldown import area_measure_series, area_series
from scoring.selectors.ranking import visible_measures


class SeriesQuery(serializers.Serializer):
    measures = serializers.CharField(required=False, help_text="Comma-separated measure codes; default: active")
    by_measure = serializers.BooleanField(default=False, help_text="Add each measure's harm and count per month")


MONTH_FIELDS = {
    "month": serializers.DateField(), "harm": serializers.FloatField(help_text="SOC harm: each item counted once"),
    "items": serializers.IntegerField(help_text="Distinct items: records, and nominals once a month"),
}


@extend_schema(
    parameters=[SeriesQuery,
                OpenApiParameter("limit", int, description=f"Months per response (default {Pagination.default_limit}, "
                                                           f"at most {Pagination.max_limit})"),
                OpenApiParameter("offset", int, description="The first month to return (0-based)")],
    responses=inline_serializer("AreaSeries", fields={
        "area_id": serializers.IntegerField(), "area_code": serializers.CharField(),
        "area_name": serializers.CharField(), "measures": serializers.ListField(child=serializers.CharField()),
        "count": serializers.IntegerField(help_text="Months in the whole series"),
        "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
        "results": inline_serializer("AreaSeriesMonth", many=True, fields={
            **MONTH_FIELDS,
            "by_measure": serializers.DictField(
                child=inline_serializer("MeasureMonth", fields={"harm": serializers.FloatField(),
                                                                "count": serializers.IntegerField()}),
                required=False, help_text="With by_measure: each measure's harm and count. Measures overlap: "
                                          "their harms may add up to more than the month's harm"),
        }),
    }),
    description="The area's SOC harm in every month with stored scores anywhere (zeros included), oldest "
                "first, as on the area page's chart. Users who may not see rankings get 404.",
)
@api_view(["GET"])
def series(request, area_id: int):
    area = access_area(request.user, area_id)
    query = SeriesQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    codes = [c for c in query.validated_data.get("measures", "").split(",") if c] or None
    measures = visible_measures(codes)
    months = [{"month": month, "harm": harm, "items": items}
              for month, harm, items in area_series(user=request.user, area_id=area.pk, area=area,
                                                    measures=measures)]
    if query.validated_data["by_measure"]:
        for measure, cells in area_measure_series(user=request.user, area_id=area.pk, measure_codes=codes):
            for row, (_, harm, count) in zip(months, cells, strict=True):
                row.setdefault("by_measure", {})[measure.code] = {"harm": harm, "count": count}
    paginator = Pagination()
    page = paginator.paginate_queryset(months, request)
    return Response({"area_id": area.pk, "area_code": area.code, "area_name": area.name,
                     "measures": [m.code for m in measures], **paginator.get_paginated_response(page).data})
