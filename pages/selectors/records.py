"""The raw records located in an area: the only reader of Record rows for the area pages.

Every function re-checks can_view_records and raises Http404 (never 403) when the user may not
read them, so a caller cannot forget the check. Auditing is the view's job (one event per view).
"""
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    FilteredRelation,
    FloatField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from ingestion.models import Upload
from records.models import RECORD_AREA_FIELD, Record
from records.permissions import can_view_records
from scoring.models import CssEdition
from scoring.selectors.drilldown import scores_version
from sectors.models import Area, Level



def in_area(area: Area) -> Q:
    """Records located in an area, by the stored area columns (no geometry at query time)."""
    if area.level == Level.FORCE:
        return Q(sector__isnull=False) | Q(command__isnull=False)
    return Q(**{RECORD_AREA_FIELD[area.level]: area})


def area_records(*, user, area: Area, start: date, end: date, filters: dict | None = None) -> QuerySet[Record]:
    """The records of an area in start..end (months), narrowed by kind, month and offence code."""
    if not can_view_records(user, area):
        raise Http404("No such area")
    filters = filters or {}
    qs = Record.objects.filter(in_area(area), month__gte=start, month__lte=end)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("month"):
        qs = qs.filter(month=filters["month"])
    if filters.get("offence"):
        qs = qs.filter(offence_type__code=filters["offence"])
    return qs


def with_weight(qs: QuerySet[Record], edition: CssEdition | None) -> QuerySet[Record]:
    """Annotate ``weight``: the CSS weight of the record's offence in the edition (0 for other records)."""
    if edition is None:
        return qs.annotate(weight=Value(0.0, output_field=FloatField()))
    return qs.annotate(
        w=FilteredRelation("offence_type__weights", condition=Q(offence_type__weights__edition=edition)),
        weight=Coalesce("w__weight", Value(0.0), output_field=FloatField()),
    )


def records_page_rows(qs: QuerySet[Record], edition) -> QuerySet[Record]:
    return with_weight(qs, edition).select_related("offence_type", "upload").order_by("-occurred_on", "-id")


def filters_key(filters: dict | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((filters or {}).items()) if v not in (None, ""))


def records_version() -> str:
    """Changes with every applied upload and every finished scoring run: the key of cached record reads."""
    from django.db.models import Max

    upload = Upload.objects.filter(status=Upload.Status.APPLIED).aggregate(id=Max("id"), at=Max("finished_at"))
    return f"{upload['id']}:{upload['at'] and upload['at'].timestamp()}:{scores_version()}"


# The records table counts at most this many records (a page number beyond it is clamped).
COUNT_CAP = 10_000


def records_count(qs: QuerySet[Record]) -> tuple[int, bool]:
    """How many records the table pages through, counted without the page's joins, capped at COUNT_CAP."""
    n = qs.order_by()[:COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def records_page(qs: QuerySet[Record], edition, page, per_page: int, version: str, key: str) -> tuple[Page, bool]:
    """One page of the records table (newest first) and whether the count was capped.

    The count and the page's rows are cached by ``key`` (area, window, filters), page, edition and
    ``version`` (records_version()): the caller audits every view, cached or not.
    """
    rows = records_page_rows(qs, edition)
    paginator = Paginator(rows, per_page)
    count_key = f"sectors:records-count:{key}:{version}"
    counted = cache.get(count_key)
    if counted is None:
        counted = records_count(qs)
        cache.set(count_key, counted, settings.PAGE_CACHE_SECONDS)
    paginator.count, capped = counted
    number = paginator.get_page(page).number  # clamps a bad or out-of-range page, as get_page does
    rows_key = f"sectors:records-page:{key}:{number}:{per_page}:{edition and edition.pk}:{version}"
    object_list = cache.get(rows_key)
    if object_list is None:
        bottom = (number - 1) * per_page
        object_list = list(rows[bottom:bottom + per_page])
        cache.set(rows_key, object_list, settings.PAGE_CACHE_SECONDS)
    return Page(object_list, number, paginator), capped
