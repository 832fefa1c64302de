"""JSON API of the groups: the groups page's list (pages.selectors.nominals.groups_list) with its filters,
and one group's profile as its page shows it to the viewer (group_profile: members the viewer may not
research are neither named nor counted). Each read of a group is audited, as the page's is."""
from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.generics import ListAPIView
from rest_framework.reverse import reverse
from rest_framework.response import Response

from api.permissions import MayResearch
from api.windows import WINDOW_PARAMETERS, window_of
from core.months import months_between
from nominals.models import GroupType
from nominals.permissions import access_group
from pages.forms import COUNTED_SOC
from pages.selectors.links import window_params
from pages.selectors.nominals import GROUP_SORTS, force_area, group_profile, groups_list


def records_api_url(request, window: tuple | None, **filters) -> str | None:
    """/api/records/ for the force, the window and filters: the records behind a figure, as on the pages."""
    force = force_area()
    if window is None or force is None:
        return None
    params = [("area", force.pk), *window_params(months=len(months_between(*window)), end=window[1]),
              *((k, v) for k, v in filters.items() if v not in (None, ""))]
    return f"{reverse('api-records', request=request)}?{urlencode(params)}"


class GroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    ref = serializers.CharField()
    name = serializers.CharField()
    group_type = serializers.CharField()
    members = serializers.IntegerField(help_text="Current members the viewer may count (restricted ones only where granted)")
    former = serializers.IntegerField(help_text="Former members")
    records = serializers.IntegerField(help_text="Records of the window linked to members while members that "
                                                 "count in the SOC harm")
    harm = serializers.FloatField(help_text="Their SOC harm (active measures, each record once)")
    rank = serializers.IntegerField(help_text="By harm, ties by name")

    def get_url(self, group) -> str:
        return reverse("api-group", args=[group.pk], request=self.context["request"])


class GroupQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=GroupType.choices, required=False, allow_blank=True,
                                   help_text="One type of group (default: every type)")
    sort = serializers.ChoiceField(choices=list(GROUP_SORTS), default="harm", help_text="The order of the list")


@extend_schema(parameters=[GroupQuery, *WINDOW_PARAMETERS])
class GroupList(ListAPIView):
    """Every group with its members and its SOC harm in the window, as the groups page ranks them. Three
    queries whatever the number of groups. A bad parameter is a 400."""

    serializer_class = GroupSerializer
    permission_classes = [MayResearch]

    def get_queryset(self):
        query = GroupQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        _, window = window_of(self.request)
        return groups_list(user=self.request.user, group_type=query.validated_data.get("type", ""),
                           start=window and window[0], end=window and window[1], sort=query.validated_data["sort"])


ANY = serializers.JSONField
PROFILE = inline_serializer("GroupProfile", fields={
    "id": serializers.IntegerField(), "ref": serializers.CharField(), "name": serializers.CharField(),
    "group_type": serializers.CharField(),
    "members": ANY(help_text="The members the viewer may research: nominal, its url, from, to"),
    "harm_total": serializers.FloatField(help_text="Every crime linked to a member while a member, CSS weights"),
    "crime_count": serializers.IntegerField(),
    "edition": serializers.CharField(allow_null=True),
    "monthly": ANY(help_text="month, harm, crimes: every month from the first crime to the last"),
    "top_crimes": ANY(help_text="The 25 heaviest of those crimes"),
    "window": ANY(allow_null=True, help_text="start, end, counted, harm, linked, records_url (null before any "
                                             "score)"),
    "referrals": ANY(help_text="Diversion referrals of members the viewer may research"),
})


def _membership(request, m) -> dict:
    return {"nominal_id": m.nominal_id, "ref": m.nominal.ref, "name": m.nominal.name,
            "url": reverse("api-nominal", args=[m.nominal_id], request=request),
            "started_on": m.started_on, "ended_on": m.ended_on}


def _window(request, profile, window) -> dict | None:
    w = profile.window
    if w is None:
        return None
    return {"start": w["start"], "end": w["end"], "counted": w["counted"], "harm": w["harm"], "linked": w["linked"],
            "records_url": records_api_url(request, window, counted_by=COUNTED_SOC, group=profile.group.pk)}


@extend_schema(responses=PROFILE, parameters=[OpenApiParameter("group_id", int, OpenApiParameter.PATH),
                                              *WINDOW_PARAMETERS],
               description="One group as its page shows it to the viewer. Audited as a view of the group.")
@api_view(["GET"])
@permission_classes([MayResearch])
def group(request, group_id: int):
    access_group(request.user, group_id)  # a group one may not see is a 404 before any parameter is a 400
    _, window = window_of(request)
    p = group_profile(user=request.user, group_id=group_id, request=request._request, start=window and window[0],
                      end=window and window[1], audit_detail={"api": True, "params": dict(request.query_params.lists())})
    g = p.group
    return Response({
        "id": g.pk, "ref": g.ref, "name": g.name, "group_type": g.group_type,
        "members": [_membership(request, m) for m in p.memberships],
        "harm_total": float(p.harm_total), "crime_count": p.crime_count,
        "edition": p.edition.code if p.edition else None,
        "monthly": [{"month": month, "harm": float(harm or 0.0), "crimes": n} for month, harm, n in p.monthly],
        "top_crimes": [{"id": r.pk, "external_ref": r.external_ref, "occurred_on": r.occurred_on,
                        "offence": r.offence_type.code if r.offence_type else None,
                        "sector": r.sector.name if r.sector else None, "css_weight": float(r.weight or 0.0)}
                       for r in p.crimes],
        "window": _window(request, p, window),
        "referrals": [{"nominal_id": r.nominal_id, "ref": r.nominal.ref, "scheme": r.scheme,
                       "referred_on": r.referred_on, "outcome": r.outcome} for r in p.referrals],
    })


groups = GroupList.as_view()
