"""The impact estimates: pure functions, no database. References and choices: docs/impact.md.

* Weighted displacement difference (WDD): Wheeler, A. P. and Ratcliffe, J. H. (2018) "A simple
  weighted displacement difference test to evaluate place based crime interventions", Crime
  Science 7:11. With T the targeted areas, C the comparison (control) areas, D the buffer around
  the targets (displacement area) and CD the buffer around the comparison areas, each counted
  before (0) and after (1):

      WDD = ΔT − ΔC + ΔD − ΔCD,   Δx = x1 − x0

  Negative: harm fell in the targets and their buffer more than in the comparison. The eight
  cells are independent Poisson counts, so Var(WDD) is the sum of the eight counts. For harm,
  each item i of weight w_i is a Poisson event and a cell's harm Σ w_i has variance Σ w_i²
  (compound Poisson), so Var(WDD) is the sum over the eight cells of Σ w_i². When a comparison
  group holds a different number of areas from the group it stands for, its change is scaled by
  the ratio of the numbers of areas (a weight a), and its variance by a².
* Weighted displacement quotient (WDQ): Bowers, K. J. and Johnson, S. D. (2003) "Measuring the
  geographical displacement and diffusion of benefit effects of crime prevention activity",
  Journal of Quantitative Criminology 19(3), 275-301:

      WDQ = (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb)

  R the targeted (response) areas, D their buffer, C the comparison, b before, a after. Read
  only when the denominator (the success measure) is negative: then WDQ > 0 is a diffusion of
  benefit into the buffer, WDQ < 0 displacement into it (below −1, more than the benefit).
"""
import math
from dataclasses import dataclass

from scoring.formulas import normal_two_sided_p

Z_95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal
# Below this many items (before and after together) in the targeted group, or in the comparison
# group, no conclusion is drawn: the normal approximation and the comparison mean little.
MIN_ITEMS = 20


@dataclass(frozen=True)
class Cell:
    """One group in one window: items, their summed weight (harm) and summed squared weight."""

    count: int = 0
    harm: float = 0.0
    harm_sq: float = 0.0


@dataclass(frozen=True)
class Group:
    before: Cell = Cell()
    after: Cell = Cell()
    weight: float = 1.0  # the scale of this group's change (a comparison standing for fewer or more areas)

    @property
    def count_change(self) -> float:
        return self.weight * (self.after.count - self.before.count)

    @property
    def harm_change(self) -> float:
        return self.weight * (self.after.harm - self.before.harm)

    @property
    def count_variance(self) -> float:
        return self.weight ** 2 * (self.after.count + self.before.count)

    @property
    def harm_variance(self) -> float:
        return self.weight ** 2 * (self.after.harm_sq + self.before.harm_sq)

    @property
    def items(self) -> int:
        return self.before.count + self.after.count


@dataclass(frozen=True)
class Estimate:
    """A WDD: the estimate, its variance, z, two-sided p and 95% interval (z, p, interval None without variance)."""

    value: float
    variance: float
    z: float | None
    p: float | None
    low: float | None
    high: float | None

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)


def estimate(value: float, variance: float) -> Estimate:
    """z = value / sqrt(variance), p two-sided, interval value ± 1.96 sqrt(variance)."""
    if variance <= 0:
        return Estimate(value, 0.0, None, None, None, None)
    se = math.sqrt(variance)
    z = value / se
    return Estimate(value, variance, z, normal_two_sided_p(z), value - Z_95 * se, value + Z_95 * se)


def wdd(target: Group, comparison: Group, buffer: Group = Group(), comparison_buffer: Group = Group(), *,
        harm: bool) -> Estimate:
    """The weighted displacement difference of harm (``harm=True``) or of counts, with its variance."""
    groups = (target, comparison, buffer, comparison_buffer)
    if harm:
        value = target.harm_change - comparison.harm_change + buffer.harm_change - comparison_buffer.harm_change
        return estimate(value, sum(g.harm_variance for g in groups))
    value = target.count_change - comparison.count_change + buffer.count_change - comparison_buffer.count_change
    return estimate(value, sum(g.count_variance for g in groups))


def local_wdd(target: Group, comparison: Group, *, harm: bool) -> Estimate:
    """The targets against the comparison alone (ΔT − ΔC): the paper's local effect."""
    return wdd(target, comparison, harm=harm)


def wdq(*, target_before: float, target_after: float, buffer_before: float, buffer_after: float,
        comparison_before: float, comparison_after: float) -> float | None:
    """The weighted displacement quotient; None when it cannot be read (see the module's note)."""
    if comparison_before <= 0 or comparison_after <= 0:
        return None
    success = target_after / comparison_after - target_before / comparison_before
    if success >= 0:
        return None
    return (buffer_after / comparison_after - buffer_before / comparison_before) / success


def comparison_weight(*, stands_for: int, areas: int) -> float:
    """The weight scaling a comparison group of ``areas`` areas to the ``stands_for`` areas it stands for."""
    if areas <= 0 or stands_for <= 0:
        return 1.0
    return stands_for / areas


def enough_items(target: Group, comparison: Group, minimum: int = MIN_ITEMS) -> bool:
    return target.items >= minimum and comparison.items >= minimum


FELL, ROSE, UNCLEAR, TOO_FEW, INCOMPLETE = "fell", "rose", "unclear", "too_few", "incomplete"


def verdict(result: Estimate, *, enough: bool, complete: bool = True) -> str:
    """What may be said: nothing while a window is not covered by the data (``complete`` False) or with too
    few items; else a fall or rise beyond the comparison (95% interval clear of 0), or unclear."""
    if not complete:
        return INCOMPLETE
    if not enough:
        return TOO_FEW
    if result.high is not None and result.high < 0:
        return FELL
    if result.low is not None and result.low > 0:
        return ROSE
    return UNCLEAR


def wdq_reading(value: float | None) -> str:
    """Plain words for a WDQ."""
    if value is None:
        return "not defined: harm in the targeted areas did not fall relative to the comparison"
    if value > 0:
        return "diffusion of benefit: harm in the surrounding areas fell too, relative to the comparison"
    if value < -1:
        return "displacement greater than the benefit in the targeted areas"
    if value < 0:
        return "some displacement into the surrounding areas, less than the benefit"
    return "no change in the surrounding areas relative to the comparison"


VERDICTS = {
    FELL: "Harm fell by more than in the comparison: the 95% interval of the estimate lies below zero.",
    ROSE: "Harm rose by more than in the comparison: the 95% interval of the estimate lies above zero.",
    UNCLEAR: "No clear change: the 95% interval of the estimate includes zero, so the difference may be chance.",
    INCOMPLETE: "No conclusion: a window reaches past the months the data cover, and months without data "
                "count as empty. Choose windows inside the data, or wait for the after window to be over.",
    TOO_FEW: "No conclusion: too few items to compare (fewer than the minimum in the targeted or the comparison "
             "group). The figures are shown for information only.",
}
