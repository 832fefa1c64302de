"""The cells of an area's map layer: the items behind its SOC harm, placed in H3 hexagons.

Computed here, without a user, so the scoring run can store them (scoring.services.stored_views)
and a page reads them instead of the records; pages.selectors.maps draws them (clipping, colours)
and decides what a user may see placed. The result is plain JSON: the same whether stored or live.
"""
from collections import defaultdict
from datetime import date

import h3
from django.db.models import Count, F, Sum
from django.db.models.functions import Round

from records.models import RecordKind
from scoring.models import CssEdition, Measure
from scoring.selectors.items import counted_records, nominal_months
from sectors.models import Area, Level

# Hexagons small enough to place harm within the area, large enough to hold several items:
# edges of about 3.7 km (force), 1.4 km (command), 0.5 km (sector), 0.2 km (neighbourhood).
RESOLUTION = {Level.FORCE: 6, Level.COMMAND: 7, Level.SECTOR: 8, Level.NEIGHBOURHOOD: 9}
# Records are first grouped in SQL on a grid of about 100 m (and by offence), so Python handles grid cells.
GRID_DECIMALS = 3
# Up to this many located records the map also offers them as a layer of points (off by default).
POINT_LIMIT = 500


class _Everyone:
    """Reads nominal-months with every identity: the cells keep none, and readers decide placing."""

    @staticmethod
    def has_perm(_perm: str) -> bool:
        return True


def _what(code: str | None, description: str | None, kind: str) -> str:
    return f"{code} {description or ''}".strip() if code else RecordKind(kind).label


def empty_layer_cells(area: Area) -> dict:
    """What layer_cells gives for a window without any item."""
    return {"resolution": RESOLUTION.get(area.level, 8), "cells": {}, "unlocated": [0.0, 0], "nominal": [],
            "points": None}


def layer_cells(*, area: Area, start: date, end: date, measures: list[Measure], edition: CssEdition | None) -> dict:
    """The records counted by the measures, summed by hexagon (with the offence carrying most harm in
    each), the records with no location, the nominal-months as [hexagon or None, harm] heaviest first,
    and the located records as points when POINT_LIMIT or fewer. One query for the records (two when
    they are few enough to list), and nominal_months' four.
    """
    records = counted_records(area=area, start=start, end=end, measures=measures, edition=edition)
    resolution = RESOLUTION.get(area.level, 8)
    cells: dict[str, dict] = defaultdict(lambda: {"harm": 0.0, "records": 0, "offences": defaultdict(float)})
    unlocated = {"harm": 0.0, "records": 0}
    grid = (records.values(glat=Round("lat", GRID_DECIMALS), glon=Round("lon", GRID_DECIMALS),
                           code=F("offence_type__code"), description=F("offence_type__description"),
                           record_kind=F("kind"))
            .annotate(n=Count("id"), total=Sum("harm")).order_by("glat", "glon", "code", "record_kind"))
    for g in grid:
        harm = g["total"] or 0.0
        if g["glat"] is None or g["glon"] is None:
            unlocated["records"] += g["n"]
            unlocated["harm"] += harm
            continue
        cell = cells[h3.latlng_to_cell(float(g["glat"]), float(g["glon"]), resolution)]
        cell["harm"] += harm
        cell["records"] += g["n"]
        cell["offences"][_what(g["code"], g["description"], g["record_kind"])] += harm
    nominal = [[None if m.home_lat is None or m.home_lon is None else h3.latlng_to_cell(m.home_lat, m.home_lon,
                                                                                        resolution), m.harm]
               for m in nominal_months(user=_Everyone, area=area, start=start, end=end, measures=measures)]
    located_records = sum(c["records"] for c in cells.values())
    points = None
    if 0 < located_records <= POINT_LIMIT:
        points = [
            {"lat": r["lat"], "lon": r["lon"], "kind": RecordKind(r["kind"]).label, "ref": r["external_ref"],
             "date": r["occurred_on"].isoformat(), "offence": r["offence_type__code"] or "",
             "harm": round(r["harm"], 1)}
            for r in records.filter(lat__isnull=False, lon__isnull=False).order_by("-harm", "id").values(
                "lat", "lon", "kind", "external_ref", "occurred_on", "offence_type__code", "harm")
        ]
    return {
        "resolution": resolution,
        "cells": {cell_id: [c["harm"], c["records"],
                            max(c["offences"].items(), key=lambda kv: (kv[1], kv[0]))[0] if c["offences"] else ""]
                  for cell_id, c in sorted(cells.items())},
        "unlocated": [unlocated["harm"], unlocated["records"]],
        "nominal": nominal,
        "points": points,
    }
