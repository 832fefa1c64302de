"""JSON API of the geography: the areas of each level, with their boundaries on request."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

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
