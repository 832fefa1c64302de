"""The impact of activity on hand-built sectors (tests.impact_world: eight squares in a row, S0
targeted in July 2023). Expected figures are worked out here from PLAN and the formula."""
import math
from datetime import date
from types import SimpleNamespace

import pytest
from django.db.models import Count, F, Sum
from django.http import Http404

from scoring.selectors.items import counted_records
from scoring.selectors.ranking import visible_measures
from tasking import formulas
from tasking.selectors.impact import (
    BUFFER,
    COMPARISON,
    COMPARISON_BUFFER,
    TARGET,
    activity_impact,
    default_windows,
    nearest_in_prior_harm,
    span_notes,
    windows_from,
)
from tests.impact_world import AFTER, BEFORE, PLAN, A, B, build_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(db):
    return build_row()


def _cell(code: str, when: int):
    a, b = PLAN[code][when]
    return a + b, a * A + b * B, a * A ** 2 + b * B ** 2


def _group(codes: list[str], weight: float = 1.0) -> formulas.Group:
    cells = [[_cell(code, when) for code in codes] for when in (0, 1)]
    before, after = (formulas.Cell(*(sum(x[i] for x in c) for i in range(3))) for c in cells)
    return formulas.Group(before, after, weight)


def _codes(impact, key) -> list[str]:
    return sorted(a["code"] for a in impact.groups[key].areas)


def test_it_estimates_a_fall_in_the_targeted_sector_against_the_nearest_comparison(row, analyst):
    impact = activity_impact(user=analyst, activity_ids=[row.activity.pk], comparisons=3)
    assert (impact.windows.before_start, impact.windows.before_end) == (BEFORE, date(2023, 6, 1))
    assert (impact.windows.after_start, impact.windows.after_end) == (AFTER, date(2024, 1, 1))
    # The targets' mean harm before: 30 x 100 + 5 x 10 = 3050; nearest: S4 (3100), S6 (2900), S3 (2800).
    target_mean = PLAN["S0"][0][0] * A + PLAN["S0"][0][1] * B
    by_distance = sorted(["S2", "S3", "S4", "S5", "S6", "S7"], key=lambda c: abs(PLAN[c][0][0] * A - target_mean))
    assert _codes(impact, COMPARISON) == sorted(by_distance[:3]) == ["S3", "S4", "S6"]
    assert _codes(impact, TARGET) == ["S0"] and _codes(impact, BUFFER) == ["S1"]
    assert _codes(impact, COMPARISON_BUFFER) == ["S2", "S5", "S7"]
    t, d = _group(["S0"]), _group(["S1"])
    c, cd = _group(["S3", "S4", "S6"], 1 / 3), _group(["S2", "S5", "S7"], 1 / 3)
    expected = formulas.wdd(t, c, d, cd, harm=True)
    value = (t.after.harm - t.before.harm) - (c.after.harm - c.before.harm) / 3 \
        + (d.after.harm - d.before.harm) - (cd.after.harm - cd.before.harm) / 3
    variance = t.before.harm_sq + t.after.harm_sq + d.before.harm_sq + d.after.harm_sq \
        + (c.before.harm_sq + c.after.harm_sq + cd.before.harm_sq + cd.after.harm_sq) / 9
    assert impact.harm.value == pytest.approx(value) == pytest.approx(expected.value)
    assert impact.harm.variance == pytest.approx(variance)
    assert impact.harm.high == pytest.approx(value + formulas.Z_95 * math.sqrt(variance))
    assert impact.harm.value < 0 and impact.harm.high < 0
    assert impact.counts.value == pytest.approx(formulas.wdd(t, c, d, cd, harm=False).value)
    assert impact.groups[TARGET].before.count == 35 and impact.groups[TARGET].after.count == 2
    assert impact.enough and impact.verdict == formulas.FELL
    assert impact.wdq == pytest.approx(formulas.wdq(
        target_before=t.before.harm, target_after=t.after.harm, buffer_before=d.before.harm,
        buffer_after=d.after.harm, comparison_before=c.before.harm, comparison_after=c.after.harm))
    assert impact.caveats and any("regression to the mean" in c.lower() for c in impact.caveats)


def test_the_stored_sums_of_weights_and_squares_equal_the_items_behind_them(row, analyst):
    impact = activity_impact(user=analyst, activity_ids=[row.activity.pk], comparisons=3)
    w = impact.windows
    for key, group in impact.groups.items():
        for (start, end), stored in (((w.before_start, w.before_end), group.before),
                                     ((w.after_start, w.after_end), group.after)):
            n = harm = sq = 0
            for area in group.areas:
                items = counted_records(area=row.sectors[area["code"]], start=start, end=end,
                                        measures=visible_measures(None), edition=row.edition)
                got = items.aggregate(n=Count("id"), h=Sum("harm"), sq=Sum(F("harm") * F("harm")))
                n, harm, sq = n + got["n"], harm + (got["h"] or 0), sq + (got["sq"] or 0)
            assert (stored.count, stored.harm, stored.harm_sq) == (n, pytest.approx(harm), pytest.approx(sq)), key


