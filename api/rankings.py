"""JSON API of the rankings, for other force systems (OpenAPI schema at /api/schema/)."""
import copy
from dataclasses import asdict
from datetime import date

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from api.pagination import PAGE_PARAMETERS, Pagination
from core.cache import cached
from core.etags import not_modified, response_etag, with_etag
from core.months import FIRST_YEAR, LAST_YEAR
from scoring.selectors import ranking
from scoring.selectors.drilldown import scores_version
from scoring.permissions import can_see_rankings
from scoring.selectors.ranking import WINDOWS, Ranking
from sectors.models import Level


class WindowQuery(serializers.Serializer):
    """The window of months a figure covers, as the pages take it (``months`` ending with ``end``)."""

    end = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text="Last month of the window, YYYY-MM")
    months = serializers.ChoiceField(choices=WINDOWS, default=12)

    def validate_end(self, value: str) -> str:
        year, month = map(int, value.split("-"))
        if not 1 <= month <= 12:
            raise serializers.ValidationError("month must be 01 to 12")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise serializers.ValidationError(f"year must be {FIRST_YEAR} to {LAST_YEAR}")
        return value

    def end_month(self) -> date | None:
        end = self.validated_data.get("end")
        if not end:
            return None
        year, month = map(int, end.split("-"))
        return date(year, month, 1)


class RankingQuery(WindowQuery):
    level = serializers.ChoiceField(choices=[Level.COMMAND, Level.SECTOR, Level.NEIGHBOURHOOD],
                                    default=Level.SECTOR)
    measures = serializers.CharField(required=False, help_text="Comma-separated measure codes; default: active")


ROW_FIELDS = {
    "area_id": serializers.IntegerField(), "area_code": serializers.CharField(),
    "area_name": serializers.CharField(), "rank": serializers.IntegerField(),
    "previous_rank": serializers.IntegerField(), "rank_change": serializers.IntegerField(),
    "harm": serializers.FloatField(), "previous_harm": serializers.FloatField(),
    "harm_change": serializers.FloatField(), "z": serializers.FloatField(allow_null=True),
    "significant": serializers.BooleanField(),
    "contributions": serializers.DictField(child=serializers.FloatField()),
    "counts": serializers.DictField(child=serializers.IntegerField()),
    "count": serializers.IntegerField(help_text="Distinct items in the window: records, and nominals once a month"),
    "previous_count": serializers.IntegerField(),
    "count_p": serializers.FloatField(allow_null=True, help_text="E-test p-value of the change in the count"),
    "count_significant": serializers.BooleanField(),
    "overlap": serializers.FloatField(help_text="How much more the measures' contributions add up to than harm: "
                                                "items counted by more than one measure"),
    "dominant": serializers.CharField(help_text="'record' or 'nominal' when one item carries at least half the "
                                                "harm in the window, else empty"),
    "previous_contributions": serializers.DictField(child=serializers.FloatField(),
                                                    help_text="Each measure's harm in the previous window"),
    "previous_counts": serializers.DictField(child=serializers.IntegerField()),
    "harm_by_type": serializers.DictField(
        child=serializers.FloatField(),
        help_text="'victim' (victim-based) and 'police' (police-generated): the distinct harm of the selected "
                  "measures of each type. An item counted by both types is in both: they need not add up to harm"),
    "previous_harm_by_type": serializers.DictField(child=serializers.FloatField()),
}


def row_fields(*names: str) -> dict:
    """Fresh copies of the row's fields (all, or those named): a serializer takes its fields out of the dict
    it is given, and a field belongs to one serializer."""
    return {name: copy.deepcopy(field) for name, field in ROW_FIELDS.items() if not names or name in names}


def ranking_shared(*, user, scores: str, level: int, end_month: date | None, months: int,
                   measure_codes: list[str] | None) -> Ranking:
    """ranking(), computed once per scoring run and parameters and shared by every caller allowed to see
    rankings (they all get the same ranking). The access check comes first, so a cached answer is never
    served to a caller who may not see it."""
    if not can_see_rankings(user):
        raise Http404("No ranking")
    codes = ",".join(sorted(measure_codes)) if measure_codes else "*"
    return cached(f"api:ranking:{level}:{end_month}:{months}:{codes}:{scores}", lambda: ranking(
        user=user, level=level, end_month=end_month, months=months, measure_codes=measure_codes))


def ranking_response(request, render) -> Response:
    """The query's ranking, a page of its rows, as ``render(result, paginator, rows)`` gives it, with the ETag
    of the stored scores; a client sending that ETag back gets 304 while no scoring run has finished since."""
    query = RankingQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    scores = scores_version()
    etag = response_etag(request, scores)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    codes = [c for c in query.validated_data.get("measures", "").split(",") if c] or None
    result = ranking_shared(user=request.user, scores=scores, level=int(query.validated_data["level"]),
                            end_month=query.end_month(), months=int(query.validated_data["months"]),
                            measure_codes=codes)
    # The whole ranking is computed (a rank needs every area); only its rows are paged.
    paginator = Pagination()
    rows = paginator.paginate_queryset(result.rows, request)
    return with_etag(Response(render(result, paginator, rows)), etag)


def _ranking_json(result: Ranking, paginator, rows) -> dict:
    return {
        "level": result.level, "start": result.start, "end": result.end,
        "previous_start": result.previous_start, "previous_end": result.previous_end,
        "edition": result.edition.code if result.edition else None,
        "measures": [m.code for m in result.measures], "partial_month": result.partial_month,
        "force_harm": result.force_harm, "outside_harm": result.outside_harm,
        "force_harm_by_type": result.force_harm_by_type,
        **paginator.get_paginated_response([asdict(row) for row in rows]).data,
    }


@extend_schema(
    parameters=[RankingQuery,
                *PAGE_PARAMETERS],
    responses=inline_serializer("Ranking", fields={
        "level": serializers.IntegerField(), "start": serializers.DateField(allow_null=True),
        "end": serializers.DateField(allow_null=True), "previous_start": serializers.DateField(allow_null=True),
        "previous_end": serializers.DateField(allow_null=True), "edition": serializers.CharField(allow_null=True),
        "measures": serializers.ListField(child=serializers.CharField()),
        "partial_month": serializers.DateField(allow_null=True), "force_harm": serializers.FloatField(),
        "outside_harm": serializers.FloatField(),
        "force_harm_by_type": serializers.DictField(child=serializers.FloatField()),
        "count": serializers.IntegerField(help_text="Rows in the whole ranking"),
        "next": serializers.URLField(allow_null=True), "previous": serializers.URLField(allow_null=True),
        "results": inline_serializer("RankingRow", fields=row_fields(), many=True),
    }),
    description="Areas of one level ranked by SOC harm over a window, with the change from the previous window "
                "and its significance (docs/scoring.md), a page of rows at a time. Users who may not see "
                "rankings get 404. The response carries an ETag (the latest scoring run, the user, the "
                "parameters): sent back in If-None-Match, it gets 304 while nothing changed.",
)
@api_view(["GET"])
def rankings(request):
    return ranking_response(request, _ranking_json)
