"""Benchmark of the analyst's pages under concurrent users (run on demand, not part of the tests).

Builds (or with --reuse, reuses) the PostgreSQL database BENCH_DATABASE (default soc_bench_pages, on
the server of DATABASE_URL) with the same force as
bench/recompute.py: 180 sectors (given square boundaries here, so the map is drawn), 900
neighbourhoods, 1,000,000 records over 24 months, 6,000 nominals, and stored scores. Then starts
gunicorn on 127.0.0.1 and, with USERS threads each holding its own HTTP connection and an
analyst's session, requests for DURATION seconds in turn:

  1. /healthz          (a trivial Django view with one query: the server's floor)
  2. /sectors/         (the sector overview: ranking, map, table)
  3. /sectors/<id>/    (a sector page, a random sector each time: headline, series, records,
                        map layer, contributing records, groups and nominals; audited). With 180
                        sectors and a few hundred requests most of these miss the per-area caches.
  4. /sectors/<id>/ revisit (the same, over 10 sectors only: after the warm-up the per-area reads
                        come from the cache, as when analysts go back to areas already opened)
  5. /sectors/ revalidated (If-None-Match with the page's ETag: 304)
  6. /themes/<theme>/   (a random theme)
  7. /demand/           (demand by sector and month)
  8. /api/rankings/     (the JSON ranking)

and prints, for each, p50/p95, the floor (/healthz p95 of the same run), the ratio of the p95 to
the floor and the load average when the page's load ended (another process on the machine skews
every figure: compare ratios, not milliseconds). Any response other than the expected status is an
error and fails the run. The database is dropped at the end unless --keep; no file is written.

Usage: .venv/bin/python bench/pages.py [--records N] [--users 20] [--duration 20] [--workers 5] [--reuse] [--keep]
"""
import argparse
import http.client
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_DB = os.environ.get("BENCH_DATABASE", "soc_bench_pages")
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # the benchmark server's port


def database_urls() -> tuple[str, str]:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/pages.py needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    return urlunparse(url._replace(path="/postgres")), urlunparse(url._replace(path=f"/{BENCH_DB}"))


def database_exists(server: str) -> bool:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone() is not None


