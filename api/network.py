"""JSON API of the co-offending network: the network page's graph (pages.selectors.network.nominal_network)
with its filters, its nodes and measures and its links. A restricted nominal not granted to the viewer is
left out in the SQL, as on the page; the same cap on the number of nominals applies (NETWORK_MAX_NODES).
One graph, not paginated: every measure depends on the whole of it, and the cap bounds its size."""
from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.permissions import MayResearch
from api.windows import WINDOW_PARAMETERS, window_of
from core.audit import audit_record
from core.models import AuditEvent
from nominals.models import GroupType
from pages.network_forms import NetworkForm
from pages.selectors.network import NetworkScope, network_audit_detail, nominal_network

NODE = inline_serializer("NetworkNode", many=True, fields={
    "id": serializers.IntegerField(), "url": serializers.URLField(), "ref": serializers.CharField(),
    "name": serializers.CharField(),
    "group": serializers.CharField(help_text="Their first group (by name) whose membership overlaps the window"),
    "groups": serializers.CharField(help_text="Every such group, separated by '; '"),
    "degree": serializers.IntegerField(), "betweenness": serializers.FloatField(help_text="Normalised"),
    "community": serializers.IntegerField(help_text="Louvain, numbered from 1, largest first"),
    "bridge": serializers.BooleanField(help_text="Their neighbours fall in two or more communities"),
    "harm": serializers.FloatField(help_text="Linked harm: the window's records linked to them, CSS weights"),
})
EDGE = inline_serializer("NetworkEdge", many=True, fields={
    "source": serializers.IntegerField(), "target": serializers.IntegerField(),
    "shared": serializers.IntegerField(help_text="Records both are linked to"),
})


@extend_schema(
    parameters=[*WINDOW_PARAMETERS,
                OpenApiParameter("area", int, description="Records located in this command or sector"),
                OpenApiParameter("group", int, description="Links with at least one member of this group"),
                OpenApiParameter("group_type", str, enum=list(GroupType.values),
                                 description="Links with at least one member of a group of this type")],
    responses=inline_serializer("Network", fields={
        "start": serializers.DateField(allow_null=True), "end": serializers.DateField(allow_null=True),
        "nominals_found": serializers.IntegerField(help_text="Nominals with a link, before the cap"),
        "links_found": serializers.IntegerField(help_text="Their links, before the cap"),
        "capped": serializers.BooleanField(help_text="Only the max_nodes nominals with most linked harm are here"),
        "max_nodes": serializers.IntegerField(help_text="The cap (0: none)"),
        "communities": serializers.IntegerField(), "nodes": NODE, "edges": EDGE,
    }),
    description="The co-offending network with the network page's filters, nominals by betweenness. Audited "
                "as a view of the network. A bad filter is a 400.",
)
@api_view(["GET"])
@permission_classes([MayResearch])
def network(request):
    form, window = window_of(request, NetworkForm)
    scope = NetworkScope(start=window[0], end=window[1], **form.filters()) if window else None
    found = nominal_network(user=request.user, scope=scope) if scope else None
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="nominal_network",
                 request=request._request, detail={"api": True, "params": dict(request.query_params.lists()),
                                                   **network_audit_detail(scope, found)})
    nodes = [{"id": row["id"], "url": reverse("api-nominal", args=[row["id"]], request=request),
              **{k: row[k] for k in ("ref", "name", "group", "groups", "degree", "betweenness", "community",
                                     "bridge", "harm")}} for row in (found.rows if found else [])]
    return Response({
        "start": scope and scope.start, "end": scope and scope.end,
        "nominals_found": found.nominals_found if found else 0, "links_found": found.links_found if found else 0,
        "capped": bool(found and found.capped), "max_nodes": settings.NETWORK_MAX_NODES,
        "communities": found.communities if found else 0, "nodes": nodes,
        "edges": [{"source": a, "target": b, "shared": shared} for a, b, shared in (found.edges if found else [])],
    })
