"""The API's routes. Django's login-required middleware leaves them to DRF, which answers an
anonymous client in JSON (403) instead of redirecting it to the login page."""
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.activities import activities
from api.areas import areas, areas_geojson
from api.footprint import footprint
from api.packs import pack, packs
from api.docs import api_docs
from api.groups import group, groups
from api.network import network
from api.nominals import nominal, nominals
from api.rankings import rankings
from api.records import records
from api.series import series
from api.uploads import upload, uploads
from api.reference import editions, measures
from ingestion.permissions import can_use_uploads
from nominals.permissions import VIEW_GROUP, can_research
from records.permissions import record_sector_ids
from scoring.permissions import can_see_rankings
from tasking.permissions import can_see_activities, can_see_packs

# (name, route, what it is, who may use it): the index lists only what the asking user may use. A route of
# one object is given as its path with the id in braces, which a client fills in.
ENDPOINTS = [
    ("areas", "api-areas", "The areas of one level, with their GeoJSON boundaries on request.", can_see_rankings),
    ("areas-geojson", "api-areas-geojson", "The areas of one level as GeoJSON, each with its scores for a window, "
     "in rank order.", can_see_rankings),
    ("area-series", "/api/areas/{id}/series/", "One area's SOC harm month by month (by measure on request).",
     can_see_rankings),
    ("rankings", "api-rankings", "Areas ranked by SOC harm over a window, with the change and its significance.",
     can_see_rankings),
    ("records", "api-records", "The records of an area in a window, with the area page's filters (audited).",
     lambda user: can_see_rankings(user) and record_sector_ids(user) != set()),
    ("group-footprint", "/api/groups/{id}/footprint/", "A group's footprint in a window: its sectors ranked by its "
     "harm, its linked records as points, its members' home sectors, its harm by month and measure (audited).",
     lambda user: user.is_authenticated and user.has_perm(VIEW_GROUP)),
    ("uploads", "api-uploads", "Send a file (POST kind and file), and the uploads you may see.", can_use_uploads),
    ("upload", "/api/uploads/{id}/", "One upload's status and row report: poll it after sending a file.",
     can_use_uploads),
    ("activities", "api-activities", "The activity register: what police and partners did, where and when.",
     can_see_activities),
    ("packs", "api-packs", "Tasking packs, latest meeting first.", can_see_packs),
    ("pack", "/api/packs/{id}/", "One tasking pack as its meeting froze it (audited).", can_see_packs),
    ("groups", "api-groups", "Every group with its members and SOC harm in a window, ranked by harm.", can_research),
    ("group", "/api/groups/{id}/", "One group's profile: the members you may see, its harm month by month (audited).",
     can_research),
    ("nominals", "api-nominals", "Search the nominals you may research by reference or name (audited).",
     can_research),
    ("nominal", "/api/nominals/{id}/", "One nominal's profile: groups, linked records and harm, associates "
     "(audited).", can_research),
    ("network", "api-network", "The co-offending network of a window: nominals, their measures and links "
     "(audited).", can_research),
    ("measures", "api-measures", "Every measure: what it counts, how it is weighted, whether it is active.",
     can_see_rankings),
    ("editions", "api-editions", "The Crime Severity Score editions, the one in force first.", can_see_rankings),
    ("schema", "api-schema", "The OpenAPI 3 schema of these endpoints (YAML; JSON with ?format=json).",
     can_see_rankings),
    ("docs", "api-docs", "The same schema as a page: every endpoint, parameter and field.", can_see_rankings),
]


def _url(request, route: str) -> str:
    if route.startswith("/"):  # a path with an {id} left in it (build_absolute_uri would escape the braces)
        return request.build_absolute_uri("/") + route[1:]
    return reverse(route, request=request)


def endpoints_for(request) -> list[dict]:
    return [{"name": name, "url": _url(request, route), "description": description, "template": "{" in route}
            for name, route, description, may_use in ENDPOINTS if may_use(request.user)]


class MayUseSomeEndpoint(BasePermission):
    """The index is open to whoever may use one of its endpoints (partners: the uploads); others get 404."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not any(may_use(request.user) for *_, may_use in ENDPOINTS):
            raise NotFound()
        return True


@extend_schema(exclude=True)  # an index of the links below: JSON for programs, a page for a browser
@api_view(["GET"])
@permission_classes([MayUseSomeEndpoint])
@renderer_classes([JSONRenderer, TemplateHTMLRenderer])
def api_root(request):
    endpoints = endpoints_for(request)
    if isinstance(request.accepted_renderer, TemplateHTMLRenderer):
        return Response({"endpoints": endpoints}, template_name="api/root.html")
    return Response({e["name"]: e["url"] for e in endpoints})


urlpatterns = [
    path("", login_not_required(api_root), name="api-root"),
    path("areas/", login_not_required(areas), name="api-areas"),
    path("areas/geojson/", login_not_required(areas_geojson), name="api-areas-geojson"),
    path("areas/<int:area_id>/series/", login_not_required(series), name="api-area-series"),
    path("rankings/", login_not_required(rankings), name="api-rankings"),
    path("records/", login_not_required(records), name="api-records"),
    path("groups/<int:group_id>/footprint/", login_not_required(footprint), name="api-group-footprint"),
    path("uploads/", login_not_required(uploads), name="api-uploads"),
    path("uploads/<int:upload_id>/", login_not_required(upload), name="api-upload"),
    path("activities/", login_not_required(activities), name="api-activities"),
    path("packs/", login_not_required(packs), name="api-packs"),
    path("packs/<int:pack_id>/", login_not_required(pack), name="api-pack"),
    path("groups/", login_not_required(groups), name="api-groups"),
    path("groups/<int:group_id>/", login_not_required(group), name="api-group"),
    path("nominals/", login_not_required(nominals), name="api-nominals"),
    path("nominals/<int:nominal_id>/", login_not_required(nominal), name="api-nominal"),
    path("network/", login_not_required(network), name="api-network"),
    path("measures/", login_not_required(measures), name="api-measures"),
    path("editions/", login_not_required(editions), name="api-editions"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("docs/", login_not_required(api_docs), name="api-docs"),
]
