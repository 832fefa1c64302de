"""Record kinds (police.uk, force crimes, partner records): validate into a staging table, then upsert.

Valid rows are located batch by batch and written to a temporary staging table
on the run's own database connection (COPY on PostgreSQL, executemany
elsewhere), so memory stays flat and duplicate references are found by SQL.
The apply is one INSERT ... SELECT ... ON CONFLICT (source, external_ref)
DO UPDATE ... WHERE <something changed>, in one transaction: the database
reports how many rows it inserted or changed, the rest are unchanged.
"""
import itertools

import numpy as np
from django.db import connection, transaction

from ingestion.models import Upload
from ingestion.readers import FileRejected, open_table
from ingestion.schemas import SKIP, RowInvalid
from ingestion.services.processing import BATCH_ROWS
from sectors.models import Level

_STAGE_COLUMNS = [
    "row_no", "external_ref", "occurred_on", "month", "lat", "lon", "area_id", "sector_id", "command_id",
    "offence_type_id", "drug_supply", "cannabis_farm", "firearms_discharge", "details",
]
# Compared to decide whether an existing record changed (and so counts as applied).
_COMPARED = [
    "kind", "occurred_on", "month", "lat", "lon", "area_id", "sector_id", "command_id", "offence_type_id",
    "drug_supply", "cannabis_farm", "firearms_discharge", "is_synthetic", "details",
]


def record_source(schema, organisation) -> str:
    """Who published the records: keeps one organisation's references apart from another's."""
    if schema.kind == "policeuk":
        return "policeuk"
    if schema.kind == "crimes":
        return "force"
    if organisation.kind == "partner":
        return organisation.code
    return f"{organisation.code}:{schema.record_kind}"  # the force sending a partner kind itself


def process_records(run, schema_class, fileobj) -> dict | None:
    upload = run.upload
    schema = schema_class(organisation=upload.organisation)
    header, rows = open_table(fileobj)
    problem = schema.header_problem(header)
    if problem:
        raise FileRejected(problem, row=1)
    stage = Stage(upload.pk, with_links=schema.kind == "crimes")
    try:
        counts = _validate(run, schema, rows, stage)
        key_column = schema.columns[0].name
        for row_no, ref, first in stage.duplicates():
            run.errors.add(row_no, key_column, f"reference {ref!r} already appears on row {first}")
        if run.errors.count:
            run.progress(rows_total=counts["total"], rows_skipped=counts["skipped"])
            return None
        run.progress(status=Upload.Status.APPLYING, rows_total=counts["total"], rows_skipped=counts["skipped"])
        source = record_source(schema, upload.organisation)
        with transaction.atomic():
            run.lock()
            old = stage.locations_changing(source, schema.record_kind)
            applied = stage.upsert(source, schema.record_kind, upload.pk)
            if stage.with_links:
                stage.apply_links(source)
            new = stage.locations_of_upload(upload.pk)
            run.finish(Upload.Status.APPLIED, rows_applied=applied, rows_unchanged=counts["staged"] - applied,
                       rows_unlocated=counts["unlocated"])
        return _affected(old | new)
    finally:
        stage.drop()


def _validate(run, schema, rows, stage) -> dict:
    from sectors.locator import current_locator

    locator, cache = current_locator(), {}
    total = skipped = staged = unlocated = 0
    while batch := list(itertools.islice(rows, BATCH_ROWS)):
        schema.prepare_batch([values for _, values in batch])
        good = []
        for row_no, values in batch:
            try:
                clean = schema.parse(values)
            except RowInvalid as exc:
                for column, message in exc.errors:
                    run.errors.add(row_no, column, message)
                continue
            if clean is SKIP:
                skipped += 1
            else:
                good.append((row_no, clean))
        total += len(batch)
        unlocated += _locate(locator, good, cache)
        stage.write(good)
        staged += len(good)
        run.progress(rows_validated=total)
    if total == 0:
        raise FileRejected("The file has a header but no data rows.", row=2)
    return {"total": total, "skipped": skipped, "staged": staged, "unlocated": unlocated}


# Distinct points remembered per run: police.uk snaps crimes to a finite set of
# anonymised map points, so after the first batches almost every point is known.
# Bounded, so memory stays flat whatever the file.
_POINT_CACHE_MAX = 200_000
_LEVELS = (Level.NEIGHBOURHOOD, Level.SECTOR, Level.COMMAND)


def _locate(locator, good, cache: dict) -> int:
    """Set area/sector/command on each row; the number of points outside every area."""
    misses = {}
    for _, clean in good:
        if clean["lat"] is not None:
            point = (clean["lon"], clean["lat"])
            if point not in cache:
                misses[point] = None
    if misses:
        points = np.array(list(misses), dtype=float)
        found = locator.locate(points[:, 0], points[:, 1])
        columns = [found.get(level) or [None] * len(points) for level in _LEVELS]
        if len(cache) + len(misses) > _POINT_CACHE_MAX:
            cache.clear()
        for i, point in enumerate(misses):
            cache[point] = (columns[0][i], columns[1][i], columns[2][i])
    outside = 0
    for _, clean in good:
        if clean["lat"] is None:
            clean["area_id"] = clean["sector_id"] = clean["command_id"] = None
            continue
        ids = cache.get((clean["lon"], clean["lat"]))
        if ids is None:  # the cache was cleared mid-batch: locate this point alone
            found = locator.locate([clean["lon"]], [clean["lat"]])
            ids = tuple((found.get(level) or [None])[0] for level in _LEVELS)
        clean["area_id"], clean["sector_id"], clean["command_id"] = ids
        if ids == (None, None, None):
            outside += 1
    return outside


