"""Point-in-polygon location of records, done once at ingest.

Boundaries are projected to British National Grid (EPSG:27700) so that
containment is computed in metres, then indexed with a shapely 2 STRtree:
``query(points, predicate="within")`` does the bounding-box search and the
prepared containment test in one vectorised call.
"""
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from sectors.models import Area, Level
from sectors.selectors import other_forces_areas

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def to_bng(lons, lats):
    """WGS84 lon/lat arrays to BNG easting/northing arrays (metres)."""
    return _TO_BNG.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))


def to_wgs84(eastings, northings):
    """BNG easting/northing arrays to WGS84 lon/lat arrays."""
    return _TO_WGS84.transform(np.asarray(eastings, dtype=float), np.asarray(northings, dtype=float))


def geometry_to_bng(geojson: dict):
    geom = shape(geojson)
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_BNG.transform(xy[:, 0], xy[:, 1])))


@dataclass
class _LevelIndex:
    ids: np.ndarray
    tree: shapely.STRtree


class Locator:
    """Finds, for each point, the containing area at every level that has boundaries."""

    def __init__(self, areas: list[tuple[int, int, dict]]):
        by_level: dict[int, tuple[list, list]] = {}
        for area_id, level, boundary in areas:
            ids, geoms = by_level.setdefault(level, ([], []))
            ids.append(area_id)
            geoms.append(geometry_to_bng(boundary))
        self.levels = {
            level: _LevelIndex(np.asarray(ids, dtype=np.int64), shapely.STRtree(geoms))
            for level, (ids, geoms) in by_level.items()
        }

    @classmethod
    def from_database(cls, levels=(Level.COMMAND, Level.SECTOR, Level.NEIGHBOURHOOD),
                      excluded: frozenset = frozenset()) -> "Locator":
        rows = Area.objects.filter(level__in=levels, boundary__isnull=False).values_list("id", "level", "boundary")
        return cls([row for row in rows if row[0] not in excluded])

    def locate(self, lons, lats) -> dict[int, list[int | None]]:
        """Per level, the id of the area containing each point (None where none does).

        Points on a shared edge fall in the area with the lowest id, so the
        answer is deterministic.
        """
        lons = np.asarray(lons, dtype=float)
        n = len(lons)
        if n == 0:
            return {level: [] for level in self.levels}
        xs, ys = to_bng(lons, np.asarray(lats, dtype=float))
        points = shapely.points(xs, ys)
        result = {}
        for level, index in self.levels.items():
            found = np.full(n, -1, dtype=np.int64)
            point_idx, tree_idx = index.tree.query(points, predicate="within")
            if len(point_idx):
                area_ids = index.ids[tree_idx]
                # Lowest area id wins on shared edges: write in descending order.
                order = np.lexsort((-area_ids, point_idx))
                found[point_idx[order]] = area_ids[order]
            result[level] = [int(a) if a >= 0 else None for a in found]
        return result


    def places(self, lons, lats) -> list[tuple[int | None, int | None, int | None]]:
        """(neighbourhood, sector, command) ids per point: what a record or a home stores."""
        found = self.locate(lons, lats)
        n = len(lons)
        columns = [found.get(level) or [None] * n for level in (Level.NEIGHBOURHOOD, Level.SECTOR, Level.COMMAND)]
        return list(zip(*columns))


    def intersecting(self, geojson: dict, level: int = Level.SECTOR) -> list[int]:
        """Ids of the areas of ``level`` a GeoJSON geometry (WGS84) intersects, lowest id first."""
        index = self.levels.get(level)
        if index is None:
            return []
        found = index.tree.query(geometry_to_bng(geojson), predicate="intersects")
        return sorted(int(i) for i in index.ids[found])


_cache: dict = {}


def current_locator(*, force_id: int | None = None) -> Locator:
    """A locator for the boundaries now in the database, rebuilt when they change.

    With ``force_id``, one that knows only that force's areas (and those under no force root):
    the rows of a force's upload are placed in its own geography or nowhere, never in a
    neighbouring force's. A deployment of one force has one locator either way.
    """
    from django.db.models import Count, Max

    key = tuple(Area.objects.filter(boundary__isnull=False).aggregate(n=Count("id"), m=Max("id")).values())
    key = key + (_boundaries_version(),)
    excluded = other_forces_areas(force_id=force_id) if force_id is not None else frozenset()
    slot = hash(excluded) if excluded else None
    if _cache.get(("key", slot)) != key:
        _cache[("locator", slot)] = Locator.from_database(excluded=excluded)
        _cache[("key", slot)] = key
    return _cache[("locator", slot)]


def _boundaries_version() -> int:
    from django.core.cache import cache

    return cache.get("sectors:boundaries_version", 0)


def boundaries_changed() -> None:
    """Tell every process that boundaries were replaced (called by the boundary service)."""
    from django.core.cache import cache

    try:
        cache.incr("sectors:boundaries_version")
    except ValueError:
        cache.set("sectors:boundaries_version", 1, None)
