"""The raw records located in an area: the only reader of Record rows for the area pages.

Every function re-checks can_view_records and raises Http404 (never 403) when the user may not
read them, so a caller cannot forget the check. Auditing is the view's job (one event per view).
"""
import hashlib
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from core.request_memo import once_per_request
from ingestion.models import Upload
from nominals.models import RecordNominal
from pages.forms import COUNTED_ALL, COUNTED_SOC, NOMINAL_MONTHS
from records.models import RECORD_AREA_FIELD, Record
from records.permissions import can_view_records, record_sector_ids
from scoring.models import CssEdition, Measure
from scoring.selectors.drilldown import scores_version
from scoring.selectors.items import (
    COUNTED_LINK_ROLES,
    NominalMonth,
    counted_records,
    linked_to_group,
    located_in,
    nominal_months,
)
from scoring.selectors.ranking import visible_measures
from scoring.selectors.record_months import counted_record_months, located_record_months
from scoring.selectors.stored import latest_run_shared
from sectors.models import Area, Level



def in_area(area: Area) -> Q:
    """Records located in an area, by the stored area columns (no geometry at query time)."""
    if area.level == Level.FORCE:
        return Q(sector__isnull=False) | Q(command__isnull=False)
    return Q(**{RECORD_AREA_FIELD[area.level]: area})


def counting_measures(counted_by: str, measures: list[Measure]) -> list[Measure]:
    """The measures whose items a list shows: the selection (``soc``, ``all``) or the one measure named."""
    if counted_by in ("", COUNTED_SOC, COUNTED_ALL):
        return measures
    return [m for m in measures if m.code == counted_by] or list(Measure.objects.filter(code=counted_by))


def _selection(measures: list[Measure] | None, edition: CssEdition | None):
    if measures is None:
        measures = visible_measures(None)
    if edition is None:
        edition = CssEdition.objects.filter(is_active=True).first()
    return measures, edition


def _narrowed(qs: QuerySet[Record], filters: dict) -> QuerySet[Record]:
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("month"):
        qs = qs.filter(month=filters["month"])
    if filters.get("offence"):
        qs = qs.filter(offence_type__code=filters["offence"])
    if filters.get("flag"):
        qs = qs.filter(**{filters["flag"]: True})
    if filters.get("group"):
        qs = qs.filter(linked_to_group(filters["group"]))
    if filters.get("nominal"):
        qs = qs.filter(Exists(RecordNominal.objects.filter(COUNTED_LINK_ROLES, record_id=OuterRef("pk"),
                                                           nominal_id=filters["nominal"])))
    return qs


def area_records(*, user, area: Area, start: date, end: date, filters: dict | None = None,
                 measures: list[Measure] | None = None, edition: CssEdition | None = None) -> QuerySet[Record]:
    """The records of an area in start..end (months) that the filters list, each annotated ``harm``.

    ``counted_by`` ``soc`` (the default) lists the records counted in the SOC harm of ``measures``
    (None: the active ones), a measure code those that measure counts, ``all`` every record located
    there; ``harm`` is the record's weight under that selection (0 for a record it does not count),
    so the list's harm adds up to the figure. Then narrowed by kind, month, offence, flag and group.
    """
    if not can_view_records(user, area):
        raise Http404("No such area")
    filters = filters or {}
    measures, edition = _selection(measures, edition)
    counted_by = filters.get("counted_by") or COUNTED_SOC
    counted = counted_records(area=area, start=start, end=end,
                              measures=counting_measures(counted_by, measures), edition=edition)
    if counted_by == COUNTED_ALL:
        harm = counted.filter(pk=OuterRef("pk")).values("harm")[:1]
        qs = Record.objects.filter(located_in(area), month__gte=start, month__lte=end).annotate(
            harm=Coalesce(Subquery(harm, output_field=FloatField()), Value(0.0), output_field=FloatField()))
    else:
        qs = counted
    if filters.get("kind") == NOMINAL_MONTHS:
        return qs.none()
    return _narrowed(qs, filters)


# The filters the stored counts answer (listed_months): the measures counting and the month.
STORED_FILTERS = ("counted_by", "month")


