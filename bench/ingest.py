"""Ingestion benchmark: police.uk rows end to end through upload_process, beside a raw COPY.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--small 100000]

Creates (and drops) its own PostgreSQL database, soc_bench_ingest, on the server
of DATABASE_URL (default postgres://postgres@127.0.0.1:5432). Loads the
Northumbria boundaries (LSOAs as neighbourhoods, wards as sectors, local
authorities as commands) so every row is really located, generates police.uk
rows at the real files' anonymised points, and reports, at two sizes, the time
end to end (upload_create + upload_process), the floor (a bare COPY of the
same file into an unindexed text table, measured in the same run), their ratio,
rows/s, the peak memory (each size runs in its own process, so ru_maxrss is that
run's peak), the machine's load average before and after, the slowest
statements, and the longest a concurrent reader of the table waited during the
upload. Each size loads months without a partition (the smaller size's are
dropped first). The uploads' stored files go to a temporary MEDIA_ROOT, removed
with the generated CSV files; the database is dropped unless --keep.
"""
import argparse
import contextlib
import csv
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_DATABASE", "soc_bench_ingest")
# The server of BENCH_SERVER_URL, else of DATABASE_URL (its database name is ignored), else the local one.
SERVER = os.environ.get("BENCH_SERVER_URL") or (
    os.environ["DATABASE_URL"].rsplit("/", 1)[0] if os.environ.get("DATABASE_URL", "").startswith("postgres")
    else "postgres://postgres@127.0.0.1:5432")
CRIME_TYPES = ["Burglary", "Criminal damage and arson", "Drugs", "Other theft", "Public order", "Shoplifting",
               "Vehicle crime", "Violence and sexual offences", "Robbery", "Possession of weapons"]


def generate(path: Path, rows: int) -> None:
    """police.uk rows at the real files' points (police.uk snaps crimes to a fixed set of map points)."""
    points = []
    for month_file in sorted((ROOT / "data/policeuk_northumbria").glob("*-street.csv")):
        with month_file.open(newline="") as f:
            points += [(r["Longitude"], r["Latitude"], r["Location"], r["LSOA code"], r["LSOA name"])
                       for r in csv.DictReader(f) if r["Longitude"]]
    rng = random.Random(42)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                      "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"])
        for i in range(rows):
            lon, lat, location, code, name = rng.choice(points)
            # Random 64-hex ids, as police.uk's are (ids in order would flatter the unique key's index).
            out.writerow([hashlib.sha256(i.to_bytes(8, "big")).hexdigest(), f"202{i % 3}-{1 + i % 12:02d}", "Northumbria Police", "Northumbria Police",
                          lon, lat, location, code, name, CRIME_TYPES[i % len(CRIME_TYPES)],
                          "Investigation complete; no suspect identified", ""])


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def child(rows: int, csv_path: Path) -> dict:
    """One measured run in a fresh process (database already migrated and loaded)."""
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.pop("REDIS_URL", None)
    media = tempfile.mkdtemp(prefix="bench-media-")  # the uploads' stored originals: removed below
    os.environ["MEDIA_ROOT"] = media
    try:
        return _measure(rows, csv_path)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _measure(rows: int, csv_path: Path) -> dict:
    os.environ["UPLOAD_MAX_BYTES"] = str(1 << 34)  # a million police.uk rows are about 250 MB
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection

    import scoring.services
    from records.models import Record

    # Ingestion alone is measured: the recompute it requests is scoring's benchmark.
    scoring.services.scores_recompute_request = lambda **kwargs: None
    from ingestion.services import upload_create, upload_process
    from core.models import Organisation

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ingestion_record, ingestion_upload CASCADE")
        # Each size loads months that have no partition yet, as a first load of them would
        # (the partitions the smaller size created are dropped).
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = 'ingestion_record'::regclass AND c.relname <> 'ingestion_record_default'")
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE {name}")
    force = Organisation.objects.get(code="force")
    load_before = os.getloadavg()
    started = time.perf_counter()
    with csv_path.open("rb") as f:
        upload = upload_create(organisation=force, kind="policeuk", fileobj=f, original_name=csv_path.name,
                               user=None, dispatch=False)
    stored = time.perf_counter()
    with _statements(connection) as slowest, _reader() as waits:
        upload = upload_process(upload_id=upload.pk)
    done = time.perf_counter()
    assert upload.status == "applied", (upload.errors[:3], upload.failure)
    assert Record.objects.count() == rows
    with connection.cursor() as cursor:
        # The sizes of the natural key's index and of all the records' indexes, over every partition.
        cursor.execute("SELECT SUM(pg_relation_size(i.indexrelid)) FILTER (WHERE i.indisunique AND NOT i.indisprimary)::bigint, "
                       "SUM(pg_relation_size(i.indexrelid))::bigint FROM pg_index i JOIN pg_inherits h ON h.inhrelid = i.indrelid "
                       "WHERE h.inhparent = 'ingestion_record'::regclass")
        unique_bytes, index_bytes = cursor.fetchone()
    # The same rows again, as a new file (one changed byte at the end): every row is unchanged.
    again_path = csv_path.with_suffix(".again.csv")
    with csv_path.open("rb") as src, again_path.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.write(b"\r\n")
    with again_path.open("rb") as f:
        again = upload_create(organisation=force, kind="policeuk", fileobj=f, original_name="again.csv", user=None,
                              dispatch=False)
    t_again = time.perf_counter()
    with _statements(connection) as slowest_again:
        again = upload_process(upload_id=again.pk)
    again_done = time.perf_counter()
    assert (again.rows_applied, again.rows_unchanged) == (0, rows)

    # The baseline: the same file COPY'd as text into a bare table.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute("CREATE TABLE bench_copy (" + ", ".join(f"c{i} text" for i in range(12)) + ")")
        copy_started = time.perf_counter()
        with csv_path.open("rb") as f, cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        copy_done = time.perf_counter()
        cursor.execute("DROP TABLE bench_copy")
    return {
        "load_before": load_before, "load_after": os.getloadavg(),
        "rows": rows, "store_s": stored - started, "process_s": done - stored, "total_s": done - started,
        "again_s": again_done - t_again, "copy_s": copy_done - copy_started, "unlocated": upload.rows_unlocated,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "slowest_statements": slowest, "slowest_statements_again": slowest_again,
        "reader_longest_s": max(waits), "reader_queries": len(waits),
        "unique_key_mb": unique_bytes / 2**20, "indexes_mb": index_bytes / 2**20,
    }


