"""Area boundaries as light GeoJSON for the maps, and the colour classes of a choropleth."""
from datetime import date

from django.db.models import Count, Max
from django.urls import reverse
from shapely.geometry import mapping, shape

from records.models import RECORD_AREA_FIELD
from scoring.models import RecordCount
from sectors.locator import _boundaries_version
from sectors.models import Area, Level

# Sequential palette (ColorBrewer Reds, 5 classes). An area with data but nothing counted is white
# ("no harm"); one where nothing at all is recorded in the period is grey ("no data"): a gap in the
# data is not the same as an area without harm.
PALETTE = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]
NO_HARM = "#ffffff"
NO_DATA = "#bdbdbd"
SIMPLIFY_DEGREES = 0.0003  # about 30 m: invisible at the zooms the pages use

_cache: dict = {}


def _light(geojson: dict) -> dict:
    geom = shape(geojson).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    return _round(mapping(geom))


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 5)
    if isinstance(obj, (list, tuple)):
        return [_round(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def level_shapes(*, level: int) -> dict[int, dict]:
    """{area id: {code, name, geometry}} for every area of a level with a boundary.

    Simplified once per process and kept until the boundaries change (same key as the locator).
    """
    stats = Area.objects.filter(level=level, boundary__isnull=False).aggregate(n=Count("id"), m=Max("id"))
    key = (level, stats["n"], stats["m"], _boundaries_version())
    if key not in _cache:
        rows = Area.objects.filter(level=level, boundary__isnull=False).values_list(
            "id", "code", "name", "boundary", "label_lat", "label_lon")
        _cache[key] = {pk: {"code": code, "name": name, "geometry": _light(b),
                            "label": [lat, lon] if lat is not None and lon is not None else None}
                       for pk, code, name, b, lat, lon in rows}
    return _cache[key]


def areas_with_data(*, level: int, start: date, end: date) -> set[int]:
    """The areas of a level where at least one record of any kind is located in months start..end.

    From the counts the scoring run stores (scoring.models.RecordCount): no record is read.
    """
    if level not in RECORD_AREA_FIELD:  # the force: every located record
        located = RecordCount.objects.filter(level__in=[Level.COMMAND, Level.SECTOR], area__isnull=False,
                                             month__gte=start, month__lte=end, count__gt=0).exists()
        return set(Area.objects.filter(level=level).values_list("pk", flat=True)) if located else set()
    return set(RecordCount.objects.filter(level=level, area__isnull=False, month__gte=start, month__lte=end,
                                          count__gt=0).values_list("area_id", flat=True).distinct().order_by())


def colour_classes(values: list[float]) -> list[dict]:
    """Up to five quantile classes of the positive values: [{low, high, colour}], lowest first."""
    positive = sorted(v for v in values if v and v > 0)
    if not positive:
        return []
    n = min(len(PALETTE), len(positive))
    highs = sorted({positive[((i + 1) * len(positive)) // n - 1] for i in range(n)})
    classes, low = [], 0.0
    for high, colour in zip(highs, PALETTE[len(PALETTE) - len(highs):]):
        classes.append({"low": low, "high": high, "colour": colour})
        low = high
    return classes


def colour_of(value: float | None, classes: list[dict], has_data: bool = True) -> str:
    if not value or value <= 0 or not classes:
        return NO_HARM if has_data else NO_DATA
    for c in classes:
        if value <= c["high"]:
            return c["colour"]
    return classes[-1]["colour"]


def choropleth(*, level: int, values: dict[int, dict], value_key: str,
               with_data: set[int] | None = None) -> tuple[dict, list[dict], int]:
    """A FeatureCollection of the areas of a level, coloured by ``values[id][value_key]``.

    Returns (feature collection, legend classes, number of areas without a boundary drawn).
    ``values`` maps area id to the properties shown in the tooltip. ``with_data``: the areas with
    any data in the period (areas_with_data); an area without a value and outside it is "no data",
    one inside it "no harm". None: every area has data. Each feature says which in ``state``
    ("harm", "none" or "nodata"), and carries its label point for the names drawn when zoomed in.
    """
    shapes = level_shapes(level=level)
    classes = colour_classes([v.get(value_key) or 0 for v in values.values()])
    features = []
    for pk, area in shapes.items():
        props = {"id": pk, "code": area["code"], "name": area["name"], "label": area["label"],
                 "url": reverse("sectors:area", args=[pk]), **values.get(pk, {})}
        value = props.get(value_key)
        has_data = with_data is None or pk in with_data or bool(value)
        props["state"] = "harm" if value and value > 0 else ("none" if has_data else "nodata")
        props["colour"] = colour_of(value, classes, has_data)
        features.append({"type": "Feature", "geometry": area["geometry"], "properties": props})
    missing = sum(1 for pk in values if pk not in shapes)
    return {"type": "FeatureCollection", "features": features}, classes, missing
