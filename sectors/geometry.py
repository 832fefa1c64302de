"""Which areas touch which: neighbours from the stored boundaries (shapely, in British National Grid metres).

Boundaries drawn by different hands rarely share their edges exactly, so two areas are neighbours
when their boundaries come within ``TOLERANCE_M`` metres of each other (touching at a corner counts).
"""
import numpy as np
import shapely

from sectors.locator import geometry_to_bng
from sectors.models import Area

TOLERANCE_M = 10.0


def neighbours(boundaries: dict[int, dict], of: set[int], tolerance_m: float = TOLERANCE_M) -> set[int]:
    """The ids among ``boundaries`` (id -> GeoJSON) within ``tolerance_m`` of any area of ``of``, less ``of``."""
    ids = [pk for pk in boundaries]
    if not ids or not of:
        return set()
    tree = shapely.STRtree([geometry_to_bng(boundaries[pk]) for pk in ids])
    sources = [geometry_to_bng(boundaries[pk]) for pk in of if pk in boundaries]
    if not sources:
        return set()
    _, hits = tree.query(sources, predicate="dwithin", distance=tolerance_m)
    return {ids[i] for i in np.unique(hits)} - set(of)


def touching_areas(*, area_ids: set[int], level: int) -> set[int]:
    """The areas of ``level`` whose boundaries touch any of ``area_ids`` (which may be of that level or not)."""
    if not area_ids:
        return set()
    rows = Area.objects.filter(level=level, boundary__isnull=False).values_list("id", "boundary")
    boundaries = dict(rows)
    extra = set(area_ids) - set(boundaries)
    if extra:
        boundaries.update(Area.objects.filter(pk__in=extra, boundary__isnull=False).values_list("id", "boundary"))
    return neighbours(boundaries, set(area_ids)) - set(area_ids)


def neighbour_map(*, level: int, tolerance_m: float = TOLERANCE_M) -> dict[int, set[int]]:
    """Every area of ``level`` -> the areas of that level within ``tolerance_m`` of it (one query)."""
    rows = list(Area.objects.filter(level=level, boundary__isnull=False).values_list("id", "boundary"))
    ids = [pk for pk, _ in rows]
    shapes = [geometry_to_bng(boundary) for _, boundary in rows]
    found: dict[int, set[int]] = {pk: set() for pk in ids}
    if shapes:
        for i, j in zip(*shapely.STRtree(shapes).query(shapes, predicate="dwithin", distance=tolerance_m)):
            if i != j:
                found[ids[i]].add(ids[j])
    return found
