"""Boundary uploads: a GeoJSON FeatureCollection for one level, imported by sectors.services.areas_import."""
import json

from django.db import transaction

from ingestion.models import Upload
from ingestion.readers import FileRejected
from sectors.models import Area, Level
from sectors.selectors import force_roots
from sectors.services import BoundaryError, areas_import

LEVELS = {Level.COMMAND, Level.SECTOR, Level.NEIGHBOURHOOD}


def process_boundaries(run, schema_class, fileobj) -> dict | None:
    options = run.upload.options or {}
    try:
        level = int(options.get("level"))
    except (TypeError, ValueError):
        level = None
    if level not in LEVELS:
        raise FileRejected("Option 'level' must be 1 (area command), 2 (sector) or 3 (neighbourhood).")
    code_property, name_property = options.get("code_property"), options.get("name_property")
    if not code_property or not name_property:
        raise FileRejected("Options 'code_property' and 'name_property' are required.")
    raw = fileobj.read()
    if not raw.strip():
        raise FileRejected("The file is empty.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FileRejected("The file is not UTF-8 text: save the GeoJSON as UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise FileRejected(f"Not GeoJSON: {exc.msg} at line {exc.lineno}.") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise FileRejected("Expected a GeoJSON FeatureCollection with at least one feature.")
    run.progress(rows_validated=len(features), rows_total=len(features), status=Upload.Status.APPLYING)
    # Area commands hang under the upload's force where there are several (an orphan command would
    # belong to none); lower levels find their parent by location, as before. A deployment of one
    # force keeps its commands as uploaded (its nominals homed under none count in its only force).
    parent = None
    if level == Level.COMMAND and run.upload.force_id is not None and len(force_roots()[:2]) > 1:
        parent = Area.objects.get(pk=run.upload.force_id)
    try:
        with transaction.atomic():
            run.lock()
            result = areas_import(level=level, features=features, code_property=code_property,
                                  name_property=name_property, parent=parent,
                                  source=f"upload {run.upload.pk}: {run.upload.original_name}")
            run.finish(Upload.Status.APPLIED, rows_applied=result["created"] + result["updated"])
    except BoundaryError as exc:
        raise FileRejected(str(exc)) from None
    # Records already located keep their areas: relocating them is a separate job.
    return {"area_ids": set(), "months": set()}
