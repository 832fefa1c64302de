"""Register kinds (nominals, groups, memberships, priority periods, referrals): upsert by natural key.

These registers hold thousands of rows, not millions: valid rows are kept in
memory until the whole file is validated, then applied through the ORM in one
transaction, in batches.
"""
import datetime as dt
import itertools

from django.db import transaction

from ingestion.models import Record, Upload
from ingestion.readers import FileRejected, open_table
from ingestion.schemas import RowInvalid
from ingestion.services.processing import BATCH_ROWS
from nominals.models import DiversionReferral, Group, Membership, Nominal, PriorityStatus, RecordNominal
from scoring.months import months_between

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
    valid: dict = {}
    total = 0
    while batch := list(itertools.islice(rows, BATCH_ROWS)):
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
        run.lock()
        changed = _upsert(schema.kind, cleaned, run.upload.pk)
        affected = _affected(schema.kind, changed)
        run.finish(Upload.Status.APPLIED, rows_applied=len(changed), rows_unchanged=len(cleaned) - len(changed),
                   rows_unlocated=unlocated)
    return affected


def _show(key) -> str:
    return " / ".join(key) if isinstance(key, tuple) else repr(key)


def _locate_homes(cleaned: list[dict]) -> int:
    from sectors.locator import current_locator

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
    """Areas and months whose scores may move: the people's homes and their linked records.

    Referrals carry no harm of their own (they are read by the profiles), so they
    trigger no recompute.
    """
    if kind == "referrals" or not changed:
        return {"area_ids": set(), "months": set()}
    if kind == "groups":
        nominal_ids = set(Membership.objects.filter(group__in=changed).values_list("nominal_id", flat=True))
    elif kind == "nominals":
        nominal_ids = {obj.pk for obj in changed}
    else:
        nominal_ids = {obj.nominal_id for obj in changed}
    area_ids, months = set(), set()
    for row in Nominal.objects.filter(pk__in=nominal_ids).values_list("home_area_id", "home_sector_id",
                                                                       "home_command_id"):
        area_ids.update(a for a in row if a)
    records = Record.objects.filter(
        pk__in=RecordNominal.objects.filter(nominal_id__in=nominal_ids).values("record_id")
    )
    for row in records.values_list("area_id", "sector_id", "command_id", "month").distinct():
        area_ids.update(a for a in row[:3] if a)
        months.add(row[3])
    for obj in changed:
        if hasattr(obj, "started_on"):
            # At most 20 years of months from the start of a period.
            months.update(months_between(obj.started_on, obj.ended_on or dt.date.today())[:240])
    return {"area_ids": area_ids, "months": months}

