"""The SOC harm counts each item once, whatever measures count it; dominance means one item."""
import math
from datetime import date

import pytest
from django.utils import timezone

from core.months import add_months
from nominals.models import GroupType, LinkRole
from records.models import RecordKind
from scoring import formulas, itemsets, selectors, sql
from scoring.models import Measure, TotalScore
from scoring.selectors.drilldown import _record_branch
from scoring.services import scores_recompute
from scoring.tests.conftest import FEB, JAN, MAR
from sectors.models import Level
from tests import factories as f

OCG_MONTH, PCG_MONTH = 42.75, 15.76


def by_code(ranking):
    return {row.area_code: row for row in ranking.rows}


@pytest.fixture
def overlapping(world):
    """S1 gains a crime both OCG-linked and drug supply (C, 1000); N3 in S3 is also a PCG member."""
    crime = f.RecordFactory(place=world.n1b, offence_type=world.c, drug_supply=True, occurred_on=date(2023, 2, 9))
    f.RecordNominalFactory(record=crime, nominal=world.m4, role=LinkRole.SUSPECT)
    pcg = f.GroupFactory(group_type=GroupType.PCG)
    f.MembershipFactory(nominal=world.n3, group=pcg, started_on=date(2022, 12, 1))
    scores_recompute()
    world.crime = crime
    return world


def test_it_counts_a_crime_in_two_measures_once(overlapping, analyst):
    s1 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S1"]
    assert s1.contributions["ocg-linked-crime"] == 2000.0 and s1.contributions["drug-supply"] == 1110.0
    assert s1.harm == pytest.approx(100 + 10 + 1000 + 1000)
    assert s1.overlap == pytest.approx(1000.0)
    assert s1.breakdown_total - s1.overlap == pytest.approx(s1.harm)
    assert s1.count == 4 and s1.previous_count == 1
    # The variance counts the crime once too.
    assert s1.z == pytest.approx((2110 - 1000) / math.sqrt(100**2 + 10**2 + 2 * 1000**2 + 1000**2))
    assert s1.count_p == pytest.approx(formulas.poisson_e_test(4, 1))
    assert s1.count_significant is (s1.count_p < 0.05)


def test_it_counts_a_nominal_in_two_measures_once_a_month_at_the_higher_weight(overlapping, analyst):
    s3 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S3"]
    assert s3.counts["ocg-priority-nominals"] == 3 and s3.counts["ucg-pcg-nominals"] == 3
    assert s3.harm == pytest.approx(10 + 100 + 100 + 3 * OCG_MONTH)
    assert s3.overlap == pytest.approx(3 * PCG_MONTH)
    # Only the PCG measure chosen: the same nominal-months at its own weight.
    only_pcg = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3,
                                         measure_codes=["ucg-pcg-nominals"]))["S3"]
    assert only_pcg.harm == pytest.approx(3 * PCG_MONTH) and only_pcg.count == 3


def test_it_weighs_a_chosen_subset_of_measures_from_the_same_rows(overlapping, analyst):
    rows = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3, measure_codes=["drug-supply"]))
    assert rows["S1"].harm == pytest.approx(1110.0) and rows["S1"].overlap == 0.0
    rows = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3,
                                     measure_codes=["drug-supply", "ocg-linked-crime"]))
    assert rows["S1"].harm == pytest.approx(2110.0) and rows["S1"].overlap == pytest.approx(1000.0)


def _independent_record_harm(area, start, end, edition) -> tuple[int, float]:
    """Distinct records behind any active record measure, found by the drill-down's ORM queries, not the SQL."""
    weights = {}
    for measure in Measure.objects.filter(is_active=True).exclude(source=Measure.Source.NOMINALS):
        for row in _record_branch(measure, area, start, end, edition, 10_000):
            weights[row["id"]] = row["weight"]
    return len(weights), sum(weights.values())


def test_it_agrees_with_the_records_found_one_by_one(overlapping, analyst):
    ranking = selectors.ranking(user=analyst, end_month=MAR, months=3)
    measures = list(Measure.objects.filter(is_active=True).exclude(source=Measure.Source.NOMINALS))
    for area in (overlapping.s1, overlapping.s2, overlapping.s3, overlapping.force):
        totals = selectors.totals.area_totals(area_ids=[area.pk], start=JAN, end=MAR, measures=measures)
        count, harm = _independent_record_harm(area, JAN, MAR, overlapping.edition)
        assert (totals[area.pk].count, totals[area.pk].harm) == (count, pytest.approx(harm))
    assert ranking.force_harm == pytest.approx(sum(r.harm for r in ranking.rows))


def test_it_keeps_one_row_per_item_set(overlapping, measures):
    ids = itemsets.set_key([measures["ocg-linked-crime"].pk, measures["drug-supply"].pk])
    both = TotalScore.objects.get(area=overlapping.s1, month=FEB, measures=ids)
    assert (both.item_type, both.count, both.css_count, both.css_harm) == ("record", 1, 1, 1000.0)


