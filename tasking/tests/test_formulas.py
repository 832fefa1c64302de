"""The impact formulas on hand-built cells; each expected value is worked out here from the definition."""
import math

import pytest

from tasking import formulas
from tasking.formulas import Cell, Group


def counts(before: int, after: int, weight: float = 1.0) -> Group:
    """A group of unit-weight items: harm equals count, and so does the sum of squares."""
    return Group(Cell(before, before, before), Cell(after, after, after), weight)


def test_it_reproduces_the_worked_example_of_wheeler_and_ratcliffe():
    # The paper's example: control 308 -> 318, treated 207 -> 110, displacement control 150 -> 140,
    # displacement (treated buffer) 178 -> 157; published: WDD -118, variance 1568, z -2.98, 95% CI -196 to -40.
    t, c, cd, d = (207, 110), (308, 318), (150, 140), (178, 157)
    result = formulas.wdd(counts(*t), counts(*c), counts(*d), counts(*cd), harm=False)
    expected = (t[1] - t[0]) - (c[1] - c[0]) + (d[1] - d[0]) - (cd[1] - cd[0])
    variance = sum(t + c + d + cd)
    assert (result.value, result.variance) == (expected, variance) == (-118, 1568)
    assert result.z == pytest.approx(expected / math.sqrt(variance))
    assert round(result.z, 2) == -2.98
    assert (round(result.low), round(result.high)) == (-196, -40)
    assert result.p == pytest.approx(math.erfc(abs(result.z) / math.sqrt(2)))


def test_it_weighs_harm_with_the_sum_of_squared_item_weights():
    # Targets: before items of 500 and 100, after one of 100; comparison: 200 before, 200 + 50 after.
    target = Group(Cell(2, 600.0, 500.0 ** 2 + 100.0 ** 2), Cell(1, 100.0, 100.0 ** 2))
    comparison = Group(Cell(1, 200.0, 200.0 ** 2), Cell(2, 250.0, 200.0 ** 2 + 50.0 ** 2))
    result = formulas.wdd(target, comparison, harm=True)
    expected = (100.0 - 600.0) - (250.0 - 200.0)
    variance = 500.0 ** 2 + 100.0 ** 2 + 100.0 ** 2 + 200.0 ** 2 + 200.0 ** 2 + 50.0 ** 2
    assert result.value == pytest.approx(expected)
    assert result.variance == pytest.approx(variance)
    assert result.low == pytest.approx(expected - formulas.Z_95 * math.sqrt(variance))
    # The counts of the same cells: 1 - 2 - (2 - 1), variance the sum of the counts.
    by_count = formulas.wdd(target, comparison, harm=False)
    assert (by_count.value, by_count.variance) == ((1 - 2) - (2 - 1), 2 + 1 + 1 + 2)


def test_it_scales_a_comparison_of_more_areas_and_its_variance_by_the_square_of_the_weight():
    weight = formulas.comparison_weight(stands_for=1, areas=4)
    target, comparison = counts(40, 20), counts(160, 160, weight)
    result = formulas.wdd(target, comparison, harm=False)
    assert weight == 0.25
    assert result.value == (20 - 40) - weight * (160 - 160)
    assert result.variance == pytest.approx(40 + 20 + weight ** 2 * (160 + 160))


@pytest.mark.parametrize("target, comparison, buffer, comparison_buffer", [
    ((30, 10), (30, 30), (20, 20), (20, 20)),  # a fall in the targets only
    ((30, 30), (30, 30), (20, 40), (20, 20)),  # displacement into the buffer
    ((10, 30), (30, 10), (5, 5), (9, 1)),  # a rise against a falling comparison
])
def test_it_sums_the_four_changes_with_the_paper_signs(target, comparison, buffer, comparison_buffer):
    result = formulas.wdd(*(counts(*g) for g in (target, comparison, buffer, comparison_buffer)), harm=False)
    delta = [after - before for before, after in (target, comparison, buffer, comparison_buffer)]
    assert result.value == delta[0] - delta[1] + delta[2] - delta[3]
    assert result.variance == sum(target + comparison + buffer + comparison_buffer)


def test_it_gives_no_z_without_variance():
    result = formulas.wdd(counts(0, 0), counts(0, 0), harm=True)
    assert (result.value, result.z, result.p, result.low) == (0, None, None, None)


@pytest.mark.parametrize("cells", [
    (100, 50, 40, 35, 200, 200),  # targets and buffer fall against a flat comparison: diffusion
    (100, 50, 40, 60, 200, 200),  # the buffer rises: displacement
    (100, 50, 40, 100, 200, 200),  # the buffer rises by more than the targets fell
])
def test_it_computes_the_weighted_displacement_quotient(cells):
    rb, ra, db, da, cb, ca = cells
    expected = (da / ca - db / cb) / (ra / ca - rb / cb)
    assert formulas.wdq(target_before=rb, target_after=ra, buffer_before=db, buffer_after=da,
                        comparison_before=cb, comparison_after=ca) == pytest.approx(expected)


def test_it_reads_the_quotient_only_after_a_relative_fall_in_the_targets():
    assert formulas.wdq(target_before=50, target_after=60, buffer_before=10, buffer_after=5,
                        comparison_before=100, comparison_after=100) is None
    assert formulas.wdq(target_before=50, target_after=40, buffer_before=10, buffer_after=5,
                        comparison_before=0, comparison_after=100) is None
    assert "diffusion" in formulas.wdq_reading(0.5)
    assert "displacement greater" in formulas.wdq_reading(-1.5)
    assert "some displacement" in formulas.wdq_reading(-0.5)


def test_it_refuses_a_conclusion_below_the_minimum_of_items():
    few = counts(formulas.MIN_ITEMS // 2, formulas.MIN_ITEMS // 2 - 1)  # one short of the minimum
    many = counts(formulas.MIN_ITEMS, formulas.MIN_ITEMS)
    assert not formulas.enough_items(few, many) and not formulas.enough_items(many, few)
    assert formulas.enough_items(counts(formulas.MIN_ITEMS, 0), many)
    clear_fall = formulas.wdd(counts(200, 50), counts(200, 200), harm=False)
    assert clear_fall.high < 0
    assert formulas.verdict(clear_fall, enough=True) == formulas.FELL
    assert formulas.verdict(clear_fall, enough=False) == formulas.TOO_FEW
    assert formulas.verdict(formulas.wdd(counts(50, 200), counts(200, 200), harm=False), enough=True) == formulas.ROSE
    assert formulas.verdict(formulas.wdd(counts(50, 48), counts(50, 50), harm=False), enough=True) == formulas.UNCLEAR


def test_the_verdict_waits_for_windows_inside_the_data():
    fall = formulas.wdd(formulas.Group(formulas.Cell(100, 1000.0, 10000.0), formulas.Cell(10, 100.0, 1000.0)),
                        formulas.Group(formulas.Cell(100, 1000.0, 10000.0), formulas.Cell(100, 1000.0, 10000.0)),
                        harm=True)
    assert formulas.verdict(fall, enough=True) == formulas.FELL
    assert formulas.verdict(fall, enough=True, complete=False) == formulas.INCOMPLETE
    assert formulas.verdict(fall, enough=False, complete=False) == formulas.INCOMPLETE
