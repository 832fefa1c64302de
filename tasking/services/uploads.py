"""Applying an uploaded file of activities (validated by ingestion.schemas.activities): create or update by ref."""
from django.db import transaction

from core.models import Organisation
from tasking.models import Activity
from tasking.services.activities import activity_create, activity_update


def _same(activity: Activity, row: dict) -> bool:
    return (activity.kind, activity.title, activity.started_on, activity.ended_on, activity.organisation_id,
            activity.target_lat, activity.target_lon, activity.notes) == (
        row["kind"], row["title"], row["started_on"], row["ended_on"] or row["started_on"], row["organisation_id"],
        row["lat"], row["lon"], row["notes"])


def activities_apply(*, cleaned: list[dict], upload) -> list[Activity]:
    """Create the new activities and update those whose ref exists; the activities created or changed.

    Called inside the upload's apply transaction: any error undoes the whole file.
    """
    existing = {a.ref: a for a in Activity.objects.filter(ref__in=[r["ref"] for r in cleaned])
                .prefetch_related("areas", "groups", "nominals")}
    organisations = Organisation.objects.in_bulk({r["organisation_id"] for r in cleaned})
    changed = []
    with transaction.atomic():
        for row in cleaned:
            kwargs = dict(user=upload.uploaded_by, kind=row["kind"], title=row["title"],
                          started_on=row["started_on"], ended_on=row["ended_on"],
                          organisation=organisations[row["organisation_id"]], areas=row["area_ids"],
                          lat=row["lat"], lon=row["lon"], groups=row["groups"], nominals=row["nominals"],
                          notes=row["notes"], upload_id=upload.pk)
            activity = existing.get(row["ref"])
            if activity is None:
                changed.append(activity_create(ref=row["ref"], **kwargs))
            elif not _same(activity, row) or _links(activity) != _links_of(row, activity):
                changed.append(activity_update(activity=activity, **kwargs))
    return changed


def _links(activity: Activity) -> tuple:
    return ({a.pk for a in activity.areas.all()}, {g.pk for g in activity.groups.all()},
            {n.pk for n in activity.nominals.all()})


def _links_of(row: dict, activity: Activity) -> tuple:
    # A point adds the sector it lies in: compare against the areas the activity holds beyond those listed.
    areas = set(row["area_ids"]) if row["lat"] is None else {a.pk for a in activity.areas.all()} | set(row["area_ids"])
    return areas, set(row["groups"]), set(row["nominals"])
