"""Benchmark of the harm score recompute on PostgreSQL (run on demand, not part of the tests).

Creates the database soc_bench_scoring (dropped first if it exists) on the server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432), loads a realistic force:
1 force, 6 commands, 180 sectors, 900 neighbourhoods, 1,000,000 located records over
24 months (police.uk and force crimes, a few % flagged or linked to group members,
partner records), 6,000 nominals; then times

  1. a full recompute (scores_recompute()), first into empty score tables, then again,
  2. its floor: one raw aggregate over the same table, harm by sector and month (GROUP BY),
  3. a recompute of one month after 1,000 new records in it, against the raw aggregate of that month,

and prints each figure with its floor, their ratio and the load average (bench/report.py).
The one-month figure is flat in the table size when its ratio stays the same at 1M and 10M
(`make bench-scale`).

Usage: .venv/bin/python bench/recompute.py [--records N] [--keep]
"""
import argparse
import io
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BENCH_DB = os.environ.get("BENCH_DATABASE", "soc_bench_scoring")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import report  # noqa: E402  (bench/report.py, beside this file)


def server_url() -> str:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/recompute.py needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    return urlunparse(url._replace(path="/postgres"))


def recreate_database(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunparse(urlparse(url)._replace(path=f"/{BENCH_DB}"))


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


def months_list(count: int) -> list[date]:
    return [date(2021 + (i // 12), i % 12 + 1, 1) for i in range(count)]


def build_geography():
    from sectors.models import Area, Level

    def box(lon, lat, size):
        return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                     [lon, lat + size], [lon, lat]]]}

    force = Area.objects.create(level=Level.FORCE, code="F", name="Force", boundary=box(-2.2, 54.6, 1.2))
    neighbourhoods = []
    for c in range(6):
        command = Area.objects.create(level=Level.COMMAND, code=f"C{c}", name=f"Command {c}", parent=force)
        sectors = Area.objects.bulk_create([
            Area(level=Level.SECTOR, code=f"S{c}-{s:02d}", name=f"Sector {c}-{s:02d}", parent=command)
            for s in range(30)
        ])
        for sector in sectors:
            neighbourhoods += [(n, sector.id, command.id) for n in Area.objects.bulk_create([
                Area(level=Level.NEIGHBOURHOOD, code=f"{sector.code}-{k}", name=f"{sector.name} {k}", parent=sector)
                for k in range(5)
            ])]
    return force, [(n.id, s, c) for n, s, c in neighbourhoods]


def build_nominals(neighbourhoods, months):
    from nominals.models import Group, Membership, Nominal, PriorityStatus

    rng = random.Random(7)
    groups = Group.objects.bulk_create([
        Group(ref=f"G{i}", name=f"Group {i}", group_type=("ocg", "ucg", "pcg")[i % 3], is_synthetic=True)
        for i in range(120)
    ])
    nominals = []
    for i in range(6000):
        area, sector, command = rng.choice(neighbourhoods)
        nominals.append(Nominal(ref=f"N{i}", name=f"Person {i}", home_area_id=area, home_sector_id=sector,
                                home_command_id=command, is_synthetic=True))
    nominals = Nominal.objects.bulk_create(nominals, batch_size=2000)
    memberships, priority = [], []
    for nominal in nominals:
        start = rng.choice(months[:18])
        end = None if rng.random() < 0.7 else rng.choice([m for m in months if m > start] or [None])
        memberships.append(Membership(nominal=nominal, group=rng.choice(groups), started_on=start, ended_on=end))
        if rng.random() < 0.1:
            priority.append(PriorityStatus(nominal=nominal, started_on=rng.choice(months[:12]), ended_on=None))
    Membership.objects.bulk_create(memberships, batch_size=2000)
    PriorityStatus.objects.bulk_create(priority, batch_size=2000)
    return [n.id for n in nominals]


def copy_records(rows, start_ref: int) -> None:
    """COPY rows of (kind, source, occurred_on, area, sector, command, offence, ds, cf, fd) into records."""
    from django.db import connection

    from records.models import Record
    from records.services import record_partitions_ensure
    from sectors.selectors import force_root

    # The month partitions first (PostgreSQL), in their own transaction, as the apply does.
    record_partitions_ensure(months={day.replace(day=1) for _, _, day, *_ in rows})
    force_id = force_root()
    columns = ("force_id, kind, source, external_ref, occurred_on, month, lat, lon, area_id, sector_id, command_id, "
               "offence_type_id, drug_supply, cannabis_farm, firearms_discharge, is_synthetic, details")
    buffer = io.StringIO()
    for i, (kind, source, day, area, sector, command, offence, ds, cf, fd) in enumerate(rows):
        buffer.write(
            f"{force_id}\t{kind}\t{source}\tB{start_ref + i}\t{day.isoformat()}\t{day.replace(day=1).isoformat()}\t55.0\t-1.6\t"
            f"{area}\t{sector}\t{command}\t{offence if offence else chr(92) + 'N'}\t{ds}\t{cf}\t{fd}\tt\t{{}}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {Record._meta.db_table} ({columns}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)


def generate_records(count, neighbourhoods, months, start_ref=0, only_month=None, seed=11):
    from records.models import OffenceType

    rng = random.Random(seed)
    policeuk = list(OffenceType.objects.filter(is_approximation=True).exclude(weights=None).values_list("id", flat=True))
    codes = list(OffenceType.objects.filter(is_approximation=False).values_list("id", flat=True))
    rows = []
    for i in range(count):
        if len(rows) == 500_000:  # copied in chunks: memory stays flat at 10 million records
            copy_records(rows, start_ref + i - len(rows))
            rows = []
        area, sector, command = rng.choice(neighbourhoods)
        month = only_month or rng.choice(months)
        day = month.replace(day=rng.randint(1, 28))
        draw = rng.random()
        if draw < 0.70:
            rows.append(("policeuk", "policeuk", day, area, sector, command, rng.choice(policeuk), "f", "f", "f"))
        elif draw < 0.97:
            flag = rng.random()
            rows.append(("crime", "force", day, area, sector, command, rng.choice(codes),
                         "t" if flag < 0.04 else "f", "t" if 0.04 <= flag < 0.06 else "f",
                         "t" if 0.06 <= flag < 0.065 else "f"))
        else:
            kind = rng.choice(["drug_death", "firearms_intel", "crimestoppers", "trading_standards"])
            rows.append((kind, kind, day, area, sector, command, None, "f", "f", "f"))
    copy_records(rows, start_ref + count - len(rows))


def link_records(nominal_ids, fraction=0.05):
    """Link a few % of force crimes to nominals (as suspects; some as victims, which do not count)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO nominals_recordnominal (record_id, force_id, nominal_id, role) "
            "SELECT r.id, r.force_id, (%s::bigint[])[1 + (r.id %% %s)], CASE WHEN r.id %% 10 = 0 THEN 'victim' ELSE 'suspect' END "
            "FROM ingestion_record r WHERE r.kind = 'crime' AND random() < %s",
            [nominal_ids, len(nominal_ids), fraction],
        )


def timed(fn, repeat=3):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards")
    args = parser.parse_args()

    server = server_url()
    os.environ["DATABASE_URL"] = recreate_database(server)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from scoring.services import css_edition_load, scores_recompute
    from scoring.sql import RECORD, WEIGHT

    try:
        call_command("migrate", verbosity=0)
        css_edition_load(activate=True)
        months = months_list(24)
        t0 = time.perf_counter()
        force, neighbourhoods = build_geography()
        nominal_ids = build_nominals(neighbourhoods, months)
        generate_records(args.records, neighbourhoods, months)
        link_records(nominal_ids)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(f"SELECT COUNT(*) FROM {RECORD}")
            total = cursor.fetchone()[0]
            cursor.execute("SELECT COUNT(*) FROM nominals_recordnominal")
            links = cursor.fetchone()[0]
        print(f"loaded {total:,} records, {links:,} nominal links in {time.perf_counter() - t0:.1f} s")
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")

        first_s, _, first = timed(lambda: scores_recompute(views=False), repeat=1)
        from scoring.services.stored_views import area_views_fill

        views_s, _, views = timed(lambda: area_views_fill(run=first, force_id=None), repeat=1)
        print(f"area pages' stored views, after the run: {views_s:.2f} s, {views:,} areas and windows")
        print(f"first full recompute (empty table): {first_s:.2f} s, {first.rows_written:,} cells written")
        full_median, full_best, run = timed(lambda: scores_recompute(views=False))
        print(f"full recompute again (nothing changed): median {full_median:.2f} s, best {full_best:.2f} s")

        def raw(month=None):
            where = "" if month is None else f" AND r.month = '{month.isoformat()}'"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT r.sector_id, r.month, COUNT(*), SUM(w.weight), SUM(w.weight * w.weight), MAX(w.weight) "
                    f"FROM {RECORD} r LEFT JOIN {WEIGHT} w ON w.offence_type_id = r.offence_type_id "
                    f"AND w.edition_id = {run.edition_id} WHERE r.area_id IS NOT NULL{where} GROUP BY r.sector_id, r.month")
                return len(cursor.fetchall())

        raw_median, _, groups = timed(raw)
        print(f"floor: one raw aggregate (harm by sector and month, with weights): median {raw_median:.2f} s, "
              f"{groups:,} groups")

        new_month = months[-1]
        generate_records(1000, neighbourhoods, months, start_ref=args.records + 10, only_month=new_month, seed=99)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT area_id FROM {RECORD} WHERE external_ref >= %s AND month = %s",
                           [f"B{args.records + 10}", new_month])
            touched = [row[0] for row in cursor.fetchall()]
        month_median, _, _ = timed(lambda: scores_recompute(area_ids=touched, months=[new_month], views=False))
        month_raw, _, _ = timed(lambda: raw(new_month))
        print(f"one-month recompute (1,000 new records, {len(touched)} neighbourhoods): median {month_median:.3f} s; "
              f"floor: the raw aggregate of that month {month_raw:.3f} s")
        print(report.HEADER)
        report.figure("full recompute, first run", first_s, "raw aggregate", raw_median, total, 3)
        report.figure("full recompute, nothing changed (median of 3)", full_median, "raw aggregate", raw_median,
                      total, 3)
        report.figure("recompute of one month (median of 3)", month_median, "raw aggregate of the month", month_raw,
                      total, 3)
    finally:
        if not args.keep:
            drop_database(server)


if __name__ == "__main__":
    main()
