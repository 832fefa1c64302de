"""Builds static/sectors/context.json, the light context layer every map draws without internet tiles.

    .venv/bin/python data/context/build.py

Inputs (both in data/, provenance in data/PROVENANCE.md): the North East local authority outlines
(boundaries/north_east_lad_simplified.geojson) and the main places (context/north_east_places.csv).
The outlines are simplified further (display only, at the zooms the pages use) and rounded, so the
file stays small enough to come with every map; it is static, so the browser caches it once.
"""
import csv
import json
from pathlib import Path

from shapely.geometry import mapping, shape

DATA = Path(__file__).resolve().parents[1]
OUTLINES = DATA / "boundaries" / "north_east_lad_simplified.geojson"
PLACES = DATA / "context" / "north_east_places.csv"
TARGET = DATA.parent / "static" / "sectors" / "context.json"
SIMPLIFY_DEGREES = 0.0015  # 100 m to 170 m: invisible at a force's zoom, enough to place a sector
DECIMALS = 4
ATTRIBUTION = ("Outlines: ONS/OS, OGL v3, via martinjc/UK-GeoJSON (CC BY 4.0); "
               "places: GeoNames (CC BY 4.0)")


def _round(obj):
    if isinstance(obj, float):
        return round(obj, DECIMALS)
    if isinstance(obj, (list, tuple)):
        return [_round(o) for o in obj]
    return obj


def outlines() -> dict:
    features = []
    for feature in json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        geometry = mapping(shape(feature["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True))
        features.append({"type": "Feature", "properties": {"code": props["LAD13CD"], "name": props["LAD13NM"]},
                         "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def places() -> list[dict]:
    """Largest first: the map labels the larger places first and the smaller ones as it zooms in."""
    with open(PLACES, newline="", encoding="utf-8") as handle:
        rows = [{"name": r["name"], "lat": round(float(r["latitude"]), DECIMALS),
                 "lon": round(float(r["longitude"]), DECIMALS), "population": int(r["population"])}
                for r in csv.DictReader(handle)]
    return sorted(rows, key=lambda p: (-p["population"], p["name"]))


def context_layer() -> dict:
    return {"attribution": ATTRIBUTION, "outlines": outlines(), "places": places()}


def text() -> str:
    return json.dumps(context_layer(), separators=(",", ":"), ensure_ascii=False) + "\n"


if __name__ == "__main__":
    TARGET.write_text(text(), encoding="utf-8")
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes")
