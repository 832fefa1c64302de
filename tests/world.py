"""A small force for the page tests: 2 commands, 4 square sectors near (55.0, -1.6), 8 neighbourhoods,
crimes and partner records over two years, one OCG, then the stored scores.

Harm is built so that the ranking is known: S2 > S1 > S3 > S4 (sectors).
"""
from dataclasses import dataclass, field
from datetime import date

from nominals.models import Group, GroupType, Membership, Nominal
from records.models import OffenceType, Record, RecordKind
from scoring.models import CssEdition, OffenceWeight
from sectors.models import Area, Level
from tests.factories import square

LATEST = date(2024, 12, 1)


def _area(level, code, name, parent, lon, lat, dlon, dlat) -> Area:
    return Area.objects.create(
        level=level, code=code, name=name, parent=parent, boundary=square(lon, lat, dlon, dlat),
        min_lon=lon, min_lat=lat, max_lon=lon + dlon, max_lat=lat + dlat,
        label_lon=lon + dlon / 2, label_lat=lat + dlat / 2, source="test squares",
    )


@dataclass
class World:
    force: Area
    commands: list[Area]
    sectors: dict[str, Area]
    neighbourhoods: list[Area]
    edition: CssEdition
    offences: dict[str, OffenceType]
    records: list[Record] = field(default_factory=list)


# (sector, kind, offence, flag, how many in the latest 12 months, how many the 12 before)
PLAN = [
    ("S1", RecordKind.CRIME, "92A", "drug_supply", 12, 14),
    ("S1", RecordKind.FIREARMS_INTEL, None, None, 2, 0),
    ("S2", RecordKind.CRIME, "92A", "drug_supply", 20, 6),
    ("S2", RecordKind.CRIME, "92A", "cannabis_farm", 3, 1),
    ("S2", RecordKind.CRIMESTOPPERS, None, None, 2, 1),
    ("S3", RecordKind.CRIME, "8N", "firearms_discharge", 2, 2),
    ("S3", RecordKind.DRUG_DEATH, None, None, 1, 0),
    ("S4", RecordKind.CRIME, "8N", None, 3, 3),
    ("S4", RecordKind.TRADING_STANDARDS, None, None, 1, 1),
]


def build_world(*, scores: bool = True, synthetic: bool = True) -> World:
    force = Area.objects.create(level=Level.FORCE, code="F", name="Test Force", boundary=square(-1.8, 54.9, 0.4, 0.2))
    north = _area(Level.COMMAND, "C1", "North Command", force, -1.8, 55.0, 0.4, 0.1)
    south = _area(Level.COMMAND, "C2", "South Command", force, -1.8, 54.9, 0.4, 0.1)
    sectors, hoods = {}, []
    for i, (code, parent, lon, lat) in enumerate([
        ("S1", north, -1.8, 55.0), ("S2", north, -1.6, 55.0), ("S3", south, -1.8, 54.9), ("S4", south, -1.6, 54.9),
    ]):
        sectors[code] = _area(Level.SECTOR, code, f"Sector {code[1]}", parent, lon, lat, 0.2, 0.1)
        for j in range(2):
            hoods.append(_area(Level.NEIGHBOURHOOD, f"{code}N{j}", f"Neighbourhood {code}-{j}", sectors[code],
                               lon + 0.1 * j, lat, 0.1, 0.1))
    edition = CssEdition.objects.create(code="test-css", label="Test CSS edition", source="tests", is_active=True)
    offences = {}
    for code, description, weight in [("92A", "Trafficking in controlled drugs", 512.96),
                                      ("8N", "Assault with injury", 189.15)]:
        offences[code] = OffenceType.objects.create(code=code, description=description)
        OffenceWeight.objects.create(edition=edition, offence_type=offences[code], weight=weight)
    world = World(force, [north, south], sectors, hoods, edition, offences)
    _records(world, synthetic)
    _group(world)
    if scores:
        from scoring.services import scores_recompute

        scores_recompute()
    return world


def _records(world: World, synthetic: bool) -> None:
    rows, n = [], 0
    for code, kind, offence, flag, latest, previous in PLAN:
        sector = world.sectors[code]
        hood = next(h for h in world.neighbourhoods if h.parent_id == sector.id)
        for index in range(latest + previous):
            month = date(2024 if index < latest else 2023, 1 + index % 12, 1)
            n += 1
            rows.append(Record(
                force=world.force, kind=kind, source="force" if kind == RecordKind.CRIME else kind,
                external_ref=f"R{n:05d}",
                occurred_on=month.replace(day=10), month=month,
                lat=sector.min_lat + 0.01 + 0.0007 * (index % 40), lon=hood.min_lon + 0.01 + 0.001 * (index % 50),
                area=hood, sector=sector, command=sector.parent,
                offence_type=world.offences[offence] if offence else None,
                drug_supply=flag == "drug_supply", cannabis_farm=flag == "cannabis_farm",
                firearms_discharge=flag == "firearms_discharge", is_synthetic=synthetic,
            ))
    world.records = Record.objects.bulk_create(rows)


def _group(world: World) -> None:
    sector = world.sectors["S2"]
    hood = next(h for h in world.neighbourhoods if h.parent_id == sector.id)
    group = Group.objects.create(ref="G1", name="Test OCG", group_type=GroupType.OCG, is_synthetic=True)
    for i in range(2):
        nominal = Nominal.objects.create(ref=f"N{i}", name=f"Nominal {i}", home_sector=sector, home_area=hood,
                                         home_command=sector.parent, home_lat=55.05, home_lon=-1.55,
                                         is_synthetic=True)
        Membership.objects.create(nominal=nominal, group=group, started_on=date(2023, 1, 1))


def add_late_crimes(world: World, code: str, how_many: int) -> None:
    """``how_many`` drug-supply crimes in sector ``code`` in November 2024, then the scores again:
    the data changing after something was frozen."""
    from scoring.services import scores_recompute

    sector = world.sectors[code]
    hood = next(h for h in world.neighbourhoods if h.parent_id == sector.id)
    Record.objects.bulk_create([Record(
        force=world.force, kind=RecordKind.CRIME, source="force", external_ref=f"LATE-{i}",
        occurred_on=date(2024, 11, 3), month=date(2024, 11, 1), lat=sector.min_lat + 0.02, lon=hood.min_lon + 0.02,
        area=hood, sector=sector, command=sector.parent, offence_type=world.offences["92A"], drug_supply=True)
        for i in range(how_many)])
    scores_recompute()