def listed_months(*, user, area: Area, start: date, end: date, filters: dict | None = None,
                  measures: list[Measure] | None = None,
                  edition: CssEdition | None = None) -> dict[date, tuple[int, float]] | None:
    """month -> (count, harm) of what area_records lists, from the scoring run's stored counts
    (scoring.selectors.record_months), without reading the records: one query (two for ``all``).

    ``count`` is what the list pages through (for ``counted_by=all`` every located record), ``harm``
    the harm of the counted ones, as area_records_totals gives them. None when the stored counts
    cannot answer, and the caller reads the records: a filter other than the measures and the month,
    no CSS edition, an upload applied since the latest finished scoring run started (its records are
    not counted yet), or stored rows weighed with another edition.
    """
    if not can_view_records(user, area):
        raise Http404("No such area")
    filters = filters or {}
    if any(value not in (None, "") for name, value in filters.items() if name not in STORED_FILTERS):
        return None
    measures, edition = _selection(measures, edition)
    if edition is None or not scores_cover_uploads():
        return None
    if filters.get("month"):
        if not start <= filters["month"] <= end:
            return {}
        start = end = filters["month"]
    counted_by = filters.get("counted_by") or COUNTED_SOC
    counted = counted_record_months(area=area, start=start, end=end, edition=edition,
                                    measures=counting_measures(counted_by, measures))
    if counted is None or counted_by != COUNTED_ALL:
        return counted
    return {month: (n, counted.get(month, (0, 0.0))[1])
            for month, n in located_record_months(area=area, start=start, end=end).items()}


def months_totals(months: dict[date, tuple[int, float]]) -> tuple[int, float]:
    """(count, harm) of listed_months: what area_records_totals gives."""
    return sum(n for n, _ in months.values()), float(sum(h for _, h in months.values()))


def scores_cover_uploads() -> bool:
    """No upload was applied since the latest finished scoring run started (so the run counted every
    applied record). Two stamps read once per request, shared with records_version()."""
    upload, run = once_per_request("latest_upload", _latest_upload), latest_run_shared()
    return upload["at"] is None or (run["started"] is not None and upload["at"] < run["started"])


def area_records_totals(*, user, area: Area, start: date, end: date, filters: dict | None = None,
                        measures: list[Measure] | None = None, edition: CssEdition | None = None) -> tuple[int, float]:
    """(count, harm) of what area_records lists: from the stored counts where they answer
    (listed_months), else two plain aggregates, without the per-record subquery."""
    filters = filters or {}
    measures, edition = _selection(measures, edition)
    months = listed_months(user=user, area=area, start=start, end=end, filters=filters, measures=measures,
                           edition=edition)
    if months is not None:
        return months_totals(months)
    counted_by = filters.get("counted_by") or COUNTED_SOC
    listed = area_records(user=user, area=area, start=start, end=end,
                          filters={**filters, "counted_by": COUNTED_SOC if counted_by == COUNTED_ALL else counted_by},
                          measures=measures, edition=edition)
    found = listed.aggregate(n=Count("id"), total=Sum("harm"))
    if counted_by == COUNTED_ALL:
        everything = _narrowed(Record.objects.filter(located_in(area), month__gte=start, month__lte=end), filters)
        found["n"] = 0 if filters.get("kind") == NOMINAL_MONTHS else everything.count()
    return found["n"] or 0, float(found["total"] or 0.0)


# Record-only filters: a nominal-month has no flag, offence or linked group.
RECORD_ONLY_FILTERS = ("flag", "offence", "group")


def area_nominal_months(*, user, area: Area, start: date, end: date, filters: dict | None = None,
                        measures: list[Measure] | None = None) -> list[NominalMonth]:
    """The nominal-months the nominals measures among the listed ones count (identities withheld as needed).

    None are listed when a filter leaves them out (a record kind, a flag, an offence, a group).
    """
    if not can_view_records(user, area):
        raise Http404("No such area")
    filters = filters or {}
    if any(filters.get(k) for k in RECORD_ONLY_FILTERS) or filters.get("kind") not in (None, "", NOMINAL_MONTHS):
        return []
    measures = visible_measures(None) if measures is None else measures
    chosen = [m for m in counting_measures(filters.get("counted_by") or COUNTED_SOC, measures)
              if m.source == Measure.Source.NOMINALS]
    if not chosen:
        return []
    found = nominal_months(user=user, area=area, start=start, end=end, measures=chosen)
    if filters.get("nominal"):  # the form has checked that the user may read this nominal
        found = [m for m in found if m.nominal_id == filters["nominal"]]
    if filters.get("month"):
        found = [m for m in found if m.month == filters["month"]]
    return sorted(found, key=lambda m: (-m.harm, m.month, m.ref))


