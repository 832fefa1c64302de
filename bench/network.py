"""Benchmark of the co-offending network, page and API, on a generated force (run on demand, not a test).

Creates the PostgreSQL database BENCH_DATABASE (default soc_bench_network; dropped first, dropped at the
end unless --keep) on the server of DATABASE_URL, with bench/recompute.py's geography and 6,000 nominals
(120 groups, one membership each), --records records over 24 months, and --links crimes of the last 12
months each linked to two or three nominals: four in five of them members of one group, the others
anyone (so groups are communities with bridges between them). Then, as an analyst, for the last 12
months and each cap (NETWORK_MAX_NODES; 0 is no cap), times

  1. the selector (pages.selectors.network.nominal_network): SQL and the graph's measures,
  2. GET /api/network/ and 3. GET /nominals/network/ (in-process test client: no server, no network),

each the median of --repeat runs, with the nominals and links shown and found, and the load average.

Usage: .venv/bin/python bench/network.py [--records 200000] [--links 4000] [--caps 0,1000,500] [--keep]
"""
import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "soc_bench_network")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import recompute  # noqa: E402  (bench/recompute.py: the same force)
import report  # noqa: E402


def link_nominals(months, count: int, seed: int = 5) -> int:
    """``count`` crimes of the last 12 months, each linked to two or three nominals. Returns the links made."""
    from nominals.models import Membership, RecordNominal
    from records.models import Record

    rng = random.Random(seed)
    members: dict[int, list[int]] = {}
    for nominal, group in Membership.objects.values_list("nominal_id", "group_id"):
        members.setdefault(group, []).append(nominal)
    everyone = [n for group in members.values() for n in group]
    groups = list(members.values())
    crimes = list(Record.objects.filter(kind="crime", month__gte=months[-12]).values_list("id", "force_id")[:count])
    links = []
    for record, force in crimes:
        group = rng.choice(groups)
        people = set(rng.sample(group, min(len(group), rng.choice((2, 2, 3)))))
        if rng.random() < 0.2:
            people = {next(iter(people)), rng.choice(everyone)}
        links += [RecordNominal(record_id=record, force_id=force, nominal_id=n, role="offender") for n in people]
    RecordNominal.objects.bulk_create(links, batch_size=5000)
    return len(links)


def median_seconds(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--links", type=int, default=4_000, help="crimes linked to two or three nominals")
    parser.add_argument("--caps", default="0,1000,500")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    server = recompute.server_url()
    os.environ["DATABASE_URL"] = recompute.recreate_database(server)
    os.environ.pop("DATABASE_REPLICA_URL", None)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from core import roles
    from pages.selectors.network import NetworkScope, nominal_network
    from scoring.services import css_edition_load

    try:
        call_command("migrate", verbosity=0)
        css_edition_load(activate=True)
        months = recompute.months_list(24)
        _, neighbourhoods = recompute.build_geography()
        recompute.build_nominals(neighbourhoods, months)
        recompute.generate_records(args.records, neighbourhoods, months)
        links = link_nominals(months, args.links)
        print(f"{args.records:,} records, {links:,} links of {args.links:,} crimes to nominals")
        analyst = User.objects.create_user("bench-analyst", password="bench-only-password")
        analyst.groups.add(Group.objects.get(name=roles.ANALYST))
        client = Client()
        client.force_login(analyst)
        window = {"months": 12, "end": f"{months[-1]:%Y-%m}"}
        scope = NetworkScope(start=months[-12], end=months[-1])
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        print("| cap | nominals shown / found | links shown / found | selector | API | page | API bytes | load |")
        print("|---|---|---|---|---|---|---|---|")
        for cap in (int(c) for c in args.caps.split(",")):
            settings.NETWORK_MAX_NODES = cap
            analyst = User.objects.get(pk=analyst.pk)  # no permission cache carried from one cap to the next
            selector_s, network = median_seconds(lambda: nominal_network(user=analyst, scope=scope), args.repeat)
            api_s, api = median_seconds(lambda: client.get("/api/network/", window, secure=True), args.repeat)
            page_s, page = median_seconds(lambda: client.get("/nominals/network/", window, secure=True), args.repeat)
            assert api.status_code == page.status_code == 200, (api.status_code, page.status_code)
            print(f"| {cap or 'none'} | {len(network.rows):,} / {network.nominals_found:,} | {len(network.edges):,} / "
                  f"{network.links_found:,} | {selector_s:.2f} s | {api_s:.2f} s | {page_s:.2f} s | "
                  f"{len(api.content):,} | {report.load_average()} |", flush=True)
    finally:
        if not args.keep:
            recompute.drop_database(server)


if __name__ == "__main__":
    main()
