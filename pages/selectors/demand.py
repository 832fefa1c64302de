"""Demand by area and month (force management statements): sums of the stored scores, in SQL."""
from datetime import date

from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.cache import cached
from core.months import months_between
from pages.forms import COUNTED_SOC
from pages.selectors.links import records_url, window_params
from pages.selectors.overview import scores_stamp
from pages.selectors.records import linkable_key, records_linkable
from scoring.models import HarmScore, Measure, TotalScore
from scoring.selectors.totals import by_harm_type, item_class, sum_item_sets_by
from sectors.models import Area

HEADER = ["area_code", "area_name", "month", "harm", "crimes", "partner_records", "nominal_months",
          "harm_victim_based", "harm_police_generated"]
BY_MEASURE_HEADER = ["area_code", "area_name", "month", "measure", "harm", "count"]


def demand_rows(*, user, level: int, start: date, end: date, by_measure: bool = False):
    """Rows of HEADER over start..end, active measures only: one per area and month with harm.

    Crimes, partner records and nominal-months are counted apart (scoring.selectors.totals.item_class),
    never added into one count. Victim-based and police-generated harm are the distinct totals of the
    active measures of each type: an item counted by both types is in both, so they need not add up to
    ``harm``. By measure (BY_MEASURE_HEADER), the measures overlap (one crime can be in two).
    """
    if by_measure:
        fields = ["area__code", "area__name", "month", "measure__code"]
        return (
            HarmScore.objects.filter(area__level=level, month__gte=start, month__lte=end, measure__is_active=True)
            .values_list(*fields)
            .annotate(harm=Sum("harm"), count=Sum("count"))
            .order_by(*fields)
        )
    measures = list(Measure.objects.filter(is_active=True))
    keys = ("area__code", "area__name", "month")
    split = sum_item_sets_by(TotalScore.objects.filter(area__level=level, month__gte=start, month__lte=end), keys,
                             {"all": measures, **by_harm_type(measures)}, classify=item_class(measures))
    cells: dict[tuple, dict] = {}
    for name, totals in split.items():
        for (*key, kind), t in totals.items():
            cell = cells.setdefault(tuple(key), {"harm": 0.0, "crime": 0, "partner": 0, "nominal": 0,
                                                 Measure.HarmType.VICTIM: 0.0, Measure.HarmType.POLICE: 0.0})
            if name == "all":
                cell["harm"] += t.harm
                cell[kind] = cell.get(kind, 0) + t.count
            else:
                cell[name] += t.harm
    return [(*key, c["harm"], c["crime"], c["partner"], c["nominal"], c[Measure.HarmType.VICTIM],
             c[Measure.HarmType.POLICE]) for key, c in sorted(cells.items())]


def _cell() -> dict:
    return {"harm": 0.0, "crimes": 0, "partner": 0, "nominal": 0, "victim": 0.0, "police": 0.0}


def _items(cell: dict) -> int:
    """Every item of a cell: what the records list behind it holds (records and nominal-months)."""
    return cell["crimes"] + cell["partner"] + cell["nominal"]


def _add(into: dict, cell: dict) -> None:
    for key in into:
        into[key] += cell[key]


def demand_rows_shared(*, user, level: int, start: date, end: date) -> list[tuple]:
    """demand_rows() by area and month, computed once per scoring run and window and shared: the rows hold
    no user's links (demand_table adds those), and only callers who passed the demand check get here."""
    return cached(f"demand:rows:{level}:{start}:{end}:{scores_stamp()}",
                  lambda: demand_rows(user=user, level=level, start=start, end=end))


def demand_table_shared(*, user, level: int, start: date, end: date) -> dict:
    """demand_table() and the table rendered, once per scoring run, window and set of areas the user's
    figures link to (every user who sees all records shares one; officers share theirs by grants).

    Rendering 180 areas by 12 months of linked cells is most of the page's cost: shared, a warm page
    renders only the page around it."""
    linkable = records_linkable(user, level)
    grants = linkable_key(linkable)

    def compute():
        table = _demand_table(user=user, level=level, start=start, end=end, linkable=linkable)
        return {"table": table, "html": render_to_string("sectors/_demand_table.html", {
            "table": table, "start": start, "end": end})}

    shared = cached(f"demand:table:{level}:{start}:{end}:{grants}:{scores_stamp()}", compute)
    return {"table": shared["table"], "html": mark_safe(shared["html"])}  # rendered by our own template


def demand_table(*, user, level: int, start: date, end: date) -> dict:
    """Areas by months: harm and the three counts, with totals per area and per month, from rows shared
    by every analyst for the same scores; each user's links are added here."""
    return _demand_table(user=user, level=level, start=start, end=end, linkable=records_linkable(user, level))


def _demand_table(*, user, level: int, start: date, end: date, linkable: set[int] | None) -> dict:
    months = months_between(start, end)
    areas: dict[str, dict] = {}
    for code, name, month, harm, crimes, partner, nominal, victim, police in demand_rows_shared(
            user=user, level=level, start=start, end=end):
        area = areas.setdefault(code, {"code": code, "name": name, "cells": {}, "total": _cell()})
        cell = {"harm": harm or 0.0, "crimes": crimes, "partner": partner, "nominal": nominal,
                "victim": victim, "police": police}
        area["cells"][month] = cell
        _add(area["total"], cell)
    rows = sorted(areas.values(), key=lambda a: (-a["total"]["harm"], a["name"]))
    # Each cell links to the records and nominal-months behind it (the active measures, as the cell counts).
    ids = dict(Area.objects.filter(level=level, code__in=list(areas)).values_list("code", "id"))
    window = window_params(months=len(months), end=end)
    month_totals = [_cell() for _ in months]
    total = _cell()
    for row in rows:
        link = row["code"] in ids and (linkable is None or ids[row["code"]] in linkable)
        row["cells"] = [{**cell, "count": _items(cell),
                         "link": records_url(ids[row["code"]], window, counted_by=COUNTED_SOC, month=m) if link else ""}
                        for m in months for cell in [row["cells"].get(m) or _cell()]]
        row["link"] = records_url(ids[row["code"]], window, counted_by=COUNTED_SOC) if link else ""
        row["harm"], row["count"] = row["total"]["harm"], _items(row["total"])
        for i, cell in enumerate(row["cells"]):
            _add(month_totals[i], cell)
        _add(total, row["total"])
    return {"months": months, "rows": rows, "month_totals": month_totals, "total": total, "harm": total["harm"]}
