"""The impact of activity: harm in the targeted sectors before and after, against comparison sectors.

Four groups of sectors (docs/impact.md): the targeted ones, the buffer touching them, k comparison
sectors of similar harm before (chosen here, or given by the user) and the comparison's own buffer.
Harm and counts are the stored distinct totals of the active measures (scoring.selectors.totals,
the same figures as the sector overview), with their stored sums of squared item weights; the
estimates are tasking.formulas'. Only users who may see impact get anything (Http404 otherwise).
"""
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404

from core.months import add_months, month_start, months_between
from scoring.models import TotalScore
from scoring.selectors.ranking import data_span, visible_measures
from scoring.selectors.totals import Totals, sum_item_sets
from sectors.geometry import touching_areas
from sectors.models import Area, Level
from sectors.selectors import area_forces
from tasking import formulas
from tasking.formulas import Cell, Group
from tasking.models import Activity
from tasking.permissions import can_see_impact

DEFAULT_MONTHS = 6
MAX_MONTHS = 36
DEFAULT_COMPARISONS = 5
MAX_COMPARISONS = 20

CAVEATS = [
    "Regression to the mean: areas are usually chosen for activity because their harm was unusually high, "
    "and such harm tends to fall back afterwards whatever is done. Comparison areas of similar harm before "
    "reduce this, but cannot remove it.",
    "No random assignment: the targeted areas were chosen, not drawn by lot, so anything else that differed "
    "between them and the comparison areas (other activity, the season, how crimes were recorded) can cause "
    "the difference.",
    "Small numbers: a few serious offences carry most of the harm, and one of them can move the estimate a "
    "long way. Below the stated minimum of items no conclusion is drawn; above it, an interval that includes "
    "zero means the data cannot tell a change from chance.",
    "Data as of now: records of the after window may still be coming in.",
]

TARGET, COMPARISON, BUFFER, COMPARISON_BUFFER = "target", "comparison", "buffer", "comparison_buffer"
LABELS = {TARGET: "targeted areas", COMPARISON: "comparison areas", BUFFER: "around the targeted areas",
          COMPARISON_BUFFER: "around the comparison areas"}


@dataclass(frozen=True)
class Windows:
    """Two windows of ``months`` whole months each: before (first..last) and after (first..last)."""

    months: int
    before_start: date
    before_end: date
    after_start: date
    after_end: date


def default_windows(activities: list[Activity], months: int = DEFAULT_MONTHS) -> Windows:
    """``months`` whole months before the month of the first start and after the month of the last end."""
    first = month_start(min(a.started_on for a in activities))
    last = month_start(max(a.ended_on for a in activities))
    return windows_from(before_start=add_months(first, -months), after_start=add_months(last, 1), months=months)


def windows_from(*, before_start: date, after_start: date, months: int) -> Windows:
    before_start, after_start = month_start(before_start), month_start(after_start)
    return Windows(months, before_start, add_months(before_start, months - 1), after_start,
                   add_months(after_start, months - 1))


@dataclass
class AreaGroup:
    """One group of sectors and its figures in each window."""

    key: str
    areas: list[dict]  # id, code, name, harm before (for the comparison's choice)
    before: Totals
    after: Totals
    weight: float = 1.0

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def group(self) -> Group:
        return Group(_cell(self.before), _cell(self.after), self.weight)

    @property
    def harm_change(self) -> float:
        return self.after.harm - self.before.harm

    @property
    def count_change(self) -> int:
        return self.after.count - self.before.count


@dataclass
class Impact:
    activities: list[Activity]
    windows: Windows
    groups: dict[str, AreaGroup]
    harm: formulas.Estimate
    counts: formulas.Estimate
    local_harm: formulas.Estimate
    local_counts: formulas.Estimate
    wdq: float | None
    wdq_reading: str
    enough: bool
    verdict: str
    comparison_given: bool
    monthly: list[tuple[date, float, float]]  # month, harm per targeted area, harm per comparison area
    notes: list[str] = field(default_factory=list)
    minimum: int = formulas.MIN_ITEMS
    caveats: list[str] = field(default_factory=lambda: list(CAVEATS))

    @property
    def verdict_text(self) -> str:
        return formulas.VERDICTS[self.verdict]

    @property
    def ordered_groups(self) -> list[AreaGroup]:
        return [self.groups[k] for k in (TARGET, COMPARISON, BUFFER, COMPARISON_BUFFER)]


def _cell(totals: Totals) -> Cell:
    return Cell(totals.count, totals.harm, totals.harm_sq)