def test_the_user_may_choose_the_comparison_and_targets_or_buffer_are_dropped(row, governance):
    s = row.sectors
    impact = activity_impact(user=governance, activity_ids=[row.activity.pk],
                             comparison_ids=[s["S0"].pk, s["S1"].pk, s["S7"].pk, s["S5"].pk])
    assert impact.comparison_given and _codes(impact, COMPARISON) == ["S5", "S7"]
    assert _codes(impact, COMPARISON_BUFFER) == ["S4", "S6"]
    assert any("Sector 0" in n and "Sector 1" in n for n in impact.notes)
    assert impact.groups[COMPARISON].weight == pytest.approx(1 / 2)
    t, d = _group(["S0"]), _group(["S1"])
    c, cd = _group(["S5", "S7"], 1 / 2), _group(["S4", "S6"], 1 / 2)
    assert impact.harm.value == pytest.approx(formulas.wdd(t, c, d, cd, harm=True).value)


def test_it_refuses_a_conclusion_below_the_minimum_of_items(row, analyst):
    # A window of one month: S0 holds 5 A crimes in June... below the minimum of 20.
    impact = activity_impact(user=analyst, activity_ids=[row.activity.pk], months=1, comparisons=1)
    assert impact.groups[TARGET].before.count + impact.groups[TARGET].after.count < formulas.MIN_ITEMS
    assert not impact.enough and impact.verdict == formulas.TOO_FEW


def test_it_takes_windows_given_by_the_user(row, analyst):
    impact = activity_impact(user=analyst, activity_ids=[row.activity.pk], months=3,
                             before_start=date(2023, 4, 1), after_start=date(2023, 9, 1))
    assert (impact.windows.before_end, impact.windows.after_end) == (date(2023, 6, 1), date(2023, 11, 1))
    with pytest.raises(ValueError):
        activity_impact(user=analyst, activity_ids=[row.activity.pk], months=6,
                        before_start=date(2023, 4, 1), after_start=date(2023, 7, 1))


def test_it_shows_nothing_to_those_who_may_not_see_impact(row, officer):
    with pytest.raises(Http404):
        activity_impact(user=officer, activity_ids=[row.activity.pk])


def test_it_reads_in_a_bounded_number_of_queries(row, analyst, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        activity_impact(user=analyst, activity_ids=[row.activity.pk])


def test_the_default_windows_run_from_the_first_start_to_the_last_end():
    activities = [SimpleNamespace(started_on=date(2023, 3, 15), ended_on=date(2023, 4, 2)),
                  SimpleNamespace(started_on=date(2023, 5, 1), ended_on=date(2023, 6, 20))]
    windows = default_windows(activities, months=2)
    assert (windows.before_start, windows.before_end) == (date(2023, 1, 1), date(2023, 2, 1))
    assert (windows.after_start, windows.after_end) == (date(2023, 7, 1), date(2023, 8, 1))


def test_the_nearest_in_prior_harm_break_ties_by_name():
    chosen = nearest_in_prior_harm(candidates={1: 90.0, 2: 110.0, 3: 100.0, 4: 300.0},
                                   names={1: "b", 2: "a", 3: "z", 4: "c"}, target_mean=100.0, k=3)
    assert chosen == [3, 2, 1]



def test_it_warns_when_a_window_reaches_past_the_data():
    windows = windows_from(before_start=date(2023, 1, 1), after_start=date(2023, 8, 1), months=6)
    assert span_notes(windows, date(2023, 1, 1), date(2024, 1, 1)) == []
    (late,) = span_notes(windows, date(2023, 1, 1), date(2023, 12, 1))
    assert "ends after the data do (Dec 2023)" in late
    (early,) = span_notes(windows, date(2023, 2, 1), date(2024, 1, 1))
    assert "starts before the data do (Feb 2023)" in early
    assert "no stored scores" in span_notes(windows, None, None)[0]


def test_it_draws_no_conclusion_while_a_window_reaches_past_the_data(row, analyst):
    # The data end in January 2024 (the default after window's last month): one more month is not over.
    full = activity_impact(user=analyst, activity_ids=[row.activity.pk], comparisons=3)
    assert full.verdict == formulas.FELL
    late = activity_impact(user=analyst, activity_ids=[row.activity.pk], comparisons=3, months=7)
    assert late.windows.after_end == date(2024, 2, 1)
    assert late.enough and late.harm.high < 0  # the estimate alone would say "fell"
    assert late.verdict == formulas.INCOMPLETE
    assert any("ends after the data do" in note for note in late.notes)
