import math

import pytest

from scoring import formulas


@pytest.mark.parametrize("harm, previous, sq, previous_sq, expected", [
    (30.0, 10.0, 300.0, 100.0, 1.0),  # 20 / sqrt(400)
    (10.0, 30.0, 100.0, 300.0, -1.0),
    (50.0, 0.0, 400.0, 225.0, 2.0),  # 50 / sqrt(625)
    (5.0, 2.0, 5.0, 4.0, 1.0),  # unit weights: the count z on the raw scale, 3 / sqrt(9)
    (1110.0, 1000.0, 1_010_100.0, 1_000_000.0, 110 / math.sqrt(2_010_100)),  # sector S1 of the fixture
    (0.0, 0.0, 0.0, 0.0, None),  # nothing either side: no variance, no z
])
def test_it_computes_the_harm_weighted_z(harm, previous, sq, previous_sq, expected):
    z = formulas.harm_z(harm, previous, sq, previous_sq)
    assert z == expected if expected is None else z == pytest.approx(expected)


@pytest.mark.parametrize("count, previous, expected", [
    (16, 9, 2.0), (9, 16, -2.0), (0, 0, 0.0), (25, 0, 10.0), (100, 81, 2.0), (1, 0, 2.0),
])
def test_it_computes_the_count_z_on_the_square_root_scale(count, previous, expected):
    assert formulas.count_z(count, previous) == pytest.approx(expected)


@pytest.mark.parametrize("z, expected", [
    (1.96, True), (-1.96, True), (1.95, False), (-0.5, False), (None, False), (12.0, True),
])
def test_it_calls_a_change_significant_at_1_96(z, expected):
    assert formulas.is_significant(z) is expected


@pytest.mark.parametrize("z, p", [(0.0, 1.0), (1.96, 0.04999579), (-1.96, 0.04999579), (2.5758, 0.0100003)])
def test_it_gives_two_sided_normal_p_values(z, p):
    assert formulas.normal_two_sided_p(z) == pytest.approx(p, abs=1e-6)


def _e_test_by_definition(k1, k2):
    """The E-test p-value for equal exposures, written straight from the definition (complement form)."""
    mean = (k1 + k2) / 2
    observed = abs(k1 - k2) / math.sqrt(k1 + k2) if k1 + k2 else 0.0
    inside = 0.0
    for x1 in range(60):
        for x2 in range(60):
            t = abs(x1 - x2) / math.sqrt(x1 + x2) if x1 + x2 else 0.0
            if t < observed - 1e-12:
                inside += math.exp(-2 * mean) * mean ** (x1 + x2) / (math.factorial(x1) * math.factorial(x2))
    return 1 - inside


@pytest.mark.parametrize("k1, k2, expected", [
    # By hand: rate 0.5 each; the pairs with |T| < 1 carry e^-1 (1 + .25 + .125 + .015625 + ...) = 0.5139.
    (1, 0, 0.4861),
    (0, 1, 0.4861),
    (5, 5, 1.0),  # no difference: every outcome is at least as extreme
    (0, 0, 1.0),
])
def test_it_runs_the_poisson_e_test_on_small_counts(k1, k2, expected):
    assert formulas.poisson_e_test(k1, k2) == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize("k1, k2", [(3, 0), (7, 2), (12, 4), (20, 9)])
def test_it_agrees_with_the_definition_of_the_e_test(k1, k2):
    assert formulas.poisson_e_test(k1, k2) == pytest.approx(_e_test_by_definition(k1, k2), abs=1e-9)
    assert formulas.poisson_e_test(k1, k2) == pytest.approx(formulas.poisson_e_test(k2, k1), abs=1e-12)


def test_it_gets_close_to_the_normal_test_for_large_counts():
    # T = 40 / sqrt(160) = 3.162; the normal p is 0.00157.
    p = formulas.poisson_e_test(100, 60)
    assert 0.0008 < p < 0.003


def test_it_accounts_for_unequal_exposures():
    # 10 events in 2 years against 5 in 1 year: the same rate.
    assert formulas.poisson_e_test(10, 5, t1=2.0, t2=1.0) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ValueError):
        formulas.poisson_e_test(-1, 2)


@pytest.mark.parametrize("k1, k2, t1, t2", [(0, 0, 1, 1), (1, 0, 1, 1), (3, 9, 1, 1), (14, 5, 2.0, 1.0),
                                            (40, 41, 1, 1), (120, 80, 1, 1), (6, 2, 1.0, 3.0)])
def test_it_gives_the_e_test_of_the_double_sum(k1, k2, t1, t2):
    # The tail search must give exactly what summing every outcome gives.
    rate = (k1 + k2) / (t1 + t2)
    observed = abs(formulas._e_statistic(k1, k2, t1, t2))
    total = 0.0
    for x1 in formulas._poisson_support(rate * t1):
        for x2 in formulas._poisson_support(rate * t2):
            if abs(formulas._e_statistic(x1, x2, t1, t2)) >= observed - 1e-12:
                total += math.exp(formulas._poisson_log_pmf(x1, rate * t1) + formulas._poisson_log_pmf(x2, rate * t2))
    assert formulas.poisson_e_test(k1, k2, t1, t2) == pytest.approx(min(1.0, total), abs=1e-12)


@pytest.mark.parametrize("css_selected, fixed, expected", [
    # 5 items, 3 of them with CSS weights 10, 20, 30 (sum 60, squares 1400, max 30).
    (True, [], (3, 60.0, 1400.0, 30.0)),  # CSS only: the 2 without a weight count nothing
    (True, [4.0], (5, 68.0, 1432.0, 30.0)),  # the 2 without a CSS weight take the fixed weight
    (True, [4.0, 50.0], (5, 160.0, 6400.0, 50.0)),  # the highest fixed weight, still only for those 2
    (False, [4.0, 7.0], (5, 35.0, 245.0, 7.0)),  # no CSS measure selected: every item at the highest fixed
    (False, [], (0, 0.0, 0.0, 0.0)),  # nothing selected counts them
])
def test_it_weighs_each_item_of_a_set_once(css_selected, fixed, expected):
    assert formulas.item_set_total(count=5, css_count=3, css_harm=60.0, css_harm_sq=1400.0, css_max=30.0,
                                   css_selected=css_selected, fixed_weights=fixed) == expected
