"""Demand by area and month (force management statements): sums of the stored scores, in SQL."""
from datetime import date

from django.db.models import Sum

from core.months import months_between
from pages.forms import COUNTED_SOC
from pages.selectors.links import records_url, window_params
from pages.selectors.records import records_linkable
from scoring.models import HarmScore, Measure, TotalScore
from scoring.selectors.totals import sum_item_sets
from sectors.models import Area


def demand_rows(*, user, level: int, start: date, end: date, by_measure: bool = False):
    """(area code, area name, month[, measure], harm, count) over start..end, active measures only.

    By measure, the measures overlap (one crime can be in two); the totals count every item once.
    """
    if by_measure:
        fields = ["area__code", "area__name", "month", "measure__code"]
        return (
            HarmScore.objects.filter(area__level=level, month__gte=start, month__lte=end, measure__is_active=True)
            .values_list(*fields)
            .annotate(harm=Sum("harm"), count=Sum("count"))
            .order_by(*fields)
        )
    totals = sum_item_sets(TotalScore.objects.filter(area__level=level, month__gte=start, month__lte=end),
                           ("area__code", "area__name", "month"), list(Measure.objects.filter(is_active=True)))
    return [(*key, t.harm, t.count) for key, t in sorted(totals.items())]


def demand_table(*, user, level: int, start: date, end: date) -> dict:
    """Areas by months: harm and counts, with totals per area and per month. One query."""
    months = months_between(start, end)
    areas: dict[str, dict] = {}
    for code, name, month, harm, count in demand_rows(user=user, level=level, start=start, end=end):
        area = areas.setdefault(code, {"code": code, "name": name, "cells": {}, "harm": 0.0, "count": 0})
        area["cells"][month] = (harm or 0.0, count or 0)
        area["harm"] += harm or 0.0
        area["count"] += count or 0
    rows = sorted(areas.values(), key=lambda a: (-a["harm"], a["name"]))
    # Each cell links to the records and nominal-months behind it (the active measures, as the cell counts).
    ids = dict(Area.objects.filter(level=level, code__in=list(areas)).values_list("code", "id"))
    linkable = records_linkable(user, level)
    window = window_params(months=len(months), end=end)
    for row in rows:
        link = row["code"] in ids and (linkable is None or ids[row["code"]] in linkable)
        row["cells"] = [(*row["cells"].get(m, (0.0, 0)),
                         records_url(ids[row["code"]], window, counted_by=COUNTED_SOC, month=m) if link else "")
                        for m in months]
        row["link"] = records_url(ids[row["code"]], window, counted_by=COUNTED_SOC) if link else ""
    month_totals = [(sum(r["cells"][i][0] for r in rows), sum(r["cells"][i][1] for r in rows))
                    for i in range(len(months))]
    return {"months": months, "rows": rows, "month_totals": month_totals,
            "harm": sum(r["harm"] for r in rows), "count": sum(r["count"] for r in rows)}