def records_linkable(user, level: int) -> set[int] | None:
    """The areas of ``level`` whose figures may link to their records for this user; None: all of them."""
    allowed = record_sector_ids(user)
    if allowed is None:
        return None
    if level == Level.SECTOR:
        return allowed
    if level == Level.NEIGHBOURHOOD:
        return set(Area.objects.filter(level=level, parent_id__in=allowed).values_list("id", flat=True))
    return set()


def linkable_key(linkable: set[int] | None) -> str:
    """A cache key part for a set of records_linkable() areas: users with the same set share a page."""
    if linkable is None:
        return "all"
    return hashlib.sha256(",".join(map(str, sorted(linkable))).encode()).hexdigest()[:20]


def with_weight(qs: QuerySet[Record], edition: CssEdition | None) -> QuerySet[Record]:
    """Annotate ``weight``: the CSS weight of the record's offence in the edition (0 for other records)."""
    if edition is None:
        return qs.annotate(weight=Value(0.0, output_field=FloatField()))
    return qs.annotate(
        css_w=FilteredRelation("offence_type__weights", condition=Q(offence_type__weights__edition=edition)),
        weight=Coalesce("css_w__weight", Value(0.0), output_field=FloatField()),
    )


def records_page_rows(qs: QuerySet[Record], edition) -> QuerySet[Record]:
    """The list's rows, newest first; ``harm`` (the weight under the selection) comes from area_records."""
    return qs.select_related("offence_type", "upload").order_by("-occurred_on", "-id")


def filters_key(filters: dict | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((filters or {}).items()) if v not in (None, ""))


def records_version(*, scores: str | None = None) -> str:
    """Changes with every applied upload and every finished scoring run: the key of cached record reads.

    Read once per request (core.request_memo); ``scores``: scores_version(), when the caller has read it."""
    upload = once_per_request("latest_upload", _latest_upload)
    return f"{upload['id']}:{upload['at'] and upload['at'].timestamp()}:{scores or scores_version()}"


def _latest_upload() -> dict:
    return Upload.objects.filter(status=Upload.Status.APPLIED).aggregate(id=Max("id"), at=Max("finished_at"))


# The records table counts at most this many records (a page number beyond it is clamped).
COUNT_CAP = 10_000


def records_count(qs: QuerySet[Record]) -> tuple[int, bool]:
    """How many records the table pages through, counted without the page's joins, capped at COUNT_CAP."""
    n = qs.order_by()[:COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def records_page(qs: QuerySet[Record], edition, page, per_page: int, version: str, key: str,
                 months: dict[date, tuple[int, float]] | None = None) -> tuple[Page, bool]:
    """One page of the records table (newest first) and whether the count was capped.

    ``months``: listed_months() of ``qs``, when the stored counts answer: then the count is theirs and
    the page's rows are read from the months holding them only (rows_in_months), not sorted out of
    every record of the window. The count and the page's rows are cached by ``key`` (area, window,
    filters), page, edition and ``version`` (records_version()): the caller audits every view, cached or not.
    """
    rows = records_page_rows(qs, edition)
    paginator = Paginator(rows, per_page)
    if months is not None:
        total = months_totals(months)[0]
        counted = (min(total, COUNT_CAP), total > COUNT_CAP)
    else:
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
        object_list = list(rows[bottom:bottom + per_page] if months is None
                           else rows_in_months(rows, {m: n for m, (n, _) in months.items()}, bottom, per_page))
        cache.set(rows_key, object_list, settings.PAGE_CACHE_SECONDS)
    return Page(object_list, number, paginator), capped


def rows_in_months(rows: QuerySet[Record], counts: dict[date, int], bottom: int, size: int) -> QuerySet[Record]:
    """rows[bottom:bottom + size] of the newest-first rows, read from the months holding them only.

    ``counts``: how many of ``rows`` each month holds. A record's month is that of its date
    (Record.month), so the newest-first order runs through the months from the last, and the
    months before the page's are skipped by their counts: the query sorts one or two months of the
    area's records, whatever the window.
    """
    skipped, seen, chosen = 0, 0, []
    for month in sorted(counts, reverse=True):
        if seen >= bottom + size:
            break
        if seen + counts[month] <= bottom:
            skipped += counts[month]
        else:
            chosen.append(month)
        seen += counts[month]
    if not chosen:
        return rows.none()
    return rows.filter(month__in=chosen)[bottom - skipped:bottom - skipped + size]
