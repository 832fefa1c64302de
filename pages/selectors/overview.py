"""The sector overview: the ranking from scoring, shaped for the map and the table."""
from dataclasses import replace

from django.conf import settings
from django.utils.html import json_script

from core.charts import fill_months, line_chart
from pages.forms import COUNTED_SOC
from pages.selectors.links import records_url, window_params
from pages.selectors.shapes import areas_with_data, choropleth
from scoring import selectors as scoring_selectors
from scoring.models import Measure
from scoring.selectors.drilldown import scores_version
from scoring.selectors.totals import monthly_totals
from sectors.locator import _boundaries_version
from sectors.models import Level

DOMINANT_LABELS = {"record": "one record dominates", "nominal": "one nominal dominates"}


def measures_available(*, user) -> list[Measure]:
    """Every measure a user may toggle; the active ones make the SOC harm score and are ticked by default."""
    return list(Measure.objects.order_by("display_order", "code"))


def overview(*, user, level: int, end_month=None, months: int = 12, measure_codes=None) -> dict:
    ranking = scoring_selectors.ranking(user=user, level=level, end_month=end_month, months=months,
                                        measure_codes=measure_codes)
    # Numbers are formatted here, not with template filters: on a force of a few hundred areas the
    # localised filters were most of the page's time.
    # Each figure links to its records (shown only to users who may read the area's records: the template).
    window = window_params(months=months, end=ranking.end, measure_codes=measure_codes)
    table = [
        {"row": row, "harm": f"{row.harm:,.1f}", "harm_sort": f"{row.harm:.4f}",
         "change": abs(row.rank_change), "z": f"{row.z:.1f}" if row.z is not None else "",
         "count_p": "" if row.count_p is None else (f"{row.count_p:.3f}" if row.count_p >= 0.001 else "<0.001"),
         "overlap": f"{row.overlap:,.0f}",
         "link": records_url(row.area_id, window, counted_by=COUNTED_SOC),
         "by_type": [(f"{row.harm_by_type.get(t, 0.0):,.1f}", f"{row.harm_by_type.get(t, 0.0):.4f}")
                     for t in Measure.HarmType.values],
         "cells": [(f"{row.contributions.get(m.code, 0.0):,.0f}", f"{row.contributions.get(m.code, 0.0):.4f}",
                    row.counts.get(m.code, 0), records_url(row.area_id, window, counted_by=m.code))
                   for m in ranking.measures]}
        for row in ranking.rows
    ]
    values = {
        row.area_id: {"harm": round(row.harm, 1), "rank": row.rank, "change": row.rank_change,
                      "significant": row.significant}
        for row in ranking.rows
    }
    with_data = areas_with_data(level=level, start=ranking.start, end=ranking.end) if ranking.end else None
    features, legend, unmapped = choropleth(level=level, values=values, value_key="harm", with_data=with_data)
    trend = force_trend(user=user, ranking=ranking)
    return {"ranking": ranking, "table": table, "features": features, "legend": legend, "unmapped": unmapped,
            # Serialised once here and cached with the rest, not on every request.
            "features_script": json_script(features, "overview-features"),
            "level_label": Level(level).label, "window_months": months,
            "overlap": sum(row.overlap for row in ranking.rows),
            "disagree": sum(1 for row in ranking.rows if row.significant != row.count_significant),
            "measure_codes": [m.code for m in ranking.measures], "trend": trend,
            "harm_types": Measure.HarmType.choices,
            "dominated": sum(1 for row in ranking.rows if row.dominant)}


def force_trend(*, user, ranking) -> dict | None:
    """The force's SOC harm of the selected measures, month by month, with the window and comparison shaded.

    One query (the ranking found the force): the months run from the first to the last the force has
    harm in, every month between them drawn, zeros included.
    """
    if ranking.force_id is None or ranking.start is None:
        return None
    monthly = monthly_totals(area_id=ranking.force_id, measures=ranking.measures)
    series = fill_months([(month, t.harm, t.count) for month, t in sorted(monthly.items())])
    return line_chart(months=[m for m, _, _ in series], series=[("SOC harm", [h for _, h, _ in series])],
                      bands=[("window", ranking.start, ranking.end),
                             ("comparison period", ranking.previous_start, ranking.previous_end)])


def scores_stamp(*, scores: str | None = None) -> str:
    """Changes whenever stored scores or boundaries may have changed: the key of cached rankings.

    ``scores``: scoring.selectors.drilldown.scores_version(), when the caller has read it."""
    return f"{scores or scores_version()}:{_boundaries_version()}"