@contextlib.contextmanager
def _reader(pause: float = 0.02):
    """A concurrent reader of every month (the sector index of each partition, the DEFAULT one
    included) on its own connection, every ``pause`` seconds: the seconds each query took."""
    import threading

    import psycopg

    waits, stop = [0.0], threading.Event()

    def read():
        with psycopg.connect(f"{SERVER}/{DB_NAME}", autocommit=True) as conn:
            while not stop.wait(pause):
                start = time.perf_counter()
                conn.execute("SELECT COUNT(*) FROM ingestion_record WHERE sector_id = -1").fetchone()
                waits.append(time.perf_counter() - start)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield waits
    finally:
        stop.set()
        thread.join()


@contextlib.contextmanager
def _statements(connection, keep: int = int(os.environ.get("BENCH_KEEP", 6))):
    """The slowest statements sent through Django's cursor (COPY goes around it), with their seconds."""
    timed = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((round(time.perf_counter() - start, 2), " ".join(sql.split())[:160]))

    slowest = []
    with connection.execute_wrapper(timer):
        yield slowest
    slowest.extend(sorted(timed, reverse=True)[:keep])


def setup_database() -> None:
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB_NAME}", "SECRET_KEY": "bench"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    code = """
import json
from sectors.services import areas_import
def load(name, level, code, label, keep=None):
    features = json.load(open(f"data/boundaries/{name}"))["features"]
    features = [f for f in features if keep is None or keep(f)]
    areas_import(level=level, features=features, code_property=code, name_property=label, source=name)
import shapely
from shapely.geometry import mapping, shape
from sectors.models import Area
# The force root above the commands (the records of a force need one: sectors.selectors.force_root);
# its boundary is the commands' bounding box (rows are located by the three levels below it).
lads = [f for f in json.load(open("data/boundaries/north_east_lad_simplified.geojson"))["features"]
        if f["properties"]["POLICE_FORCE_AREA"] == "Northumbria"]
force = {"properties": {"code": "F", "name": "Northumbria Police"},
         "geometry": mapping(shapely.box(*shapely.GeometryCollection([shape(f["geometry"]) for f in lads]).bounds))}
areas_import(level=0, features=[force], code_property="code", name_property="name", source="bench")
areas_import(level=1, features=lads, code_property="LAD13CD", name_property="LAD13NM", source="lads",
             parent=Area.objects.get(code="F"))
load("northumbria_wards.geojson", 2, "WD13CD", "WD13NM")
load("northumbria_lsoa2011.geojson", 3, "LSOA11CD", "LSOA11NM")
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000, help="the second size, for the memory comparison")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.csv)))
        return
    setup_database()
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for rows in sorted({args.small, args.rows}):
                path = Path(tmp) / f"bench-{rows}.csv"
                generate(path, rows)
                out = subprocess.run([sys.executable, __file__, "--child", str(rows), "--csv", str(path)],
                                     cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        if not args.keep:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    print(json.dumps(results, indent=1))
    print(f"load average now {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min); "
          "the load column is the 1-minute load average before and after each run")
    print(f"{'rows':>10} {'end to end':>12} {'rows/s':>9} {'floor: COPY':>12} {'COPY rows/s':>12} {'ratio':>6} "
          f"{'re-upload':>10} {'peak RSS':>9} {'load':>11} {'reader':>7} {'key index':>10}")
    for r in results:
        print(f"{r['rows']:>10,} {r['total_s']:>11.1f}s {r['rows'] / r['total_s']:>9,.0f} {r['copy_s']:>11.2f}s "
              f"{r['rows'] / r['copy_s']:>12,.0f} {r['total_s'] / r['copy_s']:>5.1f}x {r['again_s']:>9.1f}s "
              f"{r['peak_rss_mb']:>7.0f}MB {r['load_before'][0]:>5.2f}-{r['load_after'][0]:.2f} "
              f"{r['reader_longest_s']:>6.2f}s {r['unique_key_mb']:>8.1f}MB")


if __name__ == "__main__":
    main()
