"""The records an area's list shows, counted by month from what the scoring run stores, not the records.

The records list of an area page (pages.selectors.records) pages through the records a selection
of measures counts (scoring.selectors.items.counted_records), or through every located record.
Their number and harm by month are already stored: TotalScore holds each counted record once, in
the row of the set of measures counting it, and RecordCount every located record by area, month
and kind. Reading those costs the same whatever the number of records. Both are as of the latest
scoring run; the caller decides whether that run is current. Access is the caller's job.
"""
from datetime import date

from django.db.models import Sum

from records.models import RECORD_AREA_FIELD
from scoring.models import CssEdition, Measure, RecordCount, TotalScore
from scoring.selectors.totals import sum_item_sets
from sectors.models import Area, Level


def counted_record_months(*, area: Area, start: date, end: date, measures: list[Measure],
                          edition: CssEdition) -> dict[date, tuple[int, float]] | None:
    """month -> (records, harm) of the records of the area in start..end that ``measures`` count,
    weighed as counted_records weighs them (scoring.formulas.item_set_total). None when a stored row
    counted by the selection was weighed with another CSS edition. One query."""
    rows = TotalScore.objects.filter(area_id=area.pk, month__gte=start, month__lte=end,
                                     item_type=TotalScore.ItemType.RECORD)
    found = sum_item_sets(rows, ("month", "edition_id"), measures)
    if any(edition_id != edition.pk for _, edition_id in found):
        return None
    return {month: (totals.count, totals.harm) for (month, _), totals in found.items()}


def located_record_months(*, area: Area, start: date, end: date) -> dict[date, int]:
    """month -> the records located in the area in start..end (scoring.selectors.items.located_in):
    for the force, every record located at any level (the command level's rows, those located in no
    command included). One query."""
    level = area.level if area.level in RECORD_AREA_FIELD else Level.COMMAND
    rows = RecordCount.objects.filter(level=level, month__gte=start, month__lte=end)
    if area.level in RECORD_AREA_FIELD:
        rows = rows.filter(area_id=area.pk)
    return {month: n for month, n in rows.values("month").annotate(n=Sum("count")).values_list("month", "n")
            .order_by() if n}
