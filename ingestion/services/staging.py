"""police.uk CSV files validated in PostgreSQL: the raw bytes COPY'd into a text table, checked there.

The file's bytes are streamed (1 MB at a time) into a table of twelve text
columns numbered in file order (unlogged, so that parallel workers may read it),
then one CREATE TABLE ... AS puts every row that is certainly valid into the
stage the upsert reads (Stage), with its month,
crime type and point joined from three small tables. Those tables hold the
file's *distinct* months, crime types and (longitude, latitude) texts, each
judged by the Python schema itself (PoliceUkSchema._month, the crime-type list,
float() and check_lat_lon) and each point located once. So SQL only decides
which rows need no further look; every other row (an error, an anti-social
behaviour row with odd spacing, an over-long field...) is read back and parsed
by the same Python code as the row-by-row path, which gives the same messages,
skips and clean rows, numbered as the spreadsheet shows them.

PostgreSQL only. ``stage_copied`` returns None, with nothing staged, when COPY
might not read the file as the csv module does (a quote anywhere, the ``\\.``
end-of-data marker, a server that does not check UTF-8) or cannot read it at all
(ragged rows, a bad byte, a NUL, blank lines inside the file), or when a field is
longer than the csv reader accepts: the caller then runs the Python path on the
whole file, which reports exactly what it always did.
"""
import re

import numpy as np
import psycopg
from django.db import connection, transaction

from ingestion.models import Upload
from ingestion.readers import MAX_FIELD_CHARS, FileRejected, raw_file
from ingestion.schemas.base import MAX_TEXT, check_lat_lon
from ingestion.schemas.policeuk import CRIME_TYPES
from ingestion.services.processing import batch_rows
from sectors.locator import current_locator

CHUNK = 1 << 20
_COLUMNS = [f"c{i}" for i in range(12)]
# A valid Crime ID as written (the Python check strips it first: " ab" is left to Python). A bounded
# repeat ("^[A-Za-z0-9]{1,100}$") costs PostgreSQL's regex engine 40 times more than this.
_REF_OK = "(r.c0 !~ '[^A-Za-z0-9]' AND octet_length(r.c0) BETWEEN 1 AND 100)"
_BLANK = " AND ".join(f"coalesce(r.{c}, '') = ''" for c in _COLUMNS)
# Bytes, not characters: a row of multi-byte text near the limit is left to Python, never wrongly passed.
_SHORT = f"greatest({', '.join(f'octet_length(r.{c})' for c in _COLUMNS)}) <= {MAX_TEXT}"
_JOINS = ("LEFT JOIN {months} m ON m.raw = coalesce(r.c1, '') "
          "LEFT JOIN {types} t ON t.raw = coalesce(r.c9, '') "
          "LEFT JOIN {points} p ON p.lon_text = coalesce(r.c4, '') AND p.lat_text = coalesce(r.c5, '')")
_GOOD = (f"({_REF_OK} AND m.day IS NOT NULL AND t.crime_type IS NOT NULL AND p.lon_text IS NOT NULL "
         f"AND {_SHORT})")
_SKIPPED = f"(coalesce(r.c0, '') = '' AND t.crime_type = 'Anti-social behaviour' AND {_SHORT})"


class _NotCopyable(Exception):
    """COPY might read this file differently from the csv module."""


def copy_applies(schema, fileobj) -> bool:
    """Whether the SQL path may try this upload: police.uk, CSV (not a workbook), PostgreSQL."""
    if schema.kind != "policeuk" or connection.vendor != "postgresql":
        return False
    raw = raw_file(fileobj)
    position = raw.tell()
    raw.seek(0)
    head = raw.read(4)
    raw.seek(position)
    return not head.startswith(b"PK")


