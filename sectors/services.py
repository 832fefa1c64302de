from django.db import transaction
from shapely.geometry import mapping, shape

from sectors.locator import Locator, boundaries_changed
from sectors.models import Area, Level


class BoundaryError(ValueError):
    pass


def areas_import(*, level: int, features: list[dict], code_property: str, name_property: str,
                 source: str, parent: Area | None = None) -> dict:
    """Create or update the areas of one level from GeoJSON features.

    The parent of each area is the area one level up containing its
    representative point (or ``parent`` when given, e.g. the force).
    Applied in one transaction: a bad feature leaves every area as it was.
    """
    prepared = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code, name = props.get(code_property), props.get(name_property)
        if not code or not name:
            raise BoundaryError(f"feature {number}: missing {code_property!r} or {name_property!r}")
        try:
            geom = shape(feature["geometry"])
        except Exception as exc:  # shapely raises several types for bad geometry
            raise BoundaryError(f"feature {number} ({code}): unreadable geometry: {exc}") from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise BoundaryError(f"feature {number} ({code}): expected a Polygon or MultiPolygon")
        if not geom.is_valid:
            geom = geom.buffer(0)
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        label = geom.representative_point()
        prepared.append((str(code), str(name), geom, (min_lon, min_lat, max_lon, max_lat), label))

    parent_ids: list[int | None] = [parent.id if parent else None] * len(prepared)
    if parent is None and level > Level.COMMAND:
        locator = Locator(list(Area.objects.filter(level=level - 1, boundary__isnull=False)
                               .values_list("id", "level", "boundary")))
        if locator.levels:
            found = locator.locate([p[4].x for p in prepared], [p[4].y for p in prepared])[level - 1]
            parent_ids = found

    with transaction.atomic():
        created = updated = 0
        for (code, name, geom, bbox, label), parent_id in zip(prepared, parent_ids):
            _, was_created = Area.objects.update_or_create(
                code=code,
                defaults=dict(
                    level=level, name=name, parent_id=parent_id, boundary=mapping(geom),
                    min_lon=bbox[0], min_lat=bbox[1], max_lon=bbox[2], max_lat=bbox[3],
                    label_lon=label.x, label_lat=label.y, source=source,
                ),
            )
            created += was_created
            updated += not was_created
        transaction.on_commit(boundaries_changed)
    return {"created": created, "updated": updated, "orphans": sum(1 for p in parent_ids if p is None)}
