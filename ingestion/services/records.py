"""Record kinds (police.uk, force crimes, partner records): validate into a staging table, then upsert.

Valid rows are located batch by batch and written to a temporary staging table
on the run's own database connection (COPY on PostgreSQL, executemany
elsewhere), so memory stays flat and duplicate references are found by SQL.
The apply is one transaction: the file's distinct area and offence-type ids are
checked and locked (Stage.check_keys, in place of per-row foreign keys), existing
records that differ are updated by one join, and the new ones are inserted by an
INSERT ... SELECT ... WHERE NOT EXISTS (ON CONFLICT only for a reference inserted
meanwhile). The database reports how many rows it inserted or changed; the rest
are unchanged.
"""
import contextlib
import sys

import numpy as np
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from ingestion.models import Upload
from ingestion.readers import FileRejected, batches, open_table
from ingestion.schemas import SKIP, RowInvalid
from ingestion.services.bulk import bulk_load, bulk_months, records_relation
from ingestion.services.processing import batch_rows
from ingestion.services.staging import copy_applies, stage_copied
from records.keys import reference_key, reference_match
from records.services import record_months_claim, record_partitions_attach, record_partitions_ensure
from sectors.locator import current_locator
from sectors.selectors import ForceNotGiven

_STAGE_TYPES = [
    ("row_no", "integer"), ("external_ref", "varchar(100)"), ("occurred_on", "date"), ("month", "date"),
    ("lat", "double precision"), ("lon", "double precision"), ("area_id", "bigint"), ("sector_id", "bigint"),
    ("command_id", "bigint"), ("offence_type_id", "bigint"), ("drug_supply", "boolean"),
    ("cannabis_farm", "boolean"), ("firearms_discharge", "boolean"), ("details", "jsonb"),
]
_STAGE_COLUMNS = [name for name, _ in _STAGE_TYPES]
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
    run.progress()  # the header is read (for XLSX: the workbook opened and its text table loaded)
    # The rows are placed in the upload's force only (sectors.locator.current_locator).
    stage = Stage(upload.pk, force_id=upload.force_id, with_links=schema.kind == "crimes")
    try:
        counts, first = None, rows
        step = _BatchStep(run, schema, stage)
        if copy_applies(schema, fileobj):
            counts = stage_copied(run, schema, fileobj, stage, validate_batch=step)
            if counts is None:
                # COPY could not read it: from the start again, row by row. The first reader is
                # kept until the run ends (once collected it would close the file under this one).
                fileobj.seek(0)
                header, rows = open_table(fileobj)
        if counts is None:
            counts = _validate(run, rows, stage, step)
        del first
        key_column = schema.columns[0].name
        for row_no, ref, first_row in stage.duplicates():
            run.errors.add(row_no, key_column, f"reference {ref!r} already appears on row {first_row}")
        if run.errors.count:
            run.progress(rows_total=counts["total"], rows_skipped=counts["skipped"])
            return None
        run.progress(status=Upload.Status.APPLYING, rows_total=counts["total"], rows_skipped=counts["skipped"])
        source = record_source(schema, upload.organisation)
        if stage.force_id is None:
            # Created while the deployment held no force root (a rejected file needs none).
            raise ForceNotGiven("The upload names no force: the records of a force need its geography first")
        # Before the apply, in its own short transaction: creating a partition locks the whole table.
        # A month without a partition and with enough rows is loaded as a table of its own instead.
        month_rows = stage.month_rows()
        bulk = bulk_months(month_rows)
        record_partitions_ensure(months=[m for m in month_rows if m not in bulk])
        with transaction.atomic():
            run.lock(rows_of=f"records:{stage.force_id}:{source}")
            # Before any record is read: the months without a partition are held, and checked again.
            stage.bulk = dict.fromkeys(record_months_claim(months=month_rows, bulk=bulk))
            stage.check_keys()
            # PostgreSQL: the upsert returns where the changed records were (stage.replaced).
            old = set() if stage.postgres else stage.locations_changing(source, schema.record_kind)
            applied = stage.upsert(source, schema.record_kind, upload.pk)
            old |= stage.replaced
            if stage.with_links:
                relinked_places, relinked = stage.apply_links(source, upload.pk)
                old |= relinked_places
                applied += relinked
            new = stage.locations_of_upload(upload.pk)
            run.finish(Upload.Status.APPLIED, rows_applied=applied, rows_unchanged=counts["staged"] - applied,
                       rows_unlocated=counts["unlocated"])
            # Last, so the locks the attach takes are held only until the commit right after it.
            record_partitions_attach(tables=stage.bulk)
        return _affected(old | new)
    finally:
        stage.drop()


