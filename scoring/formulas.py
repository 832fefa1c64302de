"""Significance of a change in harm between two periods. Pure functions, no database.

Sources (see docs/scoring.md):
* harm-weighted z: each item of weight w_i is a Poisson event, so the harm
  H = sum w_i n_i has variance sum w_i^2 n_i, estimated by the stored harm_sq.
  Two independent periods give z = (H1 - H0) / sqrt(harm_sq1 + harm_sq0).
* count z: the square-root (Anscombe-style) variance-stabilising transform of
  a Poisson count has variance 1/4, so z = 2 (sqrt(c1) - sqrt(c0)).
* E-test: Krishnamoorthy, K. and Thomson, J. (2004) "A more powerful test for
  comparing two Poisson means", Journal of Statistical Planning and Inference
  119, 23-35.
"""
import math

SIGNIFICANT_Z = 1.96  # two-sided 5%
SIGNIFICANT_P = 0.05


def harm_z(harm: float, previous_harm: float, harm_sq: float, previous_harm_sq: float) -> float | None:
    """z for a change in weighted harm; None when both periods are empty (no variance)."""
    variance = harm_sq + previous_harm_sq
    if variance <= 0:
        return None
    return (harm - previous_harm) / math.sqrt(variance)


def count_z(count: int, previous_count: int) -> float:
    """z for a change in a Poisson count, on the square-root scale."""
    return 2.0 * (math.sqrt(count) - math.sqrt(previous_count))


def is_significant(z: float | None, threshold: float = SIGNIFICANT_Z) -> bool:
    return z is not None and abs(z) >= threshold


def normal_two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0))


def _poisson_log_pmf(k: int, mean: float) -> float:
    if mean == 0:
        return 0.0 if k == 0 else -math.inf
    return k * math.log(mean) - mean - math.lgamma(k + 1)


def _poisson_support(mean: float) -> range:
    # Mean +/- 12 standard deviations holds all but ~1e-30 of the mass.
    spread = 12.0 * math.sqrt(mean) + 12.0
    return range(max(0, int(mean - spread)), int(mean + spread) + 1)


def _e_statistic(k1: int, k2: int, t1: float, t2: float) -> float:
    variance = k1 / t1**2 + k2 / t2**2
    if variance == 0:
        return 0.0
    return (k1 / t1 - k2 / t2) / math.sqrt(variance)


def poisson_e_test(k1: int, k2: int, t1: float = 1.0, t2: float = 1.0) -> float:
    """Two-sided p-value of the E-test of H0: lambda1 = lambda2.

    k1 events in exposure t1 against k2 events in exposure t2. Under H0 the
    common rate is estimated by (k1 + k2) / (t1 + t2), and the p-value is the
    probability, under that estimate, of a statistic at least as extreme as
    the observed one. For a fixed x1 the statistic falls as x2 grows, so the
    outcomes at least as extreme are two tails in x2: each x1 costs two binary
    searches and two look-ups in the cumulative probabilities of x2.
    """
    if k1 < 0 or k2 < 0 or t1 <= 0 or t2 <= 0:
        raise ValueError("counts must be >= 0 and exposures > 0")
    rate = (k1 + k2) / (t1 + t2)
    # The tiny tolerance keeps ties (|T| equal to the observed value) in the tail.
    observed = abs(_e_statistic(k1, k2, t1, t2)) - 1e-12
    mean1, mean2 = rate * t1, rate * t2
    xs2 = list(_poisson_support(mean2))
    cumulative, running = [], 0.0
    for x2 in xs2:
        running += math.exp(_poisson_log_pmf(x2, mean2))
        cumulative.append(running)
    total = 0.0
    for x1 in _poisson_support(mean1):
        p1 = math.exp(_poisson_log_pmf(x1, mean1))
        if p1 < 1e-300:
            continue
        def statistic(i):
            return _e_statistic(x1, xs2[i], t1, t2)
        # Upper tail: the x2 (a prefix) with T >= observed; lower tail: the suffix with T <= -observed.
        upper = _first(len(xs2), lambda i: statistic(i) < observed)
        lower = _first(len(xs2), lambda i: statistic(i) <= -observed)
        if lower < upper:  # observed is 0 or below: every outcome is at least as extreme
            lower = upper
        tail = (cumulative[upper - 1] if upper else 0.0) + (cumulative[-1] - (cumulative[lower - 1] if lower else 0.0))
        total += p1 * tail
    return min(1.0, total)


def _first(n: int, holds) -> int:
    """The first index in 0..n-1 where the monotone predicate ``holds`` (n if none)."""
    low, high = 0, n
    while low < high:
        middle = (low + high) // 2
        if holds(middle):
            high = middle
        else:
            low = middle + 1
    return low


def item_set_total(*, count: int, css_count: int, css_harm: float, css_harm_sq: float, css_max: float,
                   css_selected: bool, fixed_weights: list[float]) -> tuple[int, float, float, float]:
    """(items, harm, sum of squared weights, heaviest item) of one stored set of items, for a selection.

    The items of a set are counted by the same measures; of those, the selected
    ones decide each item's single weight. A crime counted by a selected
    CSS-weighted measure weighs its offence's CSS weight (if the edition has
    one); otherwise it weighs the highest fixed weight among the selected
    measures counting it; an item no selected measure can weigh is not counted.
    Nominal-months have no CSS weight, so they weigh the highest fixed weight.
    """
    fixed = max(fixed_weights) if fixed_weights else None
    items, harm, harm_sq, heaviest = 0, 0.0, 0.0, 0.0
    rest = count
    if css_selected:
        items, harm, harm_sq, heaviest = css_count, css_harm, css_harm_sq, css_max
        rest = count - css_count
    if fixed is not None and rest > 0:
        items += rest
        harm += rest * fixed
        harm_sq += rest * fixed * fixed
        heaviest = max(heaviest, fixed)
    return items, harm, harm_sq, heaviest
