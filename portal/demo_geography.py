"""The real Northumbria geography for the demo: force > LA (area command) > ward (sector) > LSOA."""
import json
from pathlib import Path

import shapely
from django.conf import settings
from shapely.geometry import mapping, shape

from sectors.models import Area, Level
from sectors.services import areas_import

DATA = Path(settings.BASE_DIR) / "data" / "boundaries"
WARDS = DATA / "northumbria_wards.geojson"
LSOAS = DATA / "northumbria_lsoa2011.geojson"
SOURCE_WARDS = "ONS/OS 2013/14 ward boundaries via martinjc/UK-GeoJSON (OGL v3, CC BY 4.0)"
SOURCE_LSOAS = "ONS/OS 2011 LSOA boundaries via martinjc/UK-GeoJSON (OGL v3, CC BY 4.0)"
FORCE_CODE = "E23000007"  # ONS code of the Northumbria police force area


def _features(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["features"]


def load_geography() -> dict:
    """Idempotent. Commands are the unions of each LA's wards, so wards nest exactly inside them."""
    wards = _features(WARDS)
    by_la: dict[str, tuple[str, list]] = {}
    for feature in wards:
        props = feature["properties"]
        by_la.setdefault(props["LAD_FILE_CODE"], (props["LAD_NAME"], []))[1].append(shape(feature["geometry"]))
    la_geoms = {code: (name, shapely.union_all(geoms)) for code, (name, geoms) in by_la.items()}

    force_geom = shapely.union_all([g for _, g in la_geoms.values()])
    areas_import(
        level=Level.FORCE,
        features=[{"properties": {"code": FORCE_CODE, "name": "Northumbria Police"}, "geometry": mapping(force_geom)}],
        code_property="code", name_property="name", source=SOURCE_WARDS + " (union)",
    )
    force = Area.objects.get(code=FORCE_CODE)
    commands = [
        {"properties": {"code": code, "name": name}, "geometry": mapping(geom)}
        for code, (name, geom) in sorted(la_geoms.items())
    ]
    areas_import(level=Level.COMMAND, features=commands, code_property="code", name_property="name",
                 source=SOURCE_WARDS + " (union by local authority)", parent=force)
    sectors = areas_import(level=Level.SECTOR, features=wards, code_property="WD13CD", name_property="WD13NM",
                           source=SOURCE_WARDS)
    neighbourhoods = areas_import(level=Level.NEIGHBOURHOOD, features=_features(LSOAS),
                                  code_property="LSOA11CD", name_property="LSOA11NM", source=SOURCE_LSOAS)
    return {"sectors": sectors, "neighbourhoods": neighbourhoods}
