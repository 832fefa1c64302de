"""Writing activities: the only place an Activity is created or changed (pages, uploads and the demo call it).

The targeted areas are those given, plus the sectors a point lies in or a polygon intersects
(sectors.locator); a point or polygon outside every sector of the force is refused.
"""
from collections.abc import Iterable
from datetime import date

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from shapely.geometry import shape

from core.audit import audit_record
from core.models import AuditEvent, Organisation
from sectors.locator import current_locator
from sectors.models import Area, Level
from tasking.models import Activity, ActivityKind

OUTSIDE = "lies outside the force's sectors: check the coordinates (WGS84 latitude and longitude)"


def _check_polygon(boundary) -> dict:
    if not isinstance(boundary, dict) or boundary.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError({"target_boundary": "give a GeoJSON Polygon or MultiPolygon (lon/lat)"})
    try:
        geom = shape(boundary)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException):
        raise ValidationError({"target_boundary": "not a readable GeoJSON polygon"}) from None
    if geom.is_empty or not geom.is_valid:
        raise ValidationError({"target_boundary": "the polygon is empty or crosses itself"})
    return boundary


def activity_targets(*, lat: float | None, lon: float | None, boundary: dict | None) -> list[int]:
    """The sectors a point lies in and a polygon intersects; ValidationError when either is outside the force."""
    found: list[int] = []
    if (lat is None) != (lon is None):
        raise ValidationError({"target_lat": "give both latitude and longitude, or neither"})
    locator = current_locator()
    if lat is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"target_lat": f"{lat},{lon} is not a latitude and longitude"})
        sector = locator.places([lon], [lat])[0][1]
        if sector is None:
            raise ValidationError({"target_lat": f"The point {lat},{lon} {OUTSIDE}"})
        found.append(sector)
    if boundary is not None:
        hit = locator.intersecting(_check_polygon(boundary), Level.SECTOR)
        if not hit:
            raise ValidationError({"target_boundary": f"The polygon {OUTSIDE}"})
        found += hit
    return found


def _validate(*, kind: str, title: str, started_on: date, ended_on: date | None, organisation) -> date:
    errors = {}
    if kind not in ActivityKind.values:
        errors["kind"] = f"{kind!r} is not a kind of activity ({', '.join(ActivityKind.values)})"
    if not title or not title.strip():
        errors["title"] = "is required"
    ended_on = ended_on or started_on
    if started_on and ended_on < started_on:
        errors["ended_on"] = "ends before it starts"
    if started_on and started_on > timezone.localdate():
        errors["started_on"] = "starts in the future: record an activity once it has begun"
    if not isinstance(organisation, Organisation):
        errors["organisation"] = "is required"
    if errors:
        raise ValidationError(errors)
    return ended_on


def _apply(activity: Activity, *, areas, lat, lon, boundary, groups, nominals) -> list[int]:
    targets = activity_targets(lat=lat, lon=lon, boundary=boundary)
    area_ids = sorted({a.pk if isinstance(a, Area) else int(a) for a in areas} | set(targets))
    if not area_ids:
        raise ValidationError({"areas": "choose at least one sector, or give a point or a polygon"})
    activity.areas.set(area_ids)
    activity.groups.set(list(groups))
    activity.nominals.set(list(nominals))
    return area_ids


def activity_create(*, user, ref: str, kind: str, title: str, started_on: date, ended_on: date | None,
                    organisation: Organisation, areas: Iterable = (), lat: float | None = None,
                    lon: float | None = None, boundary: dict | None = None, groups: Iterable = (),
                    nominals: Iterable = (), notes: str = "", upload_id: int | None = None,
                    is_synthetic: bool = False, audit: bool = True) -> Activity:
    ended_on = _validate(kind=kind, title=title, started_on=started_on, ended_on=ended_on, organisation=organisation)
    if Activity.objects.filter(ref=ref).exists():
        raise ValidationError({"ref": f"an activity {ref!r} already exists"})
    with transaction.atomic():
        activity = Activity.objects.create(
            ref=ref, kind=kind, title=title.strip(), started_on=started_on, ended_on=ended_on,
            organisation=organisation, target_lat=lat, target_lon=lon, target_boundary=boundary, notes=notes,
            created_by=user if user is not None and user.is_authenticated else None, upload_id=upload_id,
            is_synthetic=is_synthetic)
        area_ids = _apply(activity, areas=areas, lat=lat, lon=lon, boundary=boundary, groups=groups,
                          nominals=nominals)
        if audit:
            _audit(user, activity, "create", area_ids)
    return activity


def activity_update(*, user, activity: Activity, kind: str, title: str, started_on: date, ended_on: date | None,
                    organisation: Organisation, areas: Iterable = (), lat: float | None = None,
                    lon: float | None = None, boundary: dict | None = None, groups: Iterable = (),
                    nominals: Iterable = (), notes: str = "", upload_id: int | None = None,
                    audit: bool = True) -> Activity:
    ended_on = _validate(kind=kind, title=title, started_on=started_on, ended_on=ended_on, organisation=organisation)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        fields = dict(kind=kind, title=title.strip(), started_on=started_on, ended_on=ended_on,
                      organisation=organisation, target_lat=lat, target_lon=lon, target_boundary=boundary,
                      notes=notes, updated_at=timezone.now())
        if upload_id is not None:
            fields["upload_id"] = upload_id
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.save(update_fields=list(fields))
        area_ids = _apply(activity, areas=areas, lat=lat, lon=lon, boundary=boundary, groups=groups,
                          nominals=nominals)
        if audit:
            _audit(user, activity, "update", area_ids)
    return activity


def _audit(user, activity: Activity, operation: str, area_ids: list[int]) -> None:
    audit_record(user=user, username=None if user is not None and user.is_authenticated else "(system)",
                 action=AuditEvent.Action.ADMIN_CHANGE, object_type="activity", object_id=activity.pk,
                 detail={"operation": operation, "ref": activity.ref, "kind": activity.kind, "areas": area_ids,
                         "upload": activity.upload_id})