def stage_copied(run, schema, fileobj, stage, *, validate_batch) -> dict | None:
    """Validate and stage a police.uk CSV in SQL; the counts, or None to use the Python path.

    ``validate_batch(batch, counts)`` is the row-by-row path's own step (parse, locate, stage,
    count) for the rows SQL did not pass.
    """
    names = _Names(stage.name)
    try:
        with transaction.atomic():  # a savepoint in a caller's transaction: a failed COPY undoes only itself
            _create_raw(names)
            rows = _copy_file(names.raw, fileobj)
    except (_NotCopyable, psycopg.errors.DataError):
        _drop(names)
        return None
    try:
        counts = _stage(run, schema, stage, names, rows, validate_batch)
    except _NotCopyable:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {stage.name}")
        stage.area_ids.clear()
        stage.offence_ids.clear()
        return None
    finally:
        _drop(names)
    return counts


class _Names:
    def __init__(self, stage_name: str):
        self.raw, self.other = f"{stage_name}_raw", f"{stage_name}_other"
        self.months, self.types, self.points = f"{stage_name}_months", f"{stage_name}_types", f"{stage_name}_points"
        self.scratch = "TEMPORARY"  # how the raw rows and the look-ups are kept: see _create_raw

    def all(self):
        return [self.raw, self.other, self.months, self.types, self.points]


def _drop(names: _Names) -> None:
    with connection.cursor() as cursor:
        for name in names.all():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


SCRATCH_PATTERN = r"^ingest_stage_(\d+)_(raw|other|months|types|points)$"


def orphans_drop(cursor) -> list[str]:
    """Drop the unlogged scratch tables of uploads no longer being processed; the names dropped.

    Staging runs outside the apply's transaction, so a worker killed while staging (a restart, the
    out-of-memory killer) leaves its upload's unlogged tables behind; only another run of the same
    upload would drop them. Every staging run therefore clears those of uploads that are not
    validating or applying. Those of a run in progress are left alone.
    """
    cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 'u' AND relkind = 'r' "
                   "AND relnamespace = current_schema()::regnamespace AND relname ~ %s", [SCRATCH_PATTERN])
    found = {name: int(re.match(SCRATCH_PATTERN, name).group(1)) for (name,) in cursor.fetchall()}
    running = set(Upload.objects.filter(pk__in=set(found.values()),
                                        status__in=[Upload.Status.VALIDATING, Upload.Status.APPLYING])
                  .values_list("pk", flat=True))
    dropped = sorted(name for name, upload_id in found.items() if upload_id not in running)
    for name in dropped:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return dropped


def _create_raw(names: _Names) -> None:
    """The raw table, UNLOGGED where the role may create tables, else TEMPORARY.

    Parallel workers cannot read a temporary table, so only unlogged raw rows and look-ups let
    the two statements that read every raw row run on two cores. Unlogged tables are seen by
    every session: their names are the upload's own (one run at a time holds its claim), and
    they are dropped when staging ends, or by the next run of the same upload after a crash.
    """
    raw = names.raw
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        if cursor.fetchone()[0] != "UTF8":
            raise _NotCopyable("the server does not check UTF-8")  # SQL_ASCII would take any byte
        cursor.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')")
        names.scratch = "UNLOGGED" if cursor.fetchone()[0] else "TEMPORARY"
        if names.scratch == "UNLOGGED":
            orphans_drop(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {raw}")
        cursor.execute(f"CREATE {names.scratch} TABLE {raw} (n bigint GENERATED ALWAYS AS IDENTITY, "
                       f"{', '.join(f'{c} text' for c in _COLUMNS)})")


def _copy_file(raw: str, fileobj) -> int:
    """Stream the file's bytes into the raw table (the header line is skipped); the rows COPY'd.

    Trailing line ends are dropped (the csv module ignores trailing blank lines,
    COPY would call them rows with missing columns); one stays.
    """
    source = raw_file(fileobj)
    source.seek(0)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {raw} ({', '.join(_COLUMNS)}) FROM STDIN "
                                "WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')") as copy:
            held = b""
            while chunk := source.read(CHUNK):
                if b'"' in chunk:
                    raise _NotCopyable("quoted fields")  # COPY and the csv module treat stray quotes apart
                if b"\\." in held[-1:] + chunk:
                    raise _NotCopyable("end-of-data marker")  # COPY would stop reading at a line "\."
                if held:
                    copy.write(held)
                held = chunk
            body = held.rstrip(b"\r\n")
            ending = held[len(body):]
            copy.write(body + (b"\r\n" if ending.startswith(b"\r\n") else ending[:1]))
        rows = cursor.cursor.rowcount
    source.seek(0)
    return rows


