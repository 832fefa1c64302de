"""The sector overview: the ranking from scoring, shaped for the map and the table."""
from scoring import selectors as scoring_selectors
from scoring.models import Measure
from sectors.models import Level
from sectors.selectors.shapes import choropleth


def measures_available(*, user) -> list[Measure]:
    """Every measure a user may toggle; the active ones make the SOC harm score and are ticked by default."""
    return list(Measure.objects.order_by("display_order", "code"))


def overview(*, user, level: int, end_month=None, months: int = 12, measure_codes=None) -> dict:
    ranking = scoring_selectors.ranking(user=user, level=level, end_month=end_month, months=months,
                                        measure_codes=measure_codes)
    table = [
        {"row": row, "cells": [(m.code, row.contributions.get(m.code, 0.0), row.counts.get(m.code, 0))
                               for m in ranking.measures]}
        for row in ranking.rows
    ]
    values = {
        row.area_id: {"harm": round(row.harm, 1), "rank": row.rank, "change": row.rank_change,
                      "significant": row.significant}
        for row in ranking.rows
    }
    features, legend, unmapped = choropleth(level=level, values=values, value_key="harm")
    return {"ranking": ranking, "table": table, "features": features, "legend": legend, "unmapped": unmapped,
            "level_label": Level(level).label, "window_months": months,
            "measure_codes": [m.code for m in ranking.measures]}


def ranking_export_rows(ranking) -> tuple[list[str], list[list]]:
    """The overview table as CSV rows: exactly the columns and order the page shows."""
    header = ["rank", "area_code", "area_name", "harm", "previous_rank", "rank_change", "harm_change",
              "significant"] + [f"harm_{m.code}" for m in ranking.measures]
    rows = [
        [row.rank, row.area_code, row.area_name, round(row.harm, 2), row.previous_rank if row.previous_rank else "",
         row.rank_change if row.rank_change is not None else "",
         round(row.harm_change, 2) if row.harm_change is not None else "", "yes" if row.significant else "no"]
        + [round(row.contributions.get(m.code, 0.0), 2) for m in ranking.measures]
        for row in ranking.rows
    ]
    return header, rows
