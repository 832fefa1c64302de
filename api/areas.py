"""JSON API of the geography: the areas of each level, with their boundaries on request."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

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
    responses=AreaWithBoundarySerializer(many=True),
)
@api_view(["GET"])
def areas(request):
    level = request.query_params.get("level", str(Level.SECTOR))
    if level not in {str(v) for v in Level.values}:
        raise serializers.ValidationError({"level": f"one of {Level.values}"})
    with_boundary = request.query_params.get("boundary") in ("1", "true")
    rows = Area.objects.filter(level=int(level)).order_by("code")
    if not with_boundary:
        rows = rows.defer("boundary")
    serializer = (AreaWithBoundarySerializer if with_boundary else AreaSerializer)(rows, many=True)
    return Response(serializer.data)
