"""JSON API of tasking packs: the list, and one pack as its meeting froze it (tasking.selectors.packs, the
same readers as the pages). Who may see the frozen top records and nominals is decided now, by today's
access, as on the page; each read of a pack is audited with the records and nominals it showed."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.permissions import MaySeePacks
from core.audit import audit_record
from core.models import AuditEvent
from tasking.models import TaskingPack
from tasking.permissions import access_pack
from tasking.selectors.packs import pack_view, packs_list, shown_ids, top_json


class PackSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    prepared_by = serializers.CharField(source="prepared_by.username", allow_null=True, default=None)
    open_actions = serializers.IntegerField(help_text="Its actions still open")
    areas_count = serializers.IntegerField(help_text="The areas it selected")

    class Meta:
        model = TaskingPack
        fields = ["id", "url", "title", "meeting_on", "prepared_at", "prepared_by", "window_months",
                  "open_actions", "areas_count", "notes"]

    def get_url(self, pack) -> str:
        return reverse("api-pack", args=[pack.pk], request=self.context["request"])


class PackList(ListAPIView):
    """Every tasking pack, latest meeting first."""

    serializer_class = PackSerializer
    permission_classes = [MaySeePacks]

    def get_queryset(self):
        return packs_list(user=self.request.user)


ANY = serializers.JSONField
FROZEN = inline_serializer("FrozenPack", fields={
    "id": serializers.IntegerField(), "title": serializers.CharField(), "meeting_on": serializers.DateField(),
    "prepared_by": serializers.CharField(allow_null=True), "window": ANY(help_text="The window's months"),
    "edition": ANY(), "measures": ANY(), "data_as_of": ANY(help_text="The scoring run the pack was read from"),
    "force_harm": serializers.FloatField(), "ranking": ANY(help_text="The ranking as the meeting saw it"),
    "areas": ANY(help_text="Each selected area; its top items only where the viewer may see them now"),
})


@extend_schema(responses=FROZEN, parameters=[OpenApiParameter("pack_id", int, OpenApiParameter.PATH)],
               description="One pack, read from its snapshot alone: what the meeting saw, however the data "
                           "changed since. Audited as a view of the pack.")
@api_view(["GET"])
@permission_classes([MaySeePacks])
def pack(request, pack_id: int):
    found = access_pack(request.user, pack_id)
    view = pack_view(user=request.user, pack=found)
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="tasking_pack", object_id=found.pk,
                 request=request._request, detail={"api": True, **shown_ids(view)})
    return Response({
        "id": found.pk, "title": found.title, "meeting_on": found.meeting_on,
        "prepared_by": found.prepared_by.username if found.prepared_by else None, "window": view["window"],
        "edition": view["edition"], "measures": view["measures"], "data_as_of": view["data_as_of"],
        "force_harm": view["force_harm"], "ranking": view["ranking"],
        "areas": [{**area, "top": top_json(area) if area["top"] is not None else None} for area in view["areas"]],
    })


packs = PackList.as_view()
