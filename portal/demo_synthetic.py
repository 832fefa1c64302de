"""A deterministic synthetic SOC layer on the real geography, for the demo only.

Every row it writes is marked ``is_synthetic`` and carries a ``SYN-`` reference:
the people, groups and events are fictional. A fixed seed makes two runs write
the same rows, and unique keys make the second run add nothing. The activities of
``portal.demo_campaigns`` are recorded too, and the records around them shaped to show
what each did (``portal.demo_activities``).
"""
import random
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count

from nominals.models import (
    DiversionReferral,
    Group,
    GroupType,
    LinkRole,
    Membership,
    Nominal,
    PriorityStatus,
    RecordNominal,
)
from portal.demo_activities import KEEP, Plan, activities_load
from portal.demo_network import co_offending_load
from records.models import OffenceType, Record, RecordKind
from records.services import record_partitions_ensure
from sectors.locator import current_locator
from sectors.models import Area, Level
from sectors.selectors import force_root

SEED = 20230228
FIRST_MONTH = date(2021, 3, 1)  # 24 months ending with the last police.uk month (Feb 2023)
MONTHS = 24
SOURCE = "synthetic"

# (Home Office code, relative frequency, flags) for crimes committed by group members.
SOC_OFFENCES = [
    ("92A", 30, {"drug_supply": True}), ("92C", 6, {"cannabis_farm": True}), ("8N", 14, {}),
    ("34B", 7, {}), ("28E", 8, {}), ("10D", 6, {}), ("5D", 4, {}), ("38", 4, {}), ("35", 3, {}),
    ("3B", 3, {}), ("48", 4, {}), ("106", 2, {}), ("56A", 2, {}), ("10A", 3, {}),
    ("81", 2, {"firearms_discharge": True}), ("2", 0.4, {"firearms_discharge": True}), ("1", 0.15, {}),
]
FIRST_NAMES = ["Alex", "Jordan", "Sam", "Casey", "Jamie", "Lee", "Robbie", "Kai", "Dean", "Liam", "Connor",
               "Nathan", "Ryan", "Kieran", "Tyler", "Jade", "Chloe", "Megan", "Paige", "Shannon"]
SURNAMES = ["Armstrong", "Bell", "Charlton", "Dodd", "Elliott", "Forster", "Graham", "Hall", "Irving", "Jobling",
            "Kerr", "Lamb", "Milburn", "Nixon", "Oliver", "Pattinson", "Robson", "Scott", "Tait", "Young"]
SUBSTANCES = ["heroin", "methadone", "cocaine", "pregabalin", "gabapentin", "diazepam", "alcohol", "fentanyl",
              "tramadol", "MDMA", "etizolam"]
SCHEMES = ["Operation Encompass youth diversion", "County lines rescue and response", "Checkpoint deferred prosecution",
           "Mentoring through sport"]


def _month(index: int) -> date:
    year, month = divmod(FIRST_MONTH.month - 1 + index, 12)
    return date(FIRST_MONTH.year + year, month + 1, 1)


def _day_in(rng: random.Random, month: date) -> date:
    next_month = _month(((month.year - FIRST_MONTH.year) * 12 + month.month - FIRST_MONTH.month) + 1)
    return month + timedelta(days=rng.randrange((next_month - month).days))