def test_it_flags_one_record_carrying_half_the_harm(world, analyst):
    # S2 before: 100 + 1512 + 412.2; S1: r3 1000 of 1110.
    scores_recompute()
    rows = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))
    assert (rows["S1"].dominant, rows["S2"].dominant, rows["S3"].dominant) == ("record", "record", "")
    # Exactly half is "at least half": S3 holds 338.25; one more record of 338.25 is half of 676.5.
    half = f.OffenceWeightFactory(edition=world.edition, offence_type__code="H", weight=338.25).offence_type
    f.RecordFactory(place=world.s3, offence_type=half, kind=RecordKind.CRIME, drug_supply=True,
                    occurred_on=date(2023, 3, 20))
    scores_recompute()
    s3 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S3"]
    assert s3.harm == 676.5 and s3.dominant == "record"


def test_it_flags_one_nominal_whose_months_carry_half_the_harm(world, analyst):
    lone = f.AreaFactory(level=Level.SECTOR, code="S4", name="Sector four", parent=world.c1)
    nominal = f.NominalFactory(home=lone)
    f.MembershipFactory(nominal=nominal, group=world.ocg, started_on=date(2022, 1, 1))
    f.RecordFactory(place=lone, offence_type=world.b, kind=RecordKind.CRIME, drug_supply=True,
                    occurred_on=date(2023, 2, 2))
    scores_recompute()
    s4 = by_code(selectors.ranking(user=analyst, end_month=MAR, months=3))["S4"]
    # 3 months x 42.75 = 128.25 of 138.25: no single month is half, the nominal over the window is.
    assert s4.harm == pytest.approx(3 * OCG_MONTH + 10) and s4.dominant == "nominal"
    heaviest = selectors.totals.heaviest_nominals(level=Level.SECTOR, area_ids=[lone.pk], start=JAN, end=MAR,
                                                  measures=list(Measure.objects.filter(is_active=True)))
    assert (heaviest[lone.pk].nominal_id, heaviest[lone.pk].months) == (nominal.pk, 3)


def test_it_shows_what_the_force_counts_outside_every_sector(world, analyst):
    f.RecordFactory(place=world.c1, offence_type=world.a, kind=RecordKind.CRIME, drug_supply=True,
                    occurred_on=date(2023, 2, 2))
    scores_recompute()
    ranking = selectors.ranking(user=analyst, end_month=MAR, months=3)
    assert ranking.outside_harm == pytest.approx(100.0)
    assert sum(r.harm for r in ranking.rows) + ranking.outside_harm == pytest.approx(ranking.force_harm)


def test_it_ends_the_default_window_at_the_last_complete_month(world, analyst):
    this_month = timezone.localdate().replace(day=1)
    f.RecordFactory(place=world.s3, offence_type=world.a, kind=RecordKind.CRIME, drug_supply=True,
                    occurred_on=timezone.localdate())
    scores_recompute()
    ranking = selectors.ranking(user=analyst, months=3)
    assert ranking.partial_month == this_month and ranking.end == add_months(this_month, -1)
    assert selectors.default_window_end() == (add_months(this_month, -1), this_month)


@pytest.mark.parametrize("field, value, kind, bits, expected", [
    ("flag", "drug_supply", "crime", sql.FLAG_BITS["drug_supply"], True),
    ("flag", "drug_supply", "crime", sql.FLAG_BITS["cannabis_farm"], False),
    ("flag", "drug_supply", "policeuk", sql.FLAG_BITS["drug_supply"], False),  # another kind
    ("flag", "no_such_flag", "crime", sql.RECORD_BITS - 1, False),  # unknown: counts nothing
    ("linked_group_type", "ocg", "crime", sql.LINK_BITS["ocg"] | 1, True),
    ("linked_group_type", "ocg", "crime", sql.LINK_BITS["pcg"], False),
])
def test_it_says_which_records_a_measure_counts(field, value, kind, bits, expected):
    measure = Measure(source=Measure.Source.CRIMES, weighting=Measure.Weighting.CSS, **{field: value})
    assert itemsets.counts(measure, kind, bits) is expected


@pytest.mark.parametrize("roles, bits, expected", [
    ("ocg,priority", sql.ROLE_BITS["priority"], True),
    ("ocg,priority", sql.ROLE_BITS["pcg"], False),
    ("ucg,pcg", sql.ROLE_BITS["pcg"] | sql.ROLE_BITS["ocg"], True),
    ("", sql.NOMINAL_BITS - 1, False),
])
def test_it_says_which_nominal_months_a_measure_counts(roles, bits, expected):
    measure = Measure(source=Measure.Source.NOMINALS, weighting=Measure.Weighting.FIXED, fixed_weight=1.0,
                      nominal_roles=roles)
    assert itemsets.counts(measure, sql.NOMINAL_KIND, bits) is expected
    assert itemsets.counts(measure, "crime", bits) is False
