"""Register kinds (nominals, groups, memberships, priority periods, referrals, activities): upsert by natural key.

These registers hold thousands of rows, not millions: valid rows are kept in
memory until the whole file is validated, then applied through the ORM in one
transaction, in batches.
"""
from django.db import transaction

from ingestion.models import Upload
from ingestion.readers import FileRejected, batches, open_table
from ingestion.schemas import RowInvalid
from ingestion.services.processing import batch_rows
from nominals.models import (
    DiversionReferral,
    Group,
    Membership,
    Nominal,
    PriorityStatus,
)
from sectors.locator import current_locator
from tasking.services.uploads import activities_apply

# kind: (model, natural key fields, fields set from the file)
_TARGETS = {
    "nominals": (Nominal, ("ref",), ("name", "born_on", "home_lat", "home_lon", "home_area_id", "home_sector_id",
                                      "home_command_id", "is_restricted")),
    "groups": (Group, ("ref",), ("name", "group_type")),
    "memberships": (Membership, ("nominal_id", "group_id", "started_on"), ("ended_on",)),
    "priority": (PriorityStatus, ("nominal_id", "started_on"), ("ended_on",)),
    "referrals": (DiversionReferral, ("ref",), ("nominal_id", "scheme", "referred_on", "outcome")),
}


def process_register(run, schema_class, fileobj) -> dict | None:
    schema = schema_class(organisation=run.upload.organisation)
    header, rows = open_table(fileobj)
    problem = schema.header_problem(header)
    if problem:
        raise FileRejected(problem, row=1)
    run.progress()  # the header is read (for XLSX: the workbook opened and its text table loaded)
    valid: dict = {}
    total = 0
    for batch in batches(rows, batch_rows()):
        schema.prepare_batch([values for _, values in batch])
        for row_no, values in batch:
            try:
                clean = schema.parse(values)
            except RowInvalid as exc:
                for column, message in exc.errors:
                    run.errors.add(row_no, column, message)
                continue
            key = clean.pop("key")
            if key in valid:
                run.errors.add(row_no, schema.columns[0].name, f"{_show(key)} already appears on row {valid[key][0]}")
            else:
                valid[key] = (row_no, clean)
        total += len(batch)
        run.progress(rows_validated=total)
    if total == 0:
        raise FileRejected("The file has a header but no data rows.", row=2)
    run.progress(rows_total=total)
    if run.errors.count:
        return None
    cleaned = [clean for _, clean in valid.values()]
    unlocated = _locate_homes(cleaned) if schema.kind == "nominals" else 0
    run.progress(status=Upload.Status.APPLYING)
    with transaction.atomic():
        run.lock(rows_of=f"register:{schema.kind}")
        if schema.kind == "activities":
            changed = activities_apply(cleaned=cleaned, upload=run.upload)
        else:
            changed = _upsert(schema.kind, cleaned, run.upload.pk)
        affected = _affected(schema.kind, changed)
        run.finish(Upload.Status.APPLIED, rows_applied=len(changed), rows_unchanged=len(cleaned) - len(changed),
                   rows_unlocated=unlocated)
    return affected


def _show(key) -> str:
    return " / ".join(key) if isinstance(key, tuple) else repr(key)


def _locate_homes(cleaned: list[dict]) -> int:
    for clean in cleaned:
        clean["home_area_id"] = clean["home_sector_id"] = clean["home_command_id"] = None
    located = [c for c in cleaned if c["home_lat"] is not None]
    if not located:
        return 0
    places = current_locator().places([c["home_lon"] for c in located], [c["home_lat"] for c in located])
    for clean, (area_id, sector_id, command_id) in zip(located, places):
        clean["home_area_id"], clean["home_sector_id"], clean["home_command_id"] = area_id, sector_id, command_id
    return sum(1 for c in located if not (c["home_area_id"] or c["home_sector_id"] or c["home_command_id"]))


def _upsert(kind: str, cleaned: list[dict], upload_id: int) -> list:
    """Create new rows and update changed ones; the objects created or changed."""
    model, key_fields, fields = _TARGETS[kind]
    changed = []
    for start in range(0, len(cleaned), 1000):
        chunk = cleaned[start:start + 1000]
        first = key_fields[0]
        existing = {
            tuple(getattr(obj, f) for f in key_fields): obj
            for obj in model.objects.filter(**{f"{first}__in": {c[first] for c in chunk}})
        }
        created, updated = [], []
        for clean in chunk:
            obj = existing.get(tuple(clean[f] for f in key_fields))
            if obj is None:
                created.append(model(upload_id=upload_id, **{f: clean[f] for f in key_fields + fields}))
            elif any(getattr(obj, f) != clean[f] for f in fields):
                for f in fields:
                    setattr(obj, f, clean[f])
                obj.upload_id = upload_id
                updated.append(obj)
        model.objects.bulk_create(created)
        if updated:
            model.objects.bulk_update(updated, list(fields) + ["upload_id"])
        changed += created + updated
    return changed


def _affected(kind: str, changed: list) -> dict:
    """A full recompute when the register changed anything that scores read.

    A person's home, a membership or a priority period moves cells in areas and
    months that are hard to bound exactly (old and new homes, old and new periods,
    the month span a full run writes); these registers are rare and small, so a
    full run is the scope that is right by construction. Referrals and activities
    carry no harm of their own (they are read by the profiles and pages): no recompute.
    """
    if kind in ("referrals", "activities") or not changed:
        return {}
    return {"full": True}
