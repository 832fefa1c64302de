"""The area map's layer: the SOC harm of the selected measures in H3 hexagons, clipped to the area.

The hexagons hold exactly the items behind the area's headline (scoring.selectors.items): the
records the selected measures count, at their location, and the nominal-months, at the nominal's
home (only ever added into a hexagon, never drawn as a point). Items with no location are counted
beside the map, so hexagons + unlocated = the headline SOC harm, to the item.
"""
from datetime import date

import h3
import shapely
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from shapely.geometry import Polygon, shape

from pages.selectors.records import records_version
from pages.selectors.shapes import _light, choropleth, colour_classes, colour_of
from records.permissions import can_view_records
from scoring.models import AreaView, CssEdition, Measure
from scoring.selectors.layers import POINT_LIMIT, layer_cells
from scoring.selectors.stored import stored_area_view
from sectors.models import Area, Level


def harm_layer(*, user, area: Area, start: date, end: date, measures: list[Measure], edition: CssEdition | None,
               version: str | None = None) -> dict:
    """The hexagons of the area's SOC harm for the selection of measures, for users granted its records.

    The cells come from the scoring run's stored layer for a standard window and the active
    measures (one query), else from the records (scoring.selectors.layers). Drawn, they are cached
    by area, window, measures, edition, whether the user may read nominals and records_version()
    (the latest applied upload and finished scoring run). A hexagon holds no identity, but a small
    one would still say roughly where nominals live: nominal-months are placed at home only for
    users who may read nominals; for others they are counted beside the map, so the numbers still
    add up.
    """
    if not can_view_records(user, area):
        raise Http404("No such area")
    codes = ",".join(sorted(m.code for m in measures)) or "-"
    key = (f"sectors:harm-layer:{area.pk}:{start}:{end}:{codes}:{edition and edition.pk}:"
           f"{int(may_place_nominals(user))}:{version or records_version()}")
    layer = cache.get(key)
    if layer is None:
        cells = stored_area_view(area=area, start=start, end=end, kind=AreaView.Kind.LAYER, measures=measures,
                                 edition=edition)
        if cells is None:
            cells = layer_cells(area=area, start=start, end=end, measures=measures, edition=edition)
        layer = drawn_layer(cells, area=area, place=may_place_nominals(user))
        cache.set(key, layer, settings.PAGE_CACHE_SECONDS)
    return layer


def may_place_nominals(user) -> bool:
    return user.has_perm("nominals.view_nominal")


def drawn_layer(stored: dict, *, area: Area, place: bool) -> dict:
    """The layer a user sees from the cells of scoring.selectors.layers.layer_cells: hexagons clipped
    to the area and coloured, nominal-months placed at home only when ``place``."""
    resolution = stored["resolution"]
    cells = {cell_id: {"harm": harm, "records": n, "nominal_months": 0, "top": top}
             for cell_id, (harm, n, top) in stored["cells"].items()}
    unlocated = {"harm": stored["unlocated"][0], "records": stored["unlocated"][1], "nominal_months": 0}
    unplaced = {"harm": 0.0, "nominal_months": 0}  # nominal-months not placed for this user (never located ones)
    for cell_id, harm in stored["nominal"]:
        if not place:
            unplaced["nominal_months"] += 1
            unplaced["harm"] += harm
            continue
        if cell_id is None:
            unlocated["nominal_months"] += 1
            unlocated["harm"] += harm
            continue
        cell = cells.setdefault(cell_id, {"harm": 0.0, "records": 0, "nominal_months": 0, "top": ""})
        cell["harm"] += harm
        cell["nominal_months"] += 1

    classes = colour_classes([c["harm"] for c in cells.values()])
    outline = shape(_light(area.boundary)) if area.boundary else None
    if outline is not None:
        # The drawn outline is simplified and rounded, which can leave a ring touching itself.
        outline = shapely.make_valid(outline) if not outline.is_valid else outline
        shapely.prepare(outline)
    hexagons = []
    for cell_id, c in sorted(cells.items(), key=lambda kv: (-kv[1]["harm"], kv[0])):
        hexagons.append({"rings": _rings(_clipped(cell_id, outline)), "harm": round(c["harm"], 3),
                         "count": c["records"] + c["nominal_months"], "records": c["records"],
                         "nominal_months": c["nominal_months"], "top_offence": c["top"],
                         "colour": colour_of(c["harm"], classes)})
    located_count = sum(h["count"] for h in hexagons)
    located_harm = sum(c["harm"] for c in cells.values())
    unlocated_count = unlocated["records"] + unlocated["nominal_months"]
    located_records = sum(h["records"] for h in hexagons)
    return {
        "hexagons": hexagons, "classes": classes, "points": stored["points"], "point_limit": POINT_LIMIT,
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


def footprint_map(footprint: dict | None) -> dict | None:
    """A group's footprint (pages.selectors.footprint.group_footprint) as a map: the sectors of its
    records coloured by their harm, the members' home sectors outlined (``home``: how many live there),
    and the linked records the user may read as points. Only those sectors are drawn, over the context
    layer. None when there is nothing to draw."""
    if not footprint:
        return None
    values = {f["sector_id"]: {"harm": round(f["harm"] or 0.0, 1), "count": f["n"]} for f in footprint["footprint"]}
    for home in footprint["homes"]:
        values.setdefault(home["sector_id"], {})["home"] = home["members"]
    points = footprint["points"]["points"]
    if not values and not points:
        return None
    features, legend, _ = choropleth(level=Level.SECTOR, values=values, value_key="harm")
    features["features"] = [f for f in features["features"] if f["properties"]["id"] in values]
    return {"features": features, "legend": legend, "points": points,
            "homes": any("home" in v for v in values.values())}
