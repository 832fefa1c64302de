"""JSON API of the geography: the areas of each level, with their boundaries on request, and as GeoJSON with\ntheir scores for a window (the shared ranking, api.rankings)."""
from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.generics import ListAPIView

from api.pagination import PAGE_PARAMETERS
from api.rankings import RankingQuery, ranking_response, row_fields
from sectors.models import Area, Level


class AreaSerializer(serializers.ModelSerializer):
    level_name = serializers.CharField(source="get_level_display")

    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "level_name", "parent_id", "min_lon", "min_lat", "max_lon",
                  "max_lat"]


class AreaWithBoundarySerializer(AreaSerializer):
    class Meta(AreaSerializer.Meta):
        fields = AreaSerializer.Meta.fields + ["boundary"]


@extend_schema(
    parameters=[
        OpenApiParameter("level", int, description="0 force, 1 area command, 2 sector, 3 neighbourhood"),
        OpenApiParameter("boundary", bool, description="Include the GeoJSON boundary (WGS84)"),
    ],
)
class AreaList(ListAPIView):
    """The areas of one level by code, a page at a time: `limit` (default 100, at most 1,000) from `offset`."""

    def with_boundary(self) -> bool:
        return self.request.query_params.get("boundary") in ("1", "true")

    def get_queryset(self):
        level = self.request.query_params.get("level", str(Level.SECTOR))
        if level not in {str(v) for v in Level.values}:
            raise serializers.ValidationError({"level": [f"one of {Level.values}"]})
        rows = Area.objects.filter(level=int(level)).order_by("code")
        return rows if self.with_boundary() else rows.defer("boundary")

    def get_serializer_class(self):
        # The schema is generated without a request: it documents the fuller shape.
        if getattr(self, "swagger_fake_view", False) or self.with_boundary():
            return AreaWithBoundarySerializer
        return AreaSerializer


areas = AreaList.as_view()


FEATURE_PROPERTIES = {
    "area_id": serializers.IntegerField(), "code": serializers.CharField(), "name": serializers.CharField(),
    **row_fields("rank", "previous_rank", "rank_change", "harm", "previous_harm", "harm_change", "z", "significant",
                 "count", "previous_count", "count_p", "count_significant", "dominant", "contributions", "counts",
                 "harm_by_type"),
}
PROPERTY_NAMES = set(FEATURE_PROPERTIES)
FEATURES = inline_serializer("AreaFeatureCollection", fields={
    "type": serializers.ChoiceField(choices=["FeatureCollection"]),
    "level": serializers.IntegerField(), "start": serializers.DateField(allow_null=True),
    "end": serializers.DateField(allow_null=True), "edition": serializers.CharField(allow_null=True),
    "measures": serializers.ListField(child=serializers.CharField()),
    "count": serializers.IntegerField(help_text="Areas in the whole ranking"),
    "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
    "features": inline_serializer("AreaFeature", many=True, fields={
        "type": serializers.ChoiceField(choices=["Feature"]), "id": serializers.IntegerField(),
        "geometry": serializers.JSONField(allow_null=True, help_text="The boundary, a GeoJSON geometry (WGS84)"),
        "properties": inline_serializer("AreaFeatureProperties", fields=dict(FEATURE_PROPERTIES)),
    }),
})


def _feature(row, boundary) -> dict:
    properties = {"code": row.area_code, "name": row.area_name,
                  **{k: v for k, v in asdict(row).items() if k in PROPERTY_NAMES}}
    return {"type": "Feature", "id": row.area_id, "geometry": boundary, "properties": properties}


def _feature_collection(result, paginator, rows) -> dict:
    boundaries = dict(Area.objects.filter(pk__in=[r.area_id for r in rows]).values_list("pk", "boundary"))
    page = paginator.get_paginated_response([_feature(r, boundaries.get(r.area_id)) for r in rows]).data
    return {
        "type": "FeatureCollection", "level": result.level, "start": result.start, "end": result.end,
        "edition": result.edition.code if result.edition else None, "measures": [m.code for m in result.measures],
        "count": page["count"], "next": page["next"], "previous": page["previous"], "features": page["results"],
    }


@extend_schema(
    parameters=[RankingQuery, *PAGE_PARAMETERS], responses=FEATURES,
    description="The areas of one level as a GeoJSON FeatureCollection, each with its boundary and its scores "
                "for the window (the ranking's figures: harm, rank, the change and its significance), in rank "
                "order, a page of features at a time (`count`, `next` and `previous` beside the features). "
                "Users who may not see rankings get 404. The response carries the ranking's ETag.",
)
@api_view(["GET"])
def areas_geojson(request):
    return ranking_response(request, _feature_collection)