def _stage(run, schema, stage, names: _Names, rows: int, validate_batch) -> dict:
    with connection.cursor() as cursor:
        # The distinct look-ups and the joins' hash tables fit in memory (the default 4 MB spills);
        # the joins are hash joins whatever the estimates (a nested loop over the points is quadratic).
        cursor.execute("SET work_mem = '64MB'")
        cursor.execute("SET enable_nestloop = off")
        try:
            # The row count is what the plans need: a sample of 300 rows, not 30,000.
            cursor.execute("SET default_statistics_target = 1")
            cursor.execute(f"ANALYZE {names.raw}")
            cursor.execute("RESET default_statistics_target")
            blank = _lookups(cursor, schema, names, force_id=stage.force_id)
            staged, unlocated = _insert_good(cursor, stage, names)
            _set_aside(cursor, names)
        finally:
            cursor.execute("RESET work_mem")
            cursor.execute("RESET enable_nestloop")
    # The rows Python reads are counted by it (total, skipped...); the rest here.
    counts = {"total": 0, "skipped": 0, "staged": 0, "unlocated": 0}
    _parse_others(stage, names, counts, validate_batch)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {names.other}")
        others = cursor.fetchone()[0]
    # Every row is passed, skipped (anti-social behaviour), blank or set aside for Python.
    counts["total"] += rows - blank - others
    counts["skipped"] += rows - blank - others - staged
    counts["staged"] += staged
    counts["unlocated"] += unlocated
    if counts["total"] == 0:
        raise FileRejected("The file has a header but no data rows.", row=2)
    run.progress(rows_validated=counts["total"])
    stage.analyze()
    return counts


# GROUPING(m, t, lon, lat): a bit set for each column not grouped by (m is the highest bit).
_MONTH_SET, _TYPE_SET, _POINT_SET = 0b0111, 0b1011, 0b1100


def _lookups(cursor, schema, names: _Names, *, force_id: int | None) -> int:
    """The file's distinct months, crime types and points, each judged once by the Python rules.

    Returns the number of blank rows (every field empty).
    """
    # One scan for the three look-ups (grouping sets: one hash table each), which also counts the
    # blank rows (every field empty) under the months. GROUPING() says which set a row is from.
    cursor.execute(
        "SELECT GROUPING(m, t, lon, lat), m, t, lon, lat, count(*) FILTER (WHERE blank) FROM ("
        "SELECT coalesce(r.c1, '') AS m, coalesce(r.c9, '') AS t, coalesce(r.c4, '') AS lon, "
        f"coalesce(r.c5, '') AS lat, {_BLANK} AS blank FROM {names.raw} r) x "
        "GROUP BY GROUPING SETS ((m), (t), (lon, lat))"
    )
    distinct = {_MONTH_SET: [], _TYPE_SET: [], _POINT_SET: []}
    for grouping, month, crime_type, lon, lat, blanks in cursor.fetchall():
        distinct[grouping].append((month, blanks) if grouping == _MONTH_SET else
                                  crime_type if grouping == _TYPE_SET else (lon, lat))
    months, blank = [], 0
    for text, blanks in distinct[_MONTH_SET]:
        blank += blanks
        day = schema.month_day(text)
        if day is not None:
            months.append((text, day))
    _table(cursor, names, names.months, "raw text, day date", months)

    allowed = set(CRIME_TYPES)
    types = [(text, text.strip(), schema.offence_ids.get(text.strip()))
             for text in distinct[_TYPE_SET] if text.strip() in allowed]
    _table(cursor, names, names.types, "raw text, crime_type text, offence_type_id bigint", types)

    valid, empty = [], False
    for lon, lat in distinct[_POINT_SET]:
        if not (lat or lon):
            empty = True
            continue
        try:
            lat_v, lon_v = float(lat), float(lon)  # exactly the row-by-row check
            check_lat_lon(lat_v, lon_v)
        except ValueError:
            continue
        valid.append((lon, lat, lon_v, lat_v))
    points = [(lon, lat, None, None, None, None, None) for lon, lat in [("", "")] if empty]
    if valid:
        places = current_locator(force_id=force_id).places(np.array([v[2] for v in valid]),
                                                           np.array([v[3] for v in valid]))
        points += [(*v, *place) for v, place in zip(valid, places)]
    _table(cursor, names, names.points, "lon_text text, lat_text text, lon double precision, lat double precision, "
                                 "area_id bigint, sector_id bigint, command_id bigint", points)
    return blank


