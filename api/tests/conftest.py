"""A scored force (tests.world) whose records of 2024 are linked to nominals: two groups, a restricted member."""
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.cache import cache

from nominals.models import Group, GroupType, Membership, Nominal, RecordNominal
from scoring.services import scores_recompute
from tests.world import World, build_world

WINDOW = {"end": "2024-12", "months": 12}


@dataclass
class Research:
    world: World
    ocg: Group
    ucg: Group
    people: dict[str, Nominal]


@pytest.fixture
def research(db) -> Research:
    """G1 (an OCG: N0, N1 and the restricted R) and G2 (a UCG: U). Links of 2024's drug supply in S2:
    N0 and N1 share three records, N0 and R two (R's only links), N1 and U one; one of 2023 links N0 and U."""
    cache.clear()  # the throttles' counts live in the cache
    world = build_world(scores=False)
    ocg = Group.objects.get(ref="G1")
    ucg = Group.objects.create(ref="G2", name="Street crew", group_type=GroupType.UCG)
    people = {n.ref: n for n in Nominal.objects.all()}
    people["R"] = Nominal.objects.create(ref="R", name="Restricted Person", is_restricted=True)
    people["U"] = Nominal.objects.create(ref="U", name="Crew Member")
    Membership.objects.create(nominal=people["R"], group=ocg, started_on=date(2023, 1, 1))
    Membership.objects.create(nominal=people["U"], group=ucg, started_on=date(2023, 1, 1))
    supply = [r for r in world.records if r.sector_id == world.sectors["S2"].pk and r.drug_supply]
    latest = [r for r in supply if r.month.year == 2024]
    earlier = [r for r in supply if r.month.year == 2023]
    links = [(latest[i], ref, "offender") for i in range(3) for ref in ("N0", "N1")]
    links += [(latest[i], ref, "suspect") for i in (3, 4) for ref in ("N0", "R")]
    links += [(latest[5], "N1", "offender"), (latest[5], "U", "associate"), (latest[6], "U", "victim")]
    links += [(earlier[0], "N0", "offender"), (earlier[0], "U", "offender")]
    RecordNominal.objects.bulk_create([RecordNominal(record=record, force_id=record.force_id, nominal=people[ref],
                                                     role=role) for record, ref, role in links])
    scores_recompute()
    return Research(world=world, ocg=ocg, ucg=ucg, people=people)