def overview_cached(*, user, level: int, end_month=None, months: int = 12, measure_codes=None,
                    seconds: int | None = None, scores: str | None = None) -> dict:
    """overview(), shared by every user allowed to see rankings (they all see the same ranking).

    Keyed by the parameters and scores_stamp(), so a finished scoring run shows at once; the
    timeout only bounds how long a renamed measure keeps its old name.
    """
    from django.core.cache import cache

    key = overview_key(level, end_month, months, measure_codes, scores)
    data = cache.get(key)
    if data is None:
        data = overview(user=user, level=level, end_month=end_month, months=months, measure_codes=measure_codes)
        timeout = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
        cache.set(key, data, timeout)
        cache.set(f"{key}:summary", _summary(data, key, scores), timeout)
        _rows_set(key, data["ranking"], timeout)
    return {**data, "cache_key": key}


def _rows_set(key: str, ranking, timeout: int) -> None:
    """Each area's row, and the ranking without its rows, under keys of their own (ranking_row_cached)."""
    from django.core.cache import cache

    head = {"ranking": replace(ranking, rows=[]), "of": len(ranking.rows),
            "ids": frozenset(r.area_id for r in ranking.rows)}
    cache.set_many({f"{key}:row:{r.area_id}": r for r in ranking.rows}, timeout)
    cache.set(f"{key}:head", head, timeout)


def ranking_row_cached(*, user, area_id: int, level: int, end_month=None, months: int = 12, measure_codes=None,
                       scores: str | None = None) -> tuple:
    """(the ranking without its rows, the area's row or None, how many areas it ranks): what an area
    page needs of overview_cached(), the same ranking, read as two small entries instead of the
    whole ranking (a megabyte for 180 sectors, most of a warm sector page to unpickle)."""
    from django.core.cache import cache

    key = overview_key(level, end_month, months, measure_codes, scores)
    found = cache.get_many([f"{key}:head", f"{key}:row:{area_id}"])
    head, row = found.get(f"{key}:head"), found.get(f"{key}:row:{area_id}")
    if head is None or (row is None and area_id in head["ids"]):  # not cached, or the row evicted alone
        ranking = overview_cached(user=user, level=level, end_month=end_month, months=months,
                                  measure_codes=measure_codes, scores=scores)["ranking"]
        _rows_set(key, ranking, settings.PAGE_CACHE_SECONDS)
        row = next((r for r in ranking.rows if r.area_id == area_id), None)
        return replace(ranking, rows=[]), row, len(ranking.rows)
    return head["ranking"], row, head["of"]


def _summary(data: dict, key: str, scores: str | None) -> dict:
    ranking = data["ranking"]
    return {"cache_key": key, "scores": scores, "level_label": data["level_label"], "window_months": data["window_months"],
            "start": ranking.start, "end": ranking.end, "partial_month": ranking.partial_month,
            "edition": ranking.edition}


def overview_summary_cached(*, user, level: int, end_month=None, months: int = 12, measure_codes=None) -> dict:
    """What the overview's heading and provenance need of overview_cached(): its window, edition and key.

    A few hundred bytes against the ranking's megabyte (180 sectors: unpickling it was most of a
    warm page), so a page whose body is cached never loads the ranking itself.
    """
    from django.core.cache import cache

    scores = scores_version()
    summary = cache.get(f"{overview_key(level, end_month, months, measure_codes, scores)}:summary")
    if summary is None:
        data = overview_cached(user=user, level=level, end_month=end_month, months=months,
                               measure_codes=measure_codes, scores=scores)
        summary = _summary(data, data["cache_key"], scores)
    return summary


def overview_key(level, end_month, months, measure_codes, scores) -> str:
    codes = ",".join(sorted(measure_codes)) if measure_codes else "*"
    return f"sectors:overview:{level}:{end_month}:{months}:{codes}:{scores_stamp(scores=scores)}"


def ranking_export_rows(ranking) -> tuple[list[str], list[list]]:
    """The overview table as CSV rows: the columns the page shows, and both tests and the overlap."""
    header = ["rank", "area_code", "area_name", "harm", "items", "previous_rank", "rank_change", "harm_change",
              "harm_z", "harm_change_significant", "previous_items", "count_p", "count_change_significant",
              "overlap", "dominant_item", "harm_victim_based", "harm_police_generated"] + [
                  f"harm_{m.code}" for m in ranking.measures]
    rows = [
        [row.rank, row.area_code, row.area_name, round(row.harm, 2), row.count,
         row.previous_rank if row.previous_rank else "",
         row.rank_change if row.rank_change is not None else "",
         round(row.harm_change, 2) if row.harm_change is not None else "",
         "" if row.z is None else round(row.z, 3), "yes" if row.significant else "no", row.previous_count,
         "" if row.count_p is None else round(row.count_p, 4), "yes" if row.count_significant else "no",
         round(row.overlap, 2), DOMINANT_LABELS.get(row.dominant, "")]
        + [round(row.harm_by_type.get(t, 0.0), 2) for t in Measure.HarmType.values]
        + [round(row.contributions.get(m.code, 0.0), 2) for m in ranking.measures]
        for row in ranking.rows
    ]
    if ranking.outside_harm:
        rows.append(["", "", f"outside any {Level(ranking.level).label}", round(ranking.outside_harm, 2)]
                    + [""] * (len(header) - 4))
    return header, rows