def build(server: str, records: int) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    from django.core.management import call_command
    from django.db import connection

    import recompute as data  # bench/recompute.py: the same synthetic force
    from scoring.services import css_edition_load, scores_recompute
    from sectors.models import Area, Level

    call_command("migrate", verbosity=0)
    css_edition_load(activate=True)
    months = data.months_list(24)
    started = time.perf_counter()
    _, neighbourhoods = data.build_geography()
    sectors = list(Area.objects.filter(level=Level.SECTOR).order_by("code"))
    for i, sector in enumerate(sectors):  # a 15 x 12 grid of squares inside the force's box
        lon, lat = -2.2 + (i % 15) * 0.08, 54.6 + (i // 15) * 0.1
        sector.boundary = {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.08, lat], [lon + 0.08, lat + 0.1],
                                                               [lon, lat + 0.1], [lon, lat]]]}
        sector.min_lon, sector.min_lat, sector.max_lon, sector.max_lat = lon, lat, lon + 0.08, lat + 0.1
    Area.objects.bulk_update(sectors, ["boundary", "min_lon", "min_lat", "max_lon", "max_lat"])
    nominal_ids = data.build_nominals(neighbourhoods, months)
    data.generate_records(records, neighbourhoods, months)
    data.link_records(nominal_ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {records:,} records in {time.perf_counter() - started:.1f} s", flush=True)
    run = scores_recompute()
    print(f"scores: {run.rows_written:,} cells in {run.duration_ms} ms", flush=True)


def analyst_session() -> str:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from core import roles

    user, _ = User.objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=roles.ANALYST))
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def start_server(workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(workers),
         "--log-level", "warning"], cwd=ROOT, env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def load(paths, session: str, users: int, duration: float, headers: dict | None = None,
         status: int = 200) -> tuple[list[float], int]:
    """USERS threads request a path from ``paths()`` back to back for ``duration`` seconds."""
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def user(seed):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", paths(rng), headers={"Cookie": f"sessionid={session}", "Host": "127.0.0.1",
                                                         **(headers or {})})
                response = conn.getresponse()
                response.read()
                if response.status != status:
                    if not errors[0]:
                        print(f"  {response.status} instead of {status}", flush=True)
                    errors[0] += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, errors[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def etag_of(path: str, session: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path, headers={"Cookie": f"sessionid={session}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("ETag") or ""


def drop(server: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(f"dropped {BENCH_DB}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--reuse", action="store_true", help="Use BENCH_DATABASE as it is if it exists")
    parser.add_argument("--keep", action="store_true", help="Keep BENCH_DATABASE at the end (for --reuse)")
    args = parser.parse_args()

    server, bench_url = database_urls()
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    try:
        if not (args.reuse and database_exists(server)):
            build(server, args.records)
        run(args)
    finally:
        if not args.keep:
            drop(server)


def run(args) -> None:
    from pages.selectors.themes import THEMES
    from records.models import Record
    from sectors.models import Area, Level

    session = analyst_session()
    sector_ids = list(Area.objects.filter(level=Level.SECTOR).values_list("id", flat=True))
    records = Record.objects.count()
    themes = sorted(THEMES)
    # Plain HTTP on 127.0.0.1: no redirect to HTTPS (DEBUG off turns it on by default).
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "DEBUG": "0", "LOG_LEVEL": "WARNING", "SECURE_SSL_REDIRECT": "0"}
    gunicorn = start_server(args.workers, env)
    print(f"{records:,} records, {len(sector_ids)} sectors; load average before: {os.getloadavg()[0]:.2f}",
          flush=True)
    print(f"gunicorn: {args.workers} sync workers on {os.cpu_count()} CPUs; {args.users} concurrent users, "
          f"{args.duration:.0f} s per page", flush=True)
    try:
        overview_etag = etag_of("/sectors/", session)
        pages = [
            ("/healthz", lambda rng: "/healthz", None, 200),
            ("/sectors/", lambda rng: "/sectors/", None, 200),
            ("/sectors/<id>/ random sector", lambda rng: f"/sectors/{rng.choice(sector_ids)}/", None, 200),
            ("/sectors/<id>/ revisit", lambda rng: f"/sectors/{rng.choice(sector_ids[:10])}/", None, 200),
            ("/sectors/ revalidated (304)", lambda rng: "/sectors/", {"If-None-Match": overview_etag}, 304),
            ("/themes/<theme>/", lambda rng: f"/themes/{rng.choice(themes)}/", None, 200),
            ("/demand/", lambda rng: "/demand/", None, 200),
            ("/api/rankings/", lambda rng: "/api/rankings/", None, 200),
        ]
        results, failed = {}, False
        print(f"{'page':30} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'floor ms':>9} {'p95/floor':>9} {'req/s':>7} "
              f"{'load':>5}")
        for name, paths, headers, status in pages:
            load(paths, session, args.users, 2, headers, status)  # warm-up: caches, connections
            timings, errors = load(paths, session, args.users, args.duration, headers, status)
            failed |= errors > 0 or not timings
            results[name] = timings
            floor = percentile(results["/healthz"], 95)
            p95 = percentile(timings, 95)
            print(f"{name:30} {len(timings):6} {percentile(timings, 50) * 1000:9.1f} {p95 * 1000:9.1f} "
                  f"{floor * 1000:9.1f} {p95 / floor:8.1f}x {len(timings) / args.duration:7.1f} "
                  f"{os.getloadavg()[0]:5.2f}" + (f"  ERRORS {errors}" if errors else ""), flush=True)
        floor = percentile(results["/healthz"], 95)
        for name, limit in (("/sectors/<id>/ random sector", 3), ("/sectors/", 2)) if not failed else ():
            ratio = percentile(results[name], 95) / floor
            print(f"target {name} p95 <= {limit}x /healthz: {'met' if ratio <= limit else 'MISSED'} ({ratio:.1f}x)")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if failed:
            sys.exit("some requests failed (see ERRORS): the figures above are not valid")
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=10)


if __name__ == "__main__":
    main()