def _affected(locations: set) -> dict:
    area_ids, months = set(), set()
    for area_id, sector_id, command_id, month in locations:
        area_ids.update(a for a in (area_id, sector_id, command_id) if a is not None)
        months.add(month)
    return {"area_ids": area_ids, "months": months}


class Stage:
    """A temporary staging table on this connection (dropped at the end of the run)."""

    def __init__(self, upload_id: int, *, with_links: bool = False):
        self.name = f"ingest_stage_{upload_id}"
        self.links = f"ingest_links_{upload_id}"
        self.with_links = with_links
        self.postgres = connection.vendor == "postgresql"
        json_type = "jsonb" if self.postgres else "text"
        with connection.cursor() as cursor:
            self.drop()
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.name} (row_no integer, external_ref varchar(100), occurred_on date, "
                "month date, lat double precision, lon double precision, area_id bigint, sector_id bigint, "
                "command_id bigint, offence_type_id bigint, drug_supply boolean, cannabis_farm boolean, "
                f"firearms_discharge boolean, details {json_type})"
            )
            if with_links:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.links} (external_ref varchar(100), nominal_id bigint, "
                    "role varchar(10))"
                )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.links}")

    def write(self, good) -> None:
        if not good:
            return
        rows = [
            (row_no, c["external_ref"], c["occurred_on"], c["occurred_on"].replace(day=1), c["lat"], c["lon"],
             c["area_id"], c["sector_id"], c["command_id"], c["offence_type_id"], c["drug_supply"],
             c["cannabis_farm"], c["firearms_discharge"], c["details"])
            for row_no, c in good
        ]
        links = [(c["external_ref"], nominal_id, role) for _, c in good for nominal_id, role in c.get("links", ())]
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {self.name} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                if links:
                    with cursor.copy(f"COPY {self.links} (external_ref, nominal_id, role) FROM STDIN") as copy:
                        for row in links:
                            copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(_STAGE_COLUMNS))
                cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)
                if links:
                    cursor.executemany(f"INSERT INTO {self.links} VALUES (%s, %s, %s)", links)

    def duplicates(self):
        """(row, reference, first row) for every row repeating an earlier row's reference."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.row_no, s.external_ref, d.first_row FROM {self.name} s JOIN ("
                f"SELECT external_ref, MIN(row_no) AS first_row FROM {self.name} GROUP BY external_ref "
                "HAVING COUNT(*) > 1) d ON d.external_ref = s.external_ref "
                "WHERE s.row_no > d.first_row ORDER BY s.row_no"
            )
            return cursor.fetchall()

    def _changed(self, old: str, new: str) -> str:
        same = "IS NOT DISTINCT FROM" if self.postgres else "IS"
        return "NOT (" + " AND ".join(f"{old}.{c} {same} {new}.{c}" for c in _COMPARED) + ")"

    def locations_changing(self, source: str, kind: str) -> set:
        """Where the records about to change are now (their old area and month also need rescoring)."""
        staged = (f"(SELECT %s AS kind, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
                  f"offence_type_id, drug_supply, cannabis_farm, firearms_discharge, FALSE AS is_synthetic, "
                  f"details, external_ref FROM {self.name})")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT r.area_id, r.sector_id, r.command_id, r.month FROM ingestion_record r "
                f"JOIN {staged} s ON r.source = %s AND r.external_ref = s.external_ref "
                f"WHERE {self._changed('r', 's')}",
                [kind, source],
            )
            return set(cursor.fetchall())

    def locations_of_upload(self, upload_id: int) -> set:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT area_id, sector_id, command_id, month FROM ingestion_record WHERE upload_id = %s",
                [upload_id],
            )
            return set(cursor.fetchall())

    def upsert(self, source: str, kind: str, upload_id: int) -> int:
        """Insert new records and update changed ones; the number inserted or changed."""
        columns = ("kind, source, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
                   "offence_type_id, drug_supply, cannabis_farm, firearms_discharge, upload_id, is_synthetic, details")
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COMPARED + ["upload_id"])
        with connection.cursor() as cursor:
            # "WHERE TRUE": SQLite needs it to tell the SELECT from the ON CONFLICT clause.
            cursor.execute(
                f"INSERT INTO ingestion_record AS r ({columns}) "
                f"SELECT %s, %s, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
                f"offence_type_id, drug_supply, cannabis_farm, firearms_discharge, %s, FALSE, details "
                f"FROM {self.name} WHERE TRUE "
                f"ON CONFLICT (source, external_ref) DO UPDATE SET {updates} "
                f"WHERE {self._changed('r', 'excluded')}",
                [kind, source, upload_id],
            )
            return cursor.rowcount

    def apply_links(self, source: str) -> None:
        """Each crime's nominal links become exactly the file's (others are removed)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM nominals_recordnominal WHERE record_id IN ("
                f"SELECT r.id FROM ingestion_record r JOIN {self.name} s "
                "ON r.source = %s AND r.external_ref = s.external_ref) "
                f"AND NOT EXISTS (SELECT 1 FROM {self.links} l JOIN ingestion_record r2 "
                "ON r2.source = %s AND r2.external_ref = l.external_ref "
                "WHERE r2.id = nominals_recordnominal.record_id AND l.nominal_id = nominals_recordnominal.nominal_id "
                "AND l.role = nominals_recordnominal.role)",
                [source, source],
            )
            cursor.execute(
                "INSERT INTO nominals_recordnominal (record_id, nominal_id, role) "
                f"SELECT r.id, l.nominal_id, l.role FROM {self.links} l JOIN ingestion_record r "
                "ON r.source = %s AND r.external_ref = l.external_ref WHERE TRUE "
                "ON CONFLICT (record_id, nominal_id, role) DO NOTHING",
                [source],
            )