def _sum(totals: list[Totals]) -> Totals:
    out = Totals()
    for t in totals:
        out.count += t.count
        out.harm += t.harm
        out.harm_sq += t.harm_sq
    return out


def impact_activities(*, user, activity_ids) -> list[Activity]:
    """The activities asked for, with their areas; a 404 for a user who may not see impact."""
    if not can_see_impact(user):
        raise Http404("No such page")
    ids = [int(i) for i in activity_ids if str(i).isdigit()]
    return list(Activity.objects.filter(pk__in=ids).prefetch_related("areas").order_by("started_on", "ref"))


def targeted_sectors(activities: list[Activity]) -> tuple[set[int], list[str]]:
    """The sectors the activities target (a neighbourhood counts as its sector), and notes on what was left out."""
    sectors, notes = set(), []
    for activity in activities:
        for area in activity.areas.all():
            if area.level == Level.SECTOR:
                sectors.add(area.pk)
            elif area.level == Level.NEIGHBOURHOOD and area.parent_id:
                sectors.add(area.parent_id)
            else:
                notes.append(f"{activity.ref} targets {area.name} ({area.get_level_display()}), not a place: "
                             "left out of the targeted areas.")
    return sectors, notes


def span_notes(windows: Windows, first: date | None, last: date | None) -> list[str]:
    """Warnings when a window reaches past the months with stored scores (those months count as empty)."""
    if first is None or last is None:
        return ["There are no stored scores yet: every figure is zero."]
    notes = []
    if windows.before_start < first:
        notes.append(f"The before window starts before the data do ({first:%b %Y}): its earlier months count "
                     "as empty, which makes a fall look smaller or a rise larger.")
    if windows.after_end > last:
        notes.append(f"The after window ends after the data do ({last:%b %Y}): its later months count as "
                     "empty, which makes a fall look larger. Choose earlier windows or wait for the data.")
    return notes


def nearest_in_prior_harm(*, candidates: dict[int, float], names: dict[int, str], target_mean: float,
                          k: int) -> list[int]:
    """The ``k`` candidates whose harm before is nearest the targets' mean per sector (ties by name, then id)."""
    return sorted(candidates, key=lambda pk: (abs(candidates[pk] - target_mean), names.get(pk, ""), pk))[:k]


def activity_impact(*, user, activity_ids, months: int = DEFAULT_MONTHS, before_start: date | None = None,
                    after_start: date | None = None, comparison_ids=None,
                    comparisons: int = DEFAULT_COMPARISONS) -> Impact | None:
    """The impact estimate for the activities (None when none of them is found).

    Windows: the defaults of default_windows, or both starts given. ``comparison_ids``: the
    user's comparison sectors (those targeted or in the buffer are dropped, with a note).
    Thirteen queries at most, whatever the number of sectors.
    """
    activities = impact_activities(user=user, activity_ids=activity_ids)
    if not activities:
        return None
    months = max(1, min(MAX_MONTHS, int(months)))
    windows = (windows_from(before_start=before_start, after_start=after_start, months=months)
               if before_start and after_start else default_windows(activities, months))
    notes = []
    if windows.after_start <= windows.before_end:
        raise ValueError("The after window must start after the before window ends.")
    target, target_notes = targeted_sectors(activities)
    first, last = data_span()
    notes += target_notes + span_notes(windows, first, last)
    complete = first is not None and first <= windows.before_start and windows.after_end <= last
    forces = area_forces()
    target_forces = {forces.get(pk) for pk in target}
    sectors = {row["id"]: row for row in Area.objects.filter(level=Level.SECTOR).values("id", "code", "name")
               if forces.get(row["id"]) in target_forces}
    buffer = (touching_areas(area_ids=target, level=Level.SECTOR) & set(sectors)) - target
    measures = visible_measures(None)
    before = _by_area(list(sectors), windows.before_start, windows.before_end, measures)
    chosen, comparison_given = _comparison(
        target=target, buffer=buffer, sectors=sectors, before=before, given=comparison_ids,
        k=max(1, min(MAX_COMPARISONS, int(comparisons))), notes=notes)
    comparison_buffer = (touching_areas(area_ids=set(chosen), level=Level.SECTOR) & set(sectors)) \
        - target - buffer - set(chosen)
    members = {TARGET: target, COMPARISON: set(chosen), BUFFER: buffer, COMPARISON_BUFFER: comparison_buffer}
    involved = set().union(*members.values())
    after = _by_area(list(involved), windows.after_start, windows.after_end, measures)
    groups = {key: AreaGroup(key, _rows(ids, sectors, before), _sum([before.get(pk, Totals()) for pk in ids]),
                             _sum([after.get(pk, Totals()) for pk in ids])) for key, ids in members.items()}
    groups[COMPARISON].weight = formulas.comparison_weight(stands_for=len(target), areas=len(chosen))
    groups[COMPARISON_BUFFER].weight = formulas.comparison_weight(stands_for=len(buffer),
                                                                  areas=len(comparison_buffer))
    return _estimate(activities, windows, groups, comparison_given, notes,
                     _monthly(members, windows, measures), complete=complete)


