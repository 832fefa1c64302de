"""The area map's layer: the SOC harm of the selected measures in H3 hexagons, clipped to the area.

The hexagons hold exactly the items behind the area's headline (scoring.selectors.items): the
records the selected measures count, at their location, and the nominal-months, at the nominal's
home (only ever added into a hexagon, never drawn as a point). Items with no location are counted
beside the map, so hexagons + unlocated = the headline SOC harm, to the item.
"""
from collections import defaultdict
from datetime import date

import h3
import shapely
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.db.models.functions import Round
from django.http import Http404
from shapely.geometry import Polygon, shape

from pages.selectors.records import records_version
from pages.selectors.shapes import _light, choropleth, colour_classes, colour_of
from records.models import RecordKind
from records.permissions import can_view_records
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


def harm_layer(*, user, area: Area, start: date, end: date, measures: list[Measure], edition: CssEdition | None,
               version: str | None = None) -> dict:
    """The hexagons of the area's SOC harm for the selection of measures, for users granted its records.

    Cached by area, window, measures, edition, whether the user may read nominals and
    records_version() (the latest applied upload and finished scoring run). A hexagon holds no
    identity, but a small one would still say roughly where nominals live: nominal-months are
    placed at home only for users who may read nominals; for others they are counted beside the
    map, so the numbers still add up. One query for the records (two when they are few enough to
    list as points), and nominal_months'.
    """
    if not can_view_records(user, area):
        raise Http404("No such area")
    codes = ",".join(sorted(m.code for m in measures)) or "-"
    key = (f"sectors:harm-layer:{area.pk}:{start}:{end}:{codes}:{edition and edition.pk}:"
           f"{int(may_place_nominals(user))}:{version or records_version()}")
    layer = cache.get(key)
    if layer is None:
        layer = _layer(user=user, area=area, start=start, end=end, measures=measures, edition=edition)
        cache.set(key, layer, settings.PAGE_CACHE_SECONDS)
    return layer


def may_place_nominals(user) -> bool:
    return user.has_perm("nominals.view_nominal")


def _what(code: str | None, description: str | None, kind: str) -> str:
    return f"{code} {description or ''}".strip() if code else RecordKind(kind).label


def _layer(*, user, area: Area, start: date, end: date, measures: list[Measure], edition) -> dict:
    records = counted_records(area=area, start=start, end=end, measures=measures, edition=edition)
    resolution = RESOLUTION.get(area.level, 8)
    cells: dict[str, dict] = defaultdict(lambda: {"harm": 0.0, "records": 0, "nominal_months": 0,
                                                  "offences": defaultdict(float)})
    unlocated = {"harm": 0.0, "records": 0, "nominal_months": 0}
    unplaced = {"harm": 0.0, "nominal_months": 0}  # nominal-months not placed for this user (never located ones)
    place = may_place_nominals(user)
    grid = (records.values(glat=Round("lat", GRID_DECIMALS), glon=Round("lon", GRID_DECIMALS),
                           code=F("offence_type__code"), description=F("offence_type__description"),
                           record_kind=F("kind"))
            .annotate(n=Count("id"), total=Sum("harm")).order_by())
    for g in grid:
        harm = g["total"] or 0.0
        if g["glat"] is None or g["glon"] is None:
            unlocated["records"] += g["n"]
            unlocated["harm"] += harm
            continue
        cell = cells[h3.latlng_to_cell(g["glat"], g["glon"], resolution)]
        cell["harm"] += harm
        cell["records"] += g["n"]
        cell["offences"][_what(g["code"], g["description"], g["record_kind"])] += harm
    for month in nominal_months(user=user, area=area, start=start, end=end, measures=measures):
        if not place:
            unplaced["nominal_months"] += 1
            unplaced["harm"] += month.harm
            continue
        if month.home_lat is None or month.home_lon is None:
            unlocated["nominal_months"] += 1
            unlocated["harm"] += month.harm
            continue
        cell = cells[h3.latlng_to_cell(month.home_lat, month.home_lon, resolution)]
        cell["harm"] += month.harm
        cell["nominal_months"] += 1

    classes = colour_classes([c["harm"] for c in cells.values()])
    outline = shape(_light(area.boundary)) if area.boundary else None
    if outline is not None:
        # The drawn outline is simplified and rounded, which can leave a ring touching itself.
        outline = shapely.make_valid(outline) if not outline.is_valid else outline
        shapely.prepare(outline)
    hexagons = []
    for cell_id, c in sorted(cells.items(), key=lambda kv: (-kv[1]["harm"], kv[0])):
        top = max(c["offences"].items(), key=lambda kv: (kv[1], kv[0]))[0] if c["offences"] else ""
        hexagons.append({"rings": _rings(_clipped(cell_id, outline)), "harm": round(c["harm"], 3),
                         "count": c["records"] + c["nominal_months"], "records": c["records"],
                         "nominal_months": c["nominal_months"], "top_offence": top,
                         "colour": colour_of(c["harm"], classes)})
    located_count = sum(h["count"] for h in hexagons)
    located_harm = sum(c["harm"] for c in cells.values())
    unlocated_count = unlocated["records"] + unlocated["nominal_months"]
    located_records = sum(h["records"] for h in hexagons)
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
        "hexagons": hexagons, "classes": classes, "points": points, "point_limit": POINT_LIMIT,
        "hexagon_km2": round(h3.average_hexagon_area(resolution, "km^2"), 2),
        "located": {"count": located_count, "harm": round(located_harm, 3), "records": located_records,
                    "nominal_months": located_count - located_records},
        "unlocated": {"count": unlocated_count, "harm": round(unlocated["harm"], 3),
                      "records": unlocated["records"], "nominal_months": unlocated["nominal_months"]},
        "unplaced": {"count": unplaced["nominal_months"], "harm": round(unplaced["harm"], 3)},
        "total": {"count": located_count + unlocated_count + unplaced["nominal_months"],
                  "harm": round(located_harm + unlocated["harm"] + unplaced["harm"], 3)},
    }


def _clipped(cell_id: str, outline):
    """The hexagon cut to the area's outline. A hexagon the outline does not reach (an item placed
    in the area whose point falls just outside the drawn, simplified outline) stays whole: its harm
    is never dropped from the map."""
    hexagon = Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(cell_id)])
    if outline is None or outline.contains(hexagon):
        return hexagon
    cut = shapely.intersection(hexagon, outline)
    polygons = [g for g in getattr(cut, "geoms", [cut]) if isinstance(g, Polygon) and not g.is_empty] \
        if not cut.is_empty else []
    return shapely.MultiPolygon(polygons) if polygons else hexagon


def _rings(geometry) -> list:
    """Leaflet's nesting for L.polygon: polygons of rings of [lat, lon]."""
    polygons = getattr(geometry, "geoms", [geometry])
    return [[[[round(y, 5), round(x, 5)] for x, y in ring.coords[:-1]]
             for ring in [p.exterior, *p.interiors]] for p in polygons]


def footprint_map(footprint: list[dict]) -> dict | None:
    """The sectors of a group's footprint (group_profile), coloured by the harm of the crimes linked
    to its members there; only those sectors are drawn, over the context layer. None when empty."""
    values = {f["sector_id"]: {"harm": round(f["harm"] or 0.0, 1), "count": f["n"]} for f in footprint}
    if not values:
        return None
    features, legend, _ = choropleth(level=Level.SECTOR, values=values, value_key="harm")
    features["features"] = [f for f in features["features"] if f["properties"]["id"] in values]
    return {"features": features, "legend": legend}