class _BatchStep:
    """One batch of rows through the schema: errors to the run, valid rows located and staged.

    Called with the counts to add to (total, skipped, staged, unlocated). The batch's rows
    go on streaming into the stage (PostgreSQL) while the caller reads the next batch: the
    caller ends that COPY (``stage.flush()``) before it sends any other statement.
    """

    def __init__(self, run, schema, stage):
        self.run, self.schema, self.stage = run, schema, stage
        self.locator, self.cache = current_locator(force_id=stage.force_id), {}

    def __call__(self, batch, counts: dict) -> None:
        run, schema = self.run, self.schema
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
                counts["skipped"] += 1
            else:
                good.append((row_no, clean))
        counts["total"] += len(batch)
        counts["unlocated"] += _locate(self.locator, good, self.cache)
        # The previous batch has been streaming into the stage while this one was parsed.
        self.stage.flush()
        run.progress(rows_validated=counts["total"])
        self.stage.write(good)
        counts["staged"] += len(good)


def _validate(run, rows, stage, step) -> dict:
    counts = {"total": 0, "skipped": 0, "staged": 0, "unlocated": 0}
    for batch in batches(rows, batch_rows()):
        step(batch, counts)
    stage.flush()
    if counts["total"] == 0:
        raise FileRejected("The file has a header but no data rows.", row=2)
    stage.analyze()
    return counts


# Distinct points remembered per run: police.uk snaps crimes to a finite set of
# anonymised map points, so after the first batches almost every point is known.
# Bounded, so memory stays flat whatever the file.
_POINT_CACHE_MAX = 200_000


def _locate(locator, good, cache: dict) -> int:
    """Set area/sector/command on each row; the number of points outside every area.

    The cache maps a point to its three ids and to the COPY text of the point and
    the ids ("54.97\t-1.61\t12\t34\t56"), so a known point costs one dict look-up per row.
    """
    pending = []
    for _, clean in good:
        lat = clean["lat"]
        if lat is None:
            clean["area_id"] = clean["sector_id"] = clean["command_id"] = None
            clean["_where"] = _NOWHERE
            continue
        known = cache.get((clean["lon"], lat))
        if known is None:
            pending.append(clean)
        else:
            clean["area_id"], clean["sector_id"], clean["command_id"], clean["_where"] = known
    outside = 0
    if pending:
        misses = list({(clean["lon"], clean["lat"]): None for clean in pending})
        points = np.array(misses, dtype=float)
        places = locator.places(points[:, 0], points[:, 1])
        if len(cache) + len(misses) > _POINT_CACHE_MAX:
            cache.clear()
        located = {point: _located(point, *place) for point, place in zip(misses, places)}
        cache.update(located)
        for clean in pending:
            clean["area_id"], clean["sector_id"], clean["command_id"], clean["_where"] = located[
                (clean["lon"], clean["lat"])]
    for _, clean in good:
        if clean["area_id"] is None and clean["sector_id"] is None and clean["command_id"] is None:
            outside += clean["lat"] is not None
    return outside


_NOWHERE = "\t".join(["\\N"] * 5)  # no point: lat, lon, area, sector, command all NULL


def _located(point, area_id, sector_id, command_id) -> tuple:
    lon, lat = point
    ids = tuple(None if v is None else int(v) for v in (area_id, sector_id, command_id))
    return (*ids, "\t".join(_copy_text(v) for v in (lat, lon, *ids)))


