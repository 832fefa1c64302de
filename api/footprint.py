"""JSON API of a group's footprint: the figures of the group page's footprint, from the same selector
(pages.selectors.footprint.group_footprint) and the same access check, audited as a view of the group."""
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from api.windows import WINDOW_PARAMETERS, window_of
from core.audit import audit_record
from core.models import AuditEvent
from nominals.permissions import access_group
from pages.selectors.footprint import group_footprint


class MayResearchGroup(BasePermission):
    """The group of the URL, if this user may research it (nominals.permissions.access_group), checked
    before the method is, so that a refusal is a 404 whatever the method. Found on ``request.accessed``."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        request.accessed = access_group(request.user, view.kwargs["group_id"])
        return True


def _figure() -> dict:
    return {"harm": serializers.FloatField(), "records": serializers.IntegerField()}


FOOTPRINT = inline_serializer("GroupFootprint", fields={
    "group_id": serializers.IntegerField(), "group_ref": serializers.CharField(),
    "group_name": serializers.CharField(),
    "start": serializers.DateField(allow_null=True), "end": serializers.DateField(allow_null=True),
    "months": serializers.IntegerField(),
    "harm": serializers.FloatField(help_text="SOC harm of the records linked to members while members, each once"),
    "records": serializers.IntegerField(help_text="The records behind that harm"),
    "linked": serializers.IntegerField(help_text="Every linked record located in the force, counted or not"),
    "sectors": inline_serializer("FootprintSector", many=True, fields={
        "rank": serializers.IntegerField(help_text="By harm; equal harm shares the best rank"),
        "sector_id": serializers.IntegerField(), "sector_code": serializers.CharField(),
        "sector_name": serializers.CharField(), **_figure(),
        "share": serializers.FloatField(help_text="Of the group's harm, 0 to 1")}),
    "points": inline_serializer("FootprintPoints", fields={
        "points": inline_serializer("FootprintPoint", many=True, fields={
            "lat": serializers.FloatField(), "lon": serializers.FloatField(), "kind": serializers.CharField(),
            "ref": serializers.CharField(), "date": serializers.DateField(), "offence": serializers.CharField(),
            "harm": serializers.FloatField(help_text="Its weight in the SOC harm, 0 when nothing counts it")}),
        "located": serializers.IntegerField(help_text="Linked records with a location"),
        "readable": serializers.IntegerField(help_text="Of those, in sectors whose records you may read"),
        "withheld": serializers.IntegerField(help_text="Located linked records you may not read: not listed"),
        "without_point": serializers.IntegerField(help_text="Linked records with no location"),
        "capped": serializers.BooleanField(help_text="More readable records than the limit: the heaviest listed"),
        "limit": serializers.IntegerField()}),
    "home_sectors": inline_serializer("FootprintHome", many=True, fields={
        "sector_id": serializers.IntegerField(), "sector_name": serializers.CharField(),
        "members": serializers.IntegerField(help_text="Members at some time in the window living there (only "
                                                      "the nominals you may see)")}),
    "measures": serializers.ListField(child=serializers.CharField(), help_text="The columns of by_month"),
    "by_month": inline_serializer("FootprintMonth", many=True, fields={
        "month": serializers.DateField(), "soc": inline_serializer("FootprintSoc", fields=_figure()),
        "measures": serializers.DictField(child=inline_serializer("FootprintMeasure", fields=_figure()),
                                          help_text="Each measure's harm as it weighs the records. Measures "
                                                    "overlap: they may add up to more than the SOC harm")}),
})


def footprint_json(group, found: dict | None) -> dict:
    """The page's figures without its links and drawing."""
    if found is None:
        return {"group_id": group.pk, "group_ref": group.ref, "group_name": group.name, "start": None, "end": None,
                "months": 0, "harm": 0.0, "records": 0, "linked": 0, "sectors": [], "points": None,
                "home_sectors": [], "measures": [], "by_month": []}
    by_measure = found["by_measure"]
    codes = [m.code for m in by_measure["measures"]]

    def figure(cell: dict) -> dict:
        return {"harm": cell["harm"], "records": cell["records"]}

    return {
        "group_id": group.pk, "group_ref": group.ref, "group_name": group.name,
        "start": found["start"], "end": found["end"], "months": found["months"],
        "harm": found["harm"], "records": found["counted"], "linked": found["linked"],
        "sectors": [{"rank": s["rank"], "sector_id": s["sector_id"], "sector_code": s["sector__code"],
                     "sector_name": s["sector__name"], "harm": s["harm"], "records": s["n"], "share": s["share"]}
                    for s in found["footprint"]],
        "points": found["points"],
        "home_sectors": found["homes"],
        "measures": codes,
        "by_month": [{"month": row["month"], "soc": figure(row["soc"]),
                      "measures": {code: figure(cell) for code, cell in zip(codes, row["measures"], strict=True)}}
                     for row in by_measure["rows"]],
    }


@extend_schema(
    parameters=[*WINDOW_PARAMETERS, OpenApiParameter("group_id", int, OpenApiParameter.PATH)],
    responses=FOOTPRINT,
    description="A group's footprint in a window, as on its page: the sectors ranked by the group's harm, "
                "its linked records as points (only where you may read the records), its members' home "
                "sectors (restricted members only when granted) and its harm by month and measure. Audited "
                "as a view of the group. Users who may not research groups get 404.",
)
@api_view(["GET"])
@permission_classes([MayResearchGroup])
def footprint(request, group_id: int):
    group = request.accessed
    _, window = window_of(request)
    found = group_footprint(user=request.user, group=group, start=window[0], end=window[1]) if window else None
    audit_record(user=request.user, action=AuditEvent.Action.VIEW, object_type="group", object_id=group.pk,
                 request=request._request, detail={"api": True, "footprint": True})
    return Response(footprint_json(group, found))