class _Places:
    """Points clustered around hotspot sectors, with a thinner scatter over the force.

    Hotspots are drawn from the sectors with the most real police.uk recorded
    crime, and the scatter follows that crime, so the synthetic layer sits
    where recorded crime concentrates (mostly the urban Tyne and Wear wards).
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        sectors = list(Area.objects.filter(level=Level.SECTOR).order_by("code")
                       .values_list("code", "label_lat", "label_lon"))
        if not sectors:
            raise RuntimeError("Load the geography before the synthetic layer")
        counts = dict(Record.objects.filter(is_synthetic=False, sector__isnull=False)
                      .values_list("sector__code").annotate(n=Count("id")).order_by())
        self.sectors = sectors
        self.counts = counts
        self.weights = [counts.get(code, 0) + 1 for code, _, _ in sectors]
        busiest = sorted(sectors, key=lambda s: (-counts.get(s[0], 0), s[0]))[:40]
        self.hotspots = rng.sample(busiest, 14)

    def near(self, hotspot=None, spread=0.006):
        rng = self.rng
        if hotspot is None:
            hotspot = rng.choice(self.hotspots) if rng.random() < 0.7 else rng.choices(self.sectors, self.weights)[0]
        return round(hotspot[1] + rng.gauss(0, spread), 6), round(hotspot[2] + rng.gauss(0, spread * 1.6), 6)


def _located(points):
    return current_locator().places([p[1] for p in points], [p[0] for p in points])


def load_synthetic() -> dict:
    # The month partitions of the records first (PostgreSQL), in their own short transaction.
    record_partitions_ensure(months=[_month(index) for index in range(MONTHS)])
    return _load_synthetic()


@transaction.atomic
def _load_synthetic() -> dict:
    rng = random.Random(SEED)
    places = _Places(rng)
    groups = _groups(rng, places)
    # Where the activities land, before the records they shape are written (it draws nothing from rng).
    plan = Plan(homes={group.ref: hotspot[0] for group, hotspot in groups}, quiet=places.counts)
    nominals = _nominals(rng, places, groups)
    crimes = _crimes(rng, places, groups, nominals, plan)
    co_offending = co_offending_load(source=SOURCE)
    partner = _partner_records(rng, places, plan)
    referrals = _referrals(rng, nominals)
    activities = activities_load(plan, nominals)
    return {"groups": len(groups), "nominals": len(nominals), "crimes": crimes, "co_offending_links": co_offending,
            "partner_records": partner,
            "referrals": referrals, "activities": activities}


def _groups(rng, places):
    specs = [(GroupType.OCG, 10, "OCG"), (GroupType.UCG, 8, "UCG"), (GroupType.PCG, 10, "PCG")]
    rows = []
    for group_type, n, prefix in specs:
        for i in range(1, n + 1):
            rows.append(Group(ref=f"SYN-{prefix}-{i:02d}", name=f"Synthetic {prefix} {i:02d}",
                              group_type=group_type, is_synthetic=True))
    Group.objects.bulk_create(rows, ignore_conflicts=True)
    groups = list(Group.objects.filter(ref__startswith="SYN-").order_by("ref"))
    # Each group is rooted in one hotspot, which is where its members live and offend.
    return [(g, places.hotspots[i % len(places.hotspots)]) for i, g in enumerate(groups)]


def _nominals(rng, places, groups):
    specs, points = [], []
    for group, hotspot in groups:
        size = rng.randint(6, 18)
        for _ in range(size):
            specs.append((group, hotspot))
            points.append(places.near(hotspot, spread=0.01))
    located = _located(points)
    rows = []
    for i, ((group, hotspot), (lat, lon), (area, sector, command)) in enumerate(zip(specs, points, located), 1):
        rows.append(Nominal(
            ref=f"SYN-N{i:04d}", name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} (synthetic)",
            born_on=date(1975, 1, 1) + timedelta(days=rng.randrange(365 * 30)), home_lat=lat, home_lon=lon,
            home_area_id=area, home_sector_id=sector, home_command_id=command,
            is_restricted=rng.random() < 0.05, is_synthetic=True,
        ))
    Nominal.objects.bulk_create(rows, ignore_conflicts=True)
    by_ref = {n.ref: n for n in Nominal.objects.filter(ref__startswith="SYN-N")}
    memberships, priority, members = [], [], []
    for i, (group, hotspot) in enumerate(specs, 1):
        nominal = by_ref[f"SYN-N{i:04d}"]
        start = _month(rng.randrange(-12, 12)) + timedelta(days=rng.randrange(28))
        end = start + timedelta(days=rng.randrange(120, 900)) if rng.random() < 0.3 else None
        memberships.append(Membership(nominal=nominal, group=group, started_on=start, ended_on=end))
        if group.group_type == GroupType.OCG and rng.random() < 0.25:
            priority.append(PriorityStatus(nominal=nominal, started_on=start + timedelta(days=rng.randrange(200))))
        members.append((nominal, group, hotspot, start, end))
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    PriorityStatus.objects.bulk_create(priority, ignore_conflicts=True)
    return members


# Second-year multipliers by group number: most steady, some escalating, some disrupted.
_TRENDS = [1.0, 1.0, 1.9, 1.0, 0.35, 1.0, 1.6]


def _crimes(rng, places, groups, members, plan):
    codes = {o.code: o.id for o in OffenceType.objects.filter(code__in=[c for c, _, _ in SOC_OFFENCES])}
    offences = [o for o in SOC_OFFENCES if o[0] in codes]
    weights = [o[1] for o in offences]
    specs = []
    for index in range(MONTHS):
        month = _month(index)
        for nominal, group, hotspot, start, end in members:
            # Members offend at a steady rate, except that in the second year some groups
            # escalate and some are disrupted, so the demo has changes worth testing.
            trend = _TRENDS[int(group.ref[-2:]) % len(_TRENDS)] if index >= MONTHS // 2 else 1.0
            offending = rng.choices([0, 1, 2], [0.62, 0.3, 0.08])[0]
            if trend > 1 and rng.random() < trend - 1:
                offending += 1
            elif trend < 1 and rng.random() > trend:
                offending = 0
            for _ in range(offending):
                code, _, flags = rng.choices(offences, weights)[0]
                specs.append((month, nominal, group, hotspot, code, flags))
    points = [places.near(s[3], spread=0.008) for s in specs]
    located = _located(points)
    records, links = [], []
    force_id = force_root()
    for i, ((month, nominal, group, hotspot, code, flags), (lat, lon), (area, sector, command)) in enumerate(
        zip(specs, points, located), 1
    ):
        ref = f"SYN-C{i:06d}"
        day, role = _day_in(rng, month), rng.choice([LinkRole.SUSPECT, LinkRole.OFFENDER])
        placed = plan.shape(ref, sector, day)
        if placed is None:
            continue
        if placed is not KEEP:
            area, sector, command, lat, lon = placed
        records.append(Record(
            force_id=force_id, kind=RecordKind.CRIME, source=SOURCE, external_ref=ref,
            occurred_on=day, month=month,
            lat=lat, lon=lon, area_id=area, sector_id=sector, command_id=command, offence_type_id=codes[code],
            is_synthetic=True, details={"group": group.ref}, **flags,
        ))
        links.append((ref, nominal, role))
    Record.objects.bulk_create(records, ignore_conflicts=True, batch_size=2000)
    ids = dict(Record.objects.filter(force_id=force_id, source=SOURCE, kind=RecordKind.CRIME)
               .values_list("external_ref", "id"))
    RecordNominal.objects.bulk_create(
        [RecordNominal(record_id=ids[ref], force_id=force_id, nominal=nominal, role=role)
         for ref, nominal, role in links],
        ignore_conflicts=True, batch_size=2000,
    )
    return len(records)


def _partner_records(rng, places, plan):
    specs = [
        (RecordKind.DRUG_DEATH, "coroner", 9, lambda: {"substances": rng.sample(SUBSTANCES, rng.randint(1, 3))}),
        (RecordKind.CRIMESTOPPERS, "crimestoppers", 30, lambda: {"topic": rng.choice(
            ["drug dealing", "cannabis cultivation", "weapons", "exploitation", "money laundering"])}),
        (RecordKind.TRADING_STANDARDS, "tradingstandards", 12, lambda: {"topic": rng.choice(
            ["illicit tobacco", "counterfeit goods", "doorstep crime", "illegal vapes"])}),
        (RecordKind.FIREARMS_INTEL, "force", 16, lambda: {"grading": rng.choice(["B2", "C3", "B3", "A2"])}),
    ]
    rows = []
    for kind, source, per_month, details in specs:
        for index in range(MONTHS):
            month = _month(index)
            for j in range(rng.randint(per_month // 2, per_month * 3 // 2)):
                lat, lon = places.near()
                rows.append((kind, f"{source}-synthetic", f"SYN-{kind.upper()[:2]}-{index:02d}-{j:03d}",
                             _day_in(rng, month), month, lat, lon, details()))
    located = _located([(r[5], r[6]) for r in rows])
    force_id = force_root()
    records = []
    for (kind, source, ref, day, month, lat, lon, extra), (area, sector, command) in zip(rows, located):
        placed = plan.shape(ref, sector, day)
        if placed is None:
            continue
        if placed is not KEEP:
            area, sector, command, lat, lon = placed
        records.append(Record(force_id=force_id, kind=kind, source=source, external_ref=ref, occurred_on=day,
                              month=month, lat=lat, lon=lon, area_id=area, sector_id=sector, command_id=command,
                              is_synthetic=True, details=extra))
    Record.objects.bulk_create(records, ignore_conflicts=True, batch_size=2000)
    return len(records)


def _referrals(rng, members):
    rows = []
    for i, (nominal, group, hotspot, start, end) in enumerate(members):
        if group.group_type != GroupType.OCG and rng.random() < 0.3:
            rows.append(DiversionReferral(
                ref=f"SYN-R{i:04d}", nominal=nominal, scheme=rng.choice(SCHEMES),
                referred_on=_month(rng.randrange(6, 18)) + timedelta(days=rng.randrange(28)),
                outcome=rng.choice(["engaged", "completed", "declined", "ongoing"]), is_synthetic=True,
            ))
    DiversionReferral.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