# COPY text format: backslash, tab, newline and carriage return are escaped; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        return repr(value)
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def _copy_lines(good) -> str:
    """The batch as COPY text, in _STAGE_COLUMNS order (lat, lon and the area ids come from _locate)."""
    lines = []
    append = lines.append
    days = {}
    for row_no, c in good:
        day = c["occurred_on"]
        dates = days.get(day)
        if dates is None:
            dates = days[day] = f"{day.isoformat()}\t{day.replace(day=1).isoformat()}"
        ref, offence, details = c["external_ref"], c["offence_type_id"], c["details"]
        if "\\" in ref or "\t" in ref or "\n" in ref or "\r" in ref:
            ref = ref.translate(_COPY_ESCAPES)
        if "\\" in details or "\t" in details or "\n" in details or "\r" in details:
            details = details.translate(_COPY_ESCAPES)
        append(
            f"{row_no}\t{ref}\t{dates}\t{c['_where']}\t{_NULL if offence is None else offence}\t"
            f"{'t' if c['drug_supply'] else 'f'}\t{'t' if c['cannabis_farm'] else 'f'}\t"
            f"{'t' if c['firearms_discharge'] else 'f'}\t{details}\n"
        )
    return "".join(lines)


_NULL = "\\N"


def _key(alias: str, other: str) -> str:
    """The record ``alias`` is the one of ``other``'s reference in this force and source, as SQL that the unique
    key serves (parameters: the force, the source)."""
    return f"{alias}.force_id = %s AND {alias}.source = %s AND {reference_match(alias, other)}"


def _affected(locations: set) -> dict:
    area_ids, months = set(), set()
    for area_id, sector_id, command_id, month in locations:
        area_ids.update(a for a in (area_id, sector_id, command_id) if a is not None)
        months.add(month)
    return {"area_ids": area_ids, "months": months}