def _by_area(area_ids: list[int], start: date, end: date, measures) -> dict[int, Totals]:
    if not area_ids:
        return {}
    rows = sum_item_sets(TotalScore.objects.filter(area_id__in=area_ids, month__gte=start, month__lte=end),
                         ("area_id",), measures)
    return {key[0]: value for key, value in rows.items()}


def _rows(ids: set[int], sectors: dict[int, dict], before: dict[int, Totals]) -> list[dict]:
    rows = [{**sectors[pk], "harm_before": before.get(pk, Totals()).harm} for pk in ids if pk in sectors]
    return sorted(rows, key=lambda r: (r["name"], r["id"]))


def _comparison(*, target: set[int], buffer: set[int], sectors: dict[int, dict], before: dict[int, Totals],
                given, k: int, notes: list[str]) -> tuple[list[int], bool]:
    excluded = target | buffer
    if given:
        ids = {int(i) for i in given if str(i).isdigit()}
        dropped = sorted(sectors[pk]["name"] for pk in ids & excluded if pk in sectors)
        if dropped:
            notes.append(f"Left out of the comparison, being targeted or around the targets: {', '.join(dropped)}.")
        unknown = ids - set(sectors)
        if unknown:
            notes.append(f"{len(unknown)} comparison area(s) not a sector of the targets' force: left out.")
        chosen = sorted(ids & set(sectors) - excluded)
        if chosen:
            return chosen, True
        notes.append("None of the comparison areas given could be used: chosen automatically instead.")
    candidates = {pk: before.get(pk, Totals()).harm for pk in sectors if pk not in excluded}
    mean = sum(before.get(pk, Totals()).harm for pk in target) / len(target) if target else 0.0
    names = {pk: row["name"] for pk, row in sectors.items()}
    return nearest_in_prior_harm(candidates=candidates, names=names, target_mean=mean, k=k), False


def _monthly(members: dict[str, set[int]], windows: Windows, measures) -> list[tuple[date, float, float]]:
    """Harm per month per targeted area and per comparison area, over both windows and the months between."""
    ids = members[TARGET] | members[COMPARISON]
    if not ids:
        return []
    rows = sum_item_sets(TotalScore.objects.filter(area_id__in=ids, month__gte=windows.before_start,
                                                   month__lte=windows.after_end), ("area_id", "month"), measures)
    per = {TARGET: {}, COMPARISON: {}}
    for (area_id, month), totals in rows.items():
        for key in per:
            if area_id in members[key]:
                per[key][month] = per[key].get(month, 0.0) + totals.harm
    n_t, n_c = max(1, len(members[TARGET])), max(1, len(members[COMPARISON]))
    return [(m, per[TARGET].get(m, 0.0) / n_t, per[COMPARISON].get(m, 0.0) / n_c)
            for m in months_between(windows.before_start, windows.after_end)]


def _estimate(activities, windows, groups: dict[str, AreaGroup], comparison_given: bool, notes: list[str],
              monthly, *, complete: bool) -> Impact:
    t, c, d, cd = (groups[k].group() for k in (TARGET, COMPARISON, BUFFER, COMPARISON_BUFFER))
    harm = formulas.wdd(t, c, d, cd, harm=True)
    enough = formulas.enough_items(t, c)
    if not groups[TARGET].areas:
        notes.append("The activities target no sector: there is nothing to compare.")
        enough = False
    wdq = formulas.wdq(target_before=t.before.harm, target_after=t.after.harm, buffer_before=d.before.harm,
                       buffer_after=d.after.harm, comparison_before=c.before.harm,
                       comparison_after=c.after.harm) if groups[BUFFER].areas else None
    return Impact(activities=activities, windows=windows, groups=groups, harm=harm,
                  counts=formulas.wdd(t, c, d, cd, harm=False), local_harm=formulas.local_wdd(t, c, harm=True),
                  local_counts=formulas.local_wdd(t, c, harm=False), wdq=wdq,
                  wdq_reading=formulas.wdq_reading(wdq) if groups[BUFFER].areas else "no areas around the targets",
                  enough=enough, verdict=formulas.verdict(harm, enough=enough, complete=complete), comparison_given=comparison_given,
                  monthly=monthly, notes=notes)
