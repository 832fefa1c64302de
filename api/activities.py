"""JSON API of the activity register: what police and partners did, where and when, with the register's
filters (tasking.selectors.activities, the same reader as the page). Groups and nominals targeted are
left out: the register's audience (officers, governance leads) may not research them."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from api.permissions import MaySeeActivities
from pages.activity_forms import ActivityFilterForm
from tasking.models import Activity, ActivityKind
from tasking.selectors.activities import activities_visible


class ActivityAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()


class ActivitySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    areas = ActivityAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "ref", "kind", "title", "started_on", "ended_on", "organisation", "areas", "target_lat",
                  "target_lon", "notes"]


@extend_schema(parameters=[
    OpenApiParameter("kind", str, enum=list(ActivityKind.values), description="One kind of activity"),
    OpenApiParameter("organisation", int, description="The owner (an organisation's id)"),
    OpenApiParameter("area", int, description="Activities on this area or the areas around it (its command, "
                                              "its sectors, the force)"),
    OpenApiParameter("start", str, description="Overlapping the period from this day, YYYY-MM-DD"),
    OpenApiParameter("end", str, description="Overlapping the period to this day, YYYY-MM-DD"),
])
class ActivityList(ListAPIView):
    """The activity register, newest first, with the register page's filters. A bad filter is a 400."""

    serializer_class = ActivitySerializer
    permission_classes = [MaySeeActivities]

    def get_queryset(self):
        form = ActivityFilterForm(self.request.query_params)
        if self.request.query_params and not form.is_valid():
            raise serializers.ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        return activities_visible(user=self.request.user, **form.filters())


activities = ActivityList.as_view()