class Stage:
    """A temporary staging table on this connection (dropped at the end of the run)."""

    def __init__(self, upload_id: int, *, force_id: int | None = None, with_links: bool = False):
        self.force_id = force_id  # the upload's force: every record written or looked up is this force's
        self.name = f"ingest_stage_{upload_id}"
        self.links = f"ingest_links_{upload_id}"
        self.with_links = with_links
        self.area_ids, self.offence_ids, self.written, self.replaced = set(), set(), set(), set()
        self.bulk = {}  # month: the table its rows are loaded into (ingestion.services.bulk), PostgreSQL
        self.staged_months = set()
        self.copying = None  # the COPY still streaming the last batch (PostgreSQL)
        self.postgres = connection.vendor == "postgresql"
        json_type = "jsonb" if self.postgres else "text"
        with connection.cursor() as cursor:
            self.drop()
            columns = ", ".join(f"{name} {json_type if name == 'details' else kind}" for name, kind in _STAGE_TYPES)
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({columns})")
            if with_links:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {self.links} (external_ref varchar(100), nominal_id bigint, "
                    "role varchar(10))"
                )

    def drop(self) -> None:
        self.abort()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.links}")

    def write(self, good) -> None:
        if not good:
            return
        for key in ("area_id", "sector_id", "command_id"):
            self.area_ids.update({c[key] for _, c in good})
        self.offence_ids.update({c["offence_type_id"] for _, c in good})
        links = [(c["external_ref"], nominal_id, role) for _, c in good for nominal_id, role in c.get("links", ())]
        if self.postgres and not self.with_links:
            # The COPY text is built here, one string per batch (a third of the cost of handing
            # psycopg one tuple per row), and sent by psycopg's writer thread: the COPY stays open
            # while the next batch is parsed, and flush() ends it.
            self.flush()
            copying = contextlib.ExitStack()
            try:
                # The psycopg cursor itself: Django's debug wrapper (DEBUG on) has a copy()
                # without psycopg's writer argument.
                cursor = copying.enter_context(connection.cursor()).cursor
                copy = copying.enter_context(cursor.copy(
                    f"COPY {self.name} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN",
                    writer=QueuedLibpqWriter(cursor)))
                copy.write(_copy_lines(good))
            except BaseException:
                copying.__exit__(*sys.exc_info())
                raise
            self.copying = copying
            return
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # the same cursor whether or not Django wraps it for DEBUG
                with raw.copy(f"COPY {self.name} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN") as copy:
                    copy.write(_copy_lines(good))
                if links:
                    with raw.copy(f"COPY {self.links} (external_ref, nominal_id, role) FROM STDIN") as copy:
                        for row in links:
                            copy.write_row(row)
            else:
                rows = [
                    (row_no, c["external_ref"], c["occurred_on"], c["occurred_on"].replace(day=1), c["lat"],
                     c["lon"], c["area_id"], c["sector_id"], c["command_id"], c["offence_type_id"],
                     c["drug_supply"], c["cannabis_farm"], c["firearms_discharge"], c["details"])
                    for row_no, c in good
                ]
                marks = ", ".join(["%s"] * len(_STAGE_COLUMNS))
                cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)
                if links:
                    cursor.executemany(f"INSERT INTO {self.links} VALUES (%s, %s, %s)", links)

    def fill_from(self, select: str) -> None:
        """Replace the stage by the rows of ``select`` (its columns in _STAGE_COLUMNS order).

        PostgreSQL only, and only before anything is staged (the caller guarantees both).
        CREATE TABLE ... AS, unlike INSERT ... SELECT, may run its SELECT on parallel workers
        (PostgreSQL 15); the casts keep the columns' types those of the stage created above.
        """
        casts = ", ".join(f"s.{name}::{kind} AS {name}" for name, kind in _STAGE_TYPES)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} AS SELECT {casts} FROM ({select}) s")

    def flush(self) -> None:
        """Wait for the COPY in progress (if any) to end."""
        copying, self.copying = self.copying, None
        if copying is not None:
            copying.close()

    def abort(self) -> None:
        """End the COPY in progress (if any) without its rows."""
        copying, self.copying = self.copying, None
        if copying is not None:
            try:
                raise RuntimeError("staging abandoned")
            except RuntimeError:
                with contextlib.suppress(Exception):
                    copying.__exit__(*sys.exc_info())

    def analyze(self) -> None:
        """Statistics for the planner: the apply joins the stage to ingestion_record."""
        if self.postgres:
            with connection.cursor() as cursor:
                # One column: enough for the row count and the joins on it; the whole
                # table (details included) costs as much as a tenth of the apply.
                cursor.execute(f"ANALYZE {self.name} (external_ref)")

    def check_keys(self) -> None:
        """The area and offence-type ids about to be written exist, and stay until the apply commits.

        ingestion_record has no database foreign keys on them (a trigger per row at
        commit); this is the same check once per distinct id (collected as the rows
        were staged), with the same lock a foreign key takes (FOR KEY SHARE), so a
        concurrent delete of one of them waits for the apply to commit.
        """
        lock = " FOR KEY SHARE" if self.postgres else ""
        with connection.cursor() as cursor:
            for table, wanted in (("sectors_area", self.area_ids), ("scoring_offencetype", self.offence_ids)):
                wanted = wanted - {None}
                if not wanted:
                    continue
                cursor.execute(f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(wanted))}){lock}",
                               sorted(wanted))
                missing = wanted - {row[0] for row in cursor.fetchall()}
                if missing:
                    raise RuntimeError(f"{table}: ids {sorted(missing)[:10]} no longer exist; nothing applied")

    def month_rows(self) -> dict:
        """The months of the staged rows and how many each (their partitions must exist before the apply)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT month, COUNT(*) FROM {self.name} GROUP BY month")
            rows = dict(cursor.fetchall())
        self.staged_months = set(rows)
        return rows

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
                f"JOIN {staged} s ON {_key('r', 's')} "
                f"WHERE {self._changed('r', 's')}",
                [kind, self.force_id, source],
            )
            return set(cursor.fetchall())

    def locations_of_upload(self, upload_id: int) -> set:
        if self.postgres:
            return self.written  # returned by the upsert itself
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT area_id, sector_id, command_id, month FROM ingestion_record "
                "WHERE force_id = %s AND upload_id = %s",
                [self.force_id, upload_id],
            )
            return set(cursor.fetchall())

    def upsert(self, source: str, kind: str, upload_id: int) -> int:
        """Insert new records and update changed ones; the number inserted or changed.

        Existing records are updated by one join (only those that differ); the rest,
        found by an anti-join, get an INSERT whose ON CONFLICT arm only matters for
        a record another upload inserted meanwhile. Sending every row through
        ON CONFLICT costs an index probe and a row lock per row even when nothing
        changed. On PostgreSQL each statement also returns where its rows are
        (``self.written``), so no index on upload_id is needed to find them again.

        A reference is one record of its force whatever its month: both statements look it up by
        (force, source, external_ref) in every month, so a record whose date moved to another month
        is updated, not inserted again, and on PostgreSQL the UPDATE of ``month`` moves the
        row to the other month's partition with its id (its nominal links stay). The unique
        key holds the month (a partitioned table's keys must); the caller's apply lock on the
        force and source (Run.lock) keeps a reference from being inserted twice in two months at once.
        """
        columns = ("force_id, kind, source, external_ref, occurred_on, month, lat, lon, area_id, sector_id, "
                   "command_id, "
                   "offence_type_id, drug_supply, cannabis_farm, firearms_discharge, upload_id, is_synthetic, details")
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COMPARED + ["upload_id"])
        staged = (f"SELECT %s AS kind, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
                  f"offence_type_id, drug_supply, cannabis_farm, firearms_discharge, FALSE AS is_synthetic, details "
                  f"FROM {self.name}")
        sets = ", ".join(f"{c} = s.{c}" for c in _COMPARED + ["upload_id"])
        update = (f"UPDATE ingestion_record AS r SET {sets} "
                  f"FROM (SELECT st.*, %s AS upload_id FROM ({staged}) st) s "
                  f"WHERE {_key('r', 's')} AND {self._changed('r', 's')}")
        # "WHERE NOT EXISTS ... ON CONFLICT": SQLite needs a WHERE to tell the SELECT from the ON CONFLICT.
        insert = (f"INSERT INTO ingestion_record AS r ({columns}) "
                  f"SELECT %s, %s, %s, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
                  f"offence_type_id, drug_supply, cannabis_farm, firearms_discharge, %s, FALSE, details "
                  f"FROM {self.name} s WHERE NOT EXISTS (SELECT 1 FROM ingestion_record e "
                  f"WHERE {_key('e', 's')}){self.insert_order()} "
                  f"ON CONFLICT (source, {reference_key()}, month, force_id) DO UPDATE SET {updates} "
                  f"WHERE {self._changed('r', 'excluded')}")
        applied = 0
        key = [self.force_id, source]
        self.written, self.replaced = set(), set()
        if self.bulk and self.staged_months <= set(self.bulk):  # the ordinary statements would find nothing
            return bulk_load(self, source=source, kind=kind, upload_id=upload_id)
        fresh, fresh_params = "", []
        if self.bulk:
            # Those rows go to their months' new tables (bulk_load), the records moving there included.
            fresh, fresh_params = " AND NOT (s.month = ANY(%s))", [sorted(self.bulk)]
            insert = insert.replace(" WHERE NOT EXISTS (", f" WHERE{fresh[4:]} AND NOT EXISTS (")
        if self.postgres:
            # The update, with the changed records' old places: one join of the stage to the records
            # finds what changed and where it was; the update then goes by primary key.
            changed = (f"SELECT r.id AS rid, r.area_id AS old_area_id, r.sector_id AS old_sector_id, "
                       f"r.command_id AS old_command_id, r.month AS old_month, s.* FROM ingestion_record r "
                       f"JOIN (SELECT st.*, %s AS upload_id FROM ({staged}) st) s "
                       f"ON {_key('r', 's')} WHERE {self._changed('r', 's')}{fresh}")
            with connection.cursor() as cursor:
                cursor.execute(
                    f"WITH c AS MATERIALIZED ({changed}), w AS (UPDATE ingestion_record AS r SET {sets} FROM c s "
                    "WHERE r.id = s.rid AND r.force_id = %s AND r.month = s.old_month "
                    "RETURNING s.old_area_id, s.old_sector_id, s.old_command_id, s.old_month, "
                    "r.area_id, r.sector_id, r.command_id, r.month) "
                    "SELECT *, COUNT(*) FROM w GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
                    [upload_id, kind, self.force_id, source, *fresh_params, self.force_id],
                )
                for row in cursor.fetchall():
                    self.replaced.add(row[:4])
                    self.written.add(row[4:8])
                    applied += row[8]
            statements = [(insert, [self.force_id, kind, source, upload_id, *fresh_params, *key])]
        else:
            statements = [(update, [upload_id, kind, *key]), (insert, [self.force_id, kind, source, upload_id, *key])]
        with connection.cursor() as cursor:
            for sql, params in statements:
                if self.postgres:
                    cursor.execute(
                        f"WITH w AS ({sql} RETURNING r.area_id, r.sector_id, r.command_id, r.month) "
                        "SELECT area_id, sector_id, command_id, month, COUNT(*) FROM w "
                        "GROUP BY area_id, sector_id, command_id, month",
                        params,
                    )
                    for area_id, sector_id, command_id, month, n in cursor.fetchall():
                        self.written.add((area_id, sector_id, command_id, month))
                        applied += n
                else:
                    cursor.execute(sql, params)
                    applied += cursor.rowcount
        if self.bulk:
            applied += bulk_load(self, source=source, kind=kind, upload_id=upload_id)
        return applied

    def insert_order(self) -> str:
        """The new records month by month, each month's in key order (PostgreSQL).

        The rows of a file in file order go to a different month's partition one after
        another, so the indexes of every month are written at once and outgrow the shared
        buffers; one month at a time, only that partition's are (a million new records of 12
        months: 23-53 s in file order, 12-32 s ordered, the sort included; docs/ingestion.md,
        "Insert order"). In key order the unique key's index fills page by page, and a month loaded
        as a new table (ingestion.services.bulk) has its rows in the order of that index, as the
        ordinary path gives them: the next upload's joins by reference then read the table in order.
        """
        # The text, not the key expression: a lowercase hex ID sorts the same either way, and sorting by
        # the expression cost 3 s more for a million rows (its value computed and carried by the sort).
        return " ORDER BY s.month, s.external_ref" if self.postgres else ""

    def apply_links(self, source: str, upload_id: int) -> tuple[set, int]:
        """Each crime's nominal links become exactly the file's (others are removed).

        Returns the places (area, sector, command, month) of every record whose set of
        links changed, and how many of those records the upsert left unchanged: a crime
        whose only change is its links is still a change, and its cells need rescoring.
        Called after the upsert, so new records are found (and not counted twice: their
        upload_id is this upload's).
        """
        key = [self.force_id, source]
        records = records_relation(self.bulk.values())  # with the loaded months not yet attached
        current = ("SELECT rn.record_id, rn.nominal_id, rn.role FROM nominals_recordnominal rn "
                   f"JOIN {records} r ON r.id = rn.record_id AND r.force_id = rn.force_id JOIN {self.name} s "
                   f"ON {_key('r', 's')}")
        wanted = (f"SELECT r.id, l.nominal_id, l.role FROM {self.links} l JOIN {records} r "
                  f"ON {_key('r', 'l')}")
        with connection.cursor() as cursor:
            # Set differences both ways, before the links are touched: the records losing or gaining a link.
            cursor.execute(
                "SELECT r.area_id, r.sector_id, r.command_id, r.month, "
                f"SUM(CASE WHEN r.upload_id = %s THEN 0 ELSE 1 END) FROM {records} r "
                "WHERE r.force_id = %s AND r.id IN ("
                f"SELECT record_id FROM ({current} EXCEPT {wanted}) gone "
                f"UNION SELECT id FROM ({wanted} EXCEPT {current}) added) "
                "GROUP BY r.area_id, r.sector_id, r.command_id, r.month",
                [upload_id, self.force_id, *key, *key, *key, *key],
            )
            places, relinked = set(), 0
            for *place, count in cursor.fetchall():
                places.add(tuple(place))
                relinked += count
            cursor.execute(
                "DELETE FROM nominals_recordnominal WHERE force_id = %s AND record_id IN ("
                f"SELECT r.id FROM {records} r JOIN {self.name} s "
                f"ON {_key('r', 's')}) "
                f"AND NOT EXISTS (SELECT 1 FROM {self.links} l JOIN {records} r2 "
                f"ON {_key('r2', 'l')} "
                "WHERE r2.id = nominals_recordnominal.record_id AND l.nominal_id = nominals_recordnominal.nominal_id "
                "AND l.role = nominals_recordnominal.role)",
                [self.force_id, *key, *key],
            )
            cursor.execute(
                "INSERT INTO nominals_recordnominal (record_id, nominal_id, role, force_id) "
                f"SELECT r.id, l.nominal_id, l.role, r.force_id FROM {self.links} l JOIN {records} r "
                f"ON {_key('r', 'l')} WHERE TRUE "
                "ON CONFLICT (record_id, nominal_id, role, force_id) DO NOTHING",
                key,
            )
        return places, relinked
