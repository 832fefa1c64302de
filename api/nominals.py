"""JSON API of the nominals: the search of the groups page (pages.selectors.nominals.nominals_search) and one
nominal's profile as its page shows it to the viewer (nominal_profile). A restricted nominal not granted to
the viewer is in no result and its profile is a 404, as on the pages. Every search response and every
profile read is audited; searching is throttled (scope ``nominal_search``), as the records are."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api.groups import records_api_url
from api.permissions import MayResearch
from api.throttles import AuditedScopedRateThrottle
from api.windows import WINDOW_PARAMETERS, valid, window_of
from nominals.models import Nominal
from nominals.permissions import access_nominal
from pages.forms import COUNTED_ALL, NominalSearchForm
from pages.selectors.nominals import nominal_profile, nominals_search


class NominalSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    home_sector = serializers.CharField(source="home_sector.name", allow_null=True, default=None)
    groups = serializers.IntegerField(help_text="Groups they were ever a member of")

    class Meta:
        model = Nominal
        fields = ["id", "url", "ref", "name", "home_sector", "groups", "is_restricted"]

    def get_url(self, nominal) -> str:
        return reverse("api-nominal", args=[nominal.pk], request=self.context["request"])


@extend_schema(parameters=[OpenApiParameter("q", str, description="Part of a reference or a name (at most 50 "
                                                                   "characters; none: every nominal)")])
class NominalSearch(ListAPIView):
    """The nominals the viewer may research, by reference, whose reference or name holds ``q``. Each response is
    audited as a search, with the query and the page's offset. Throttled (scope `nominal_search`): too many
    in a while is 429."""

    serializer_class = NominalSerializer
    permission_classes = [MayResearch]
    throttle_classes = [AuditedScopedRateThrottle]
    throttle_scope = "nominal_search"

    def get_queryset(self):
        form = NominalSearchForm(self.request.query_params)
        valid(form)
        params = self.request.query_params
        return nominals_search(user=self.request.user, query=form.query(), limit=None, request=self.request._request,
                               audit_detail={"api": True, "offset": params.get("offset", "0"),
                                             "limit": params.get("limit", "")})


ANY = serializers.JSONField
PROFILE = inline_serializer("NominalProfile", fields={
    "id": serializers.IntegerField(), "ref": serializers.CharField(), "name": serializers.CharField(),
    "is_restricted": serializers.BooleanField(), "home_sector": ANY(allow_null=True, help_text="id and name"),
    "harm_total": serializers.FloatField(help_text="Every record linked as suspect, offender or associate, CSS "
                                                   "weights"),
    "edition": serializers.CharField(allow_null=True),
    "memberships": ANY(help_text="group, its url, from, to"), "priority_periods": ANY(),
    "monthly": ANY(help_text="month, harm, records: every month from the first linked record to the last"),
    "records": ANY(help_text="The latest 100 linked records"),
    "associates": ANY(help_text="The 20 nominals the viewer may research who share most records with them"),
    "referrals": ANY(help_text="Diversion referrals with the harm of the months before and after"),
    "window": ANY(allow_null=True, help_text="The window's figures, for a viewer who may read the force's "
                                             "records (null otherwise)"),
})


def _window(request, w, window, nominal_id) -> dict | None:
    if w is None:
        return None
    return {**{k: w[k] for k in ("start", "end", "records", "records_harm", "nominal_months", "nominal_harm",
                                 "count", "harm")},
            "records_url": records_api_url(request, window, counted_by=COUNTED_ALL, nominal=nominal_id)}


@extend_schema(responses=PROFILE, parameters=[OpenApiParameter("nominal_id", int, OpenApiParameter.PATH),
                                              *WINDOW_PARAMETERS],
               description="One nominal as their page shows them to the viewer. Audited as a view of the nominal.")
@api_view(["GET"])
@permission_classes([MayResearch])
def nominal(request, nominal_id: int):
    access_nominal(request.user, nominal_id)  # a nominal one may not see is a 404 before any parameter is a 400
    _, window = window_of(request)
    p = nominal_profile(user=request.user, nominal_id=nominal_id, request=request._request,
                        start=window and window[0], end=window and window[1],
                        audit_detail={"api": True, "params": dict(request.query_params.lists())})
    n = p.nominal
    return Response({
        "id": n.pk, "ref": n.ref, "name": n.name, "is_restricted": n.is_restricted,
        "home_sector": {"id": n.home_sector_id, "name": n.home_sector.name} if n.home_sector else None,
        "harm_total": float(p.harm_total), "edition": p.edition.code if p.edition else None,
        "memberships": [{"group_id": m.group_id, "ref": m.group.ref, "name": m.group.name,
                         "url": reverse("api-group", args=[m.group_id], request=request),
                         "started_on": m.started_on, "ended_on": m.ended_on} for m in p.memberships],
        "priority_periods": [{"started_on": s.started_on, "ended_on": s.ended_on} for s in p.priority_periods],
        "monthly": [{"month": month, "harm": float(harm or 0.0), "records": c} for month, harm, c in p.monthly],
        "records": [{"id": r.pk, "external_ref": r.external_ref, "occurred_on": r.occurred_on, "kind": r.kind,
                     "offence": r.offence_type.code if r.offence_type else None,
                     "sector": r.sector.name if r.sector else None, "css_weight": float(r.weight or 0.0)}
                    for r in p.records],
        "associates": [{"nominal_id": a["nominal_id"], "ref": a["nominal__ref"], "name": a["nominal__name"],
                        "shared": a["shared"], "url": reverse("api-nominal", args=[a["nominal_id"]], request=request)}
                       for a in p.associates],
        "referrals": [{"scheme": r["referral"].scheme, "referred_on": r["referral"].referred_on,
                       "outcome": r["referral"].outcome, "months": r["months"], "harm_before": r["harm_before"],
                       "count_before": r["count_before"], "harm_after": r["harm_after"],
                       "count_after": r["count_after"]} for r in p.referrals],
        "window": _window(request, p.window, window, n.pk),
    })


nominals = NominalSearch.as_view()
