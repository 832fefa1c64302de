"""The items behind a figure add up to it: for every area, window and selection of measures."""
from datetime import date
from itertools import combinations

import pytest
from django.db.models import Sum

from nominals.models import GroupType, LinkRole
from records.models import Record, RecordKind
from scoring.models import HarmScore, Measure
from scoring.selectors.items import WITHHELD, counted_records, figure_total, linked_to_group, nominal_months
from scoring.selectors.totals import area_totals
from scoring.services import scores_recompute
from scoring.tests.conftest import JAN, MAR
from sectors.models import Area
from tests import factories as f

WINDOWS = [(JAN, MAR), (date(2022, 10, 1), date(2022, 12, 1)), (date(2022, 11, 1), date(2023, 6, 1))]


@pytest.fixture
def busy(world):
    """The hand-built force, with overlaps, an unweighted crime, a priority nominal and a restricted one."""
    crime = f.RecordFactory(place=world.n1b, offence_type=world.c, drug_supply=True, occurred_on=date(2023, 2, 9))
    f.RecordNominalFactory(record=crime, nominal=world.m4, role=LinkRole.SUSPECT)
    unweighted = f.OffenceTypeFactory(code="U")
    f.RecordFactory(place=world.n2a, offence_type=unweighted, drug_supply=True, occurred_on=date(2023, 1, 3))
    pcg = f.GroupFactory(group_type=GroupType.PCG)
    f.MembershipFactory(nominal=world.n3, group=pcg, started_on=date(2022, 12, 1), ended_on=date(2023, 2, 14))
    secret = f.NominalFactory(home=world.n1a, is_restricted=True)
    f.MembershipFactory(nominal=secret, group=world.ocg, started_on=date(2023, 2, 1))
    f.PriorityStatusFactory(nominal=secret, started_on=date(2022, 11, 20), ended_on=date(2023, 1, 5))
    f.RecordFactory(place=world.s2, kind=RecordKind.DRUG_DEATH, source="coroner", occurred_on=date(2022, 12, 3))
    scores_recompute()
    world.crime, world.secret = crime, secret
    return world


def _selections():
    """Every measure alone, the active ones, all of them, and every pair (in the first window)."""
    every = list(Measure.objects.all())
    active = [m for m in every if m.is_active]
    whole = [(measures, window) for measures in [active, every] + [[m] for m in every] for window in WINDOWS]
    return whole + [(list(pair), WINDOWS[0]) for pair in combinations(every, 2)]


def test_the_items_add_up_to_every_stored_figure(busy, analyst):
    areas = list(Area.objects.all())
    checked = 0
    for measures, (start, end) in _selections():
        stored = area_totals(area_ids=[a.pk for a in areas], start=start, end=end, measures=measures)
        for area in areas:
            count, harm = figure_total(user=analyst, area=area, start=start, end=end, measures=measures,
                                       edition=busy.edition)
            expected = stored.get(area.pk)
            assert (count, round(harm, 6)) == ((expected.count, round(expected.harm, 6)) if expected else (0, 0)), \
                (area.code, [m.code for m in measures], start)
            checked += bool(count)
    assert checked > 100


def test_one_measure_lists_exactly_its_cell(busy, analyst):
    for measure in Measure.objects.all():
        for area in Area.objects.all():
            cell = HarmScore.objects.filter(area=area, measure=measure, month__gte=JAN, month__lte=MAR) \
                .aggregate(n=Sum("count"), harm=Sum("harm"))
            count, harm = figure_total(user=analyst, area=area, start=JAN, end=MAR, measures=[measure],
                                       edition=busy.edition)
            assert (count, round(harm, 6)) == (cell["n"] or 0, round(cell["harm"] or 0.0, 6)), (measure.code, area.code)


def test_a_crime_in_two_measures_is_listed_once_at_its_weight(busy):
    measures = list(Measure.objects.filter(code__in=["ocg-linked-crime", "drug-supply"]))
    rows = list(counted_records(area=busy.s1, start=JAN, end=MAR, measures=measures, edition=busy.edition)
                .values_list("pk", "harm"))
    assert len(rows) == len({pk for pk, _ in rows})
    assert dict(rows) == {busy.r[1].pk: 100.0, busy.r[2].pk: 10.0, busy.r[3].pk: 1000.0, busy.crime.pk: 1000.0}


def test_nothing_selected_lists_nothing(busy, analyst):
    assert figure_total(user=analyst, area=busy.force, start=JAN, end=MAR, measures=[], edition=busy.edition) \
        == (0, 0.0)


def test_victims_and_ended_memberships_do_not_link_to_a_group(busy):
    linked = set(Record.objects.filter(linked_to_group(busy.ocg.pk)).values_list("pk", flat=True))
    assert {busy.r[3].pk, busy.crime.pk} <= linked
    assert busy.r[13].pk not in linked  # the member was the victim
    assert busy.r[6].pk not in linked  # the membership had ended before the crime


def test_withheld_nominals_still_add_up(busy, analyst, officer):
    measures = [m for m in Measure.objects.filter(source=Measure.Source.NOMINALS)]
    seen = nominal_months(user=analyst, area=busy.n1a, start=JAN, end=MAR, measures=measures)
    hidden = nominal_months(user=officer, area=busy.n1a, start=JAN, end=MAR, measures=measures)
    assert [n.harm for n in seen] == [n.harm for n in hidden] and seen
    assert all(n.ref == WITHHELD and n.nominal_id == 0 for n in hidden)
    restricted = [n for n in seen if n.is_withheld]
    assert restricted and all(n.ref == WITHHELD for n in restricted)  # the analyst is not granted restricted ones