def _table(cursor, names: _Names, name: str, columns: str, rows: list) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE {names.scratch} TABLE {name} ({columns})")
    if rows:
        with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row([None if v is None else (int(v) if isinstance(v, np.integer) else v) for v in row])
    cursor.execute(f"ANALYZE {name}")


def _insert_good(cursor, stage, names: _Names) -> tuple[int, int]:
    """Every certainly valid row into the stage; (rows staged, rows located outside every area)."""
    joins = _JOINS.format(months=names.months, types=names.types, points=names.points)
    stage.fill_from(
        "SELECT r.n + 1 AS row_no, r.c0 AS external_ref, m.day AS occurred_on, m.day AS month, p.lat, p.lon, "
        "p.area_id, p.sector_id, p.command_id, t.offence_type_id, FALSE AS drug_supply, FALSE AS cannabis_farm, "
        "FALSE AS firearms_discharge, jsonb_build_object('crime_type', t.crime_type, "
        "'location', coalesce(r.c6, ''), 'lsoa_code', coalesce(r.c7, ''), 'lsoa_name', coalesce(r.c8, ''), "
        f"'last_outcome', coalesce(r.c10, '')) AS details FROM {names.raw} r {joins} WHERE {_GOOD}"
    )
    # CREATE TABLE ... AS returns no rows: the ids and counts are read back (0.3 s for a million rows).
    cursor.execute(
        "SELECT area_id, sector_id, command_id, offence_type_id, count(*), count(*) FILTER (WHERE lat IS NOT NULL "
        f"AND area_id IS NULL AND sector_id IS NULL AND command_id IS NULL) FROM {stage.name} GROUP BY 1, 2, 3, 4"
    )
    staged = unlocated = 0
    for area_id, sector_id, command_id, offence_id, n, outside in cursor.fetchall():
        stage.area_ids.update((area_id, sector_id, command_id))
        stage.offence_ids.add(offence_id)
        staged += n
        unlocated += outside
    return staged, unlocated


def _set_aside(cursor, names: _Names) -> None:
    """The rows Python must read: neither passed, nor a plain anti-social behaviour row, nor blank."""
    joins = _JOINS.format(months=names.months, types=names.types, points=names.points)
    cursor.execute(f"DROP TABLE IF EXISTS {names.other}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {names.other} AS SELECT r.* FROM {names.raw} r {joins} "
        f"WHERE NOT coalesce({_GOOD}, FALSE) AND NOT coalesce({_SKIPPED}, FALSE) AND NOT ({_BLANK})"
    )
    cursor.execute(f"CREATE INDEX ON {names.other} (n)")
    longest = f"greatest({', '.join(f'char_length({c})' for c in _COLUMNS)})"
    cursor.execute(f"SELECT 1 FROM {names.other} WHERE {longest} > %s LIMIT 1", [MAX_FIELD_CHARS])
    if cursor.fetchone():
        raise _NotCopyable("a field longer than the csv reader accepts")  # the Python path rejects the file


def _parse_others(stage, names: _Names, counts: dict, validate_batch) -> None:
    """The rows SQL did not pass, through the row-by-row path in file order (blank ones left out, as there)."""
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT n, {', '.join(_COLUMNS)} FROM {names.other} WHERE n > %s ORDER BY n LIMIT %s",
                           [last, batch_rows()])
            batch = cursor.fetchall()
        if not batch:
            return
        last = batch[-1][0]
        rows = [(n + 1, ["" if v is None else v for v in values]) for n, *values in batch]
        rows = [(row_no, values) for row_no, values in rows if "".join(values).strip()]  # as the csv reader
        validate_batch(rows, counts)
        stage.flush()
