"""The ranking of the areas of one level by harm, with the change from the previous window."""
from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Case, Max, Min, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from core.months import add_months, months_between
from scoring import formulas
from scoring.models import CssEdition, HarmScore, Measure, TotalScore
from scoring.permissions import can_see_rankings
from scoring.selectors.totals import Totals, by_harm_type, heaviest_nominals, sum_item_sets_by
from sectors.models import Area, Level

WINDOWS = (3, 6, 12)


@dataclass
class RankingRow:
    area_id: int
    area_code: str
    area_name: str
    rank: int
    previous_rank: int
    rank_change: int  # positive: moved up towards rank 1
    harm: float  # distinct items: each record, and each nominal in a month, once
    previous_harm: float
    harm_change: float
    z: float | None  # harm-weighted Poisson z of the change; None when both windows are empty
    significant: bool  # |z| >= 1.96
    contributions: dict[str, float] = field(default_factory=dict)  # measure code -> harm in the window
    counts: dict[str, int] = field(default_factory=dict)  # measure code -> items in the window
    count: int = 0  # distinct items in the window
    previous_count: int = 0
    count_p: float | None = None  # E-test p-value of the change in the number of items
    count_significant: bool = False  # count_p < 0.05
    overlap: float = 0.0  # how much more the measures' breakdown adds up to than the distinct total
    dominant: str = ""  # "record" or "nominal": one item carries at least half the harm in the window
    previous_contributions: dict[str, float] = field(default_factory=dict)  # measure code -> harm before
    previous_counts: dict[str, int] = field(default_factory=dict)
    # Distinct totals of the selected measures of each harm type ("victim", "police"): an item counted by
    # measures of both types is on both sides, so the two need not add up to ``harm``.
    harm_by_type: dict[str, float] = field(default_factory=dict)
    previous_harm_by_type: dict[str, float] = field(default_factory=dict)

    @property
    def dominant_record(self) -> bool:
        return bool(self.dominant)

    @property
    def breakdown_total(self) -> float:
        return sum(self.contributions.values())


@dataclass
class Ranking:
    level: int
    start: date | None
    end: date | None
    previous_start: date | None
    previous_end: date | None
    edition: CssEdition | None
    measures: list[Measure]
    rows: list[RankingRow]
    partial_month: date | None = None  # a month with data that is not over yet, left out of the default window
    force_harm: float = 0.0  # the force's distinct total in the window
    outside_harm: float = 0.0  # what the force counts outside every area of this level (located no finer)
    force_harm_by_type: dict[str, float] = field(default_factory=dict)  # harm type -> the force's distinct total
    force_id: int | None = None


def visible_measures(measure_codes: list[str] | None) -> list[Measure]:
    """The measures asked for (unknown codes are ignored), or every active one."""
    if measure_codes is None:
        return list(Measure.objects.filter(is_active=True))
    return list(Measure.objects.filter(code__in=measure_codes))


def latest_month() -> date | None:
    """The last month with stored scores."""
    return HarmScore.objects.aggregate(latest=Max("month"))["latest"]


def default_window_end() -> tuple[date | None, date | None]:
    """(the last complete month with scores, the partial month left out or None).

    The current month (by the force's local date) is still filling up: a window
    ending there would show a fall that is only the data still to come.
    """
    latest = latest_month()
    if latest is None:
        return None, None
    current = timezone.localdate().replace(day=1)
    if latest < current:
        return latest, None
    end = add_months(current, -1)
    first = HarmScore.objects.aggregate(first=Min("month"))["first"]
    return (end if first <= end else None), current


def data_span() -> tuple[date | None, date | None]:
    """The first and last months with stored scores: the months a window can show anything for."""
    span = HarmScore.objects.aggregate(first=Min("month"), last=Max("month"))
    return span["first"], span["last"]


def _ranks(totals: dict[int, float], areas: list[dict]) -> dict[int, int]:
    """Competition ranks ("1, 2, 2, 4"): areas with the same harm share the best of their places.

    The order (harm descending, then name, then code) never depends on the
    database; only the rank is shared, so twenty areas without harm all rank
    equal instead of changing places alphabetically. Harm is compared to
    1e-6 so that the same items added in another order still tie.
    """
    ordered = sorted(areas, key=lambda a: (-totals.get(a["id"], 0.0), a["name"], a["code"]))
    ranks, rank, last = {}, 0, None
    for position, a in enumerate(ordered, start=1):
        harm = round(totals.get(a["id"], 0.0), 6)
        if harm != last:
            rank, last = position, harm
        ranks[a["id"]] = rank
    return ranks


def ranking(*, user, level: int = Level.SECTOR, end_month: date | None = None, months: int = 12,
            measure_codes: list[str] | None = None) -> Ranking:
    """Every area of ``level`` ranked by harm over ``months`` months ending ``end_month``.

    A fixed number of queries whatever the number of areas: measures, edition,
    (the default end), areas, the per-measure breakdown of both windows, the
    distinct totals of both windows, and the nominals of any area one nominal
    might dominate.
    """
    if not can_see_rankings(user):
        raise Http404("No ranking")
    if months not in WINDOWS:
        raise ValueError(f"months must be one of {WINDOWS}")
    measures = visible_measures(measure_codes)
    edition = CssEdition.objects.filter(is_active=True).first()
    partial = None
    if end_month:
        end = end_month.replace(day=1)
    else:
        end, partial = default_window_end()
    areas = list(Area.objects.filter(level=level).values("id", "code", "name"))
    if end is None:
        rows = [RankingRow(a["id"], a["code"], a["name"], rank, rank, 0, 0.0, 0.0, 0.0, None, False,
                           {m.code: 0.0 for m in measures}, {m.code: 0 for m in measures})
                for a, rank in _ordered_with_rank(areas)]
        return Ranking(level, None, None, None, None, edition, measures, rows, partial)

    start = add_months(end, -(months - 1))
    previous_end = add_months(start, -1)
    previous_start = add_months(previous_end, -(months - 1))
    code_of = {m.id: m.code for m in measures}
    current = Case(When(month__gte=start, then=Value(True)), default=Value(False), output_field=BooleanField())
    breakdown: dict[tuple[int, bool], dict] = {}
    for cell in (HarmScore.objects.filter(area__level=level, measure_id__in=list(code_of),
                                          month__gte=previous_start, month__lte=end)
                 .annotate(current=current)
                 .values("area_id", "measure_id", "current").annotate(count=Sum("count"), harm=Sum("harm"))
                 .order_by()):
        by = breakdown.setdefault((cell["area_id"], cell["current"]), {"harm": {}, "count": {}})
        by["harm"][code_of[cell["measure_id"]]] = cell["harm"] or 0.0
        by["count"][code_of[cell["measure_id"]]] = cell["count"] or 0
    force = Area.objects.filter(level=Level.FORCE).order_by("pk").values_list("pk", flat=True).first()
    in_window = TotalScore.objects.filter(month__gte=previous_start, month__lte=end).annotate(current=current)
    split = sum_item_sets_by(in_window.filter(Q(area__level=level) | Q(area_id=force)), ("area_id", "current"),
                             {"all": measures, **by_harm_type(measures)})
    totals = split.pop("all")
    now = {area_id: t for (area_id, is_now), t in totals.items() if is_now}
    before = {area_id: t for (area_id, is_now), t in totals.items() if not is_now}

    rank = _ranks({k: v.harm for k, v in now.items()}, areas)
    previous_rank = _ranks({k: v.harm for k, v in before.items()}, areas)
    heavy = _dominant_nominals(level, now, start, end, measures)
    empty, no_breakdown = Totals(), {"harm": {}, "count": {}}
    rows = []
    for area in areas:
        cur, prev = now.get(area["id"], empty), before.get(area["id"], empty)
        by = breakdown.get((area["id"], True), no_breakdown)
        by_before = breakdown.get((area["id"], False), no_breakdown)
        z = formulas.harm_z(cur.harm, prev.harm, cur.harm_sq, prev.harm_sq)
        count_p = formulas.poisson_e_test(cur.count, prev.count) if cur.count or prev.count else None
        contributions = {m.code: by["harm"].get(m.code, 0.0) for m in measures}
        dominant = ""
        if cur.harm > 0 and cur.max_record >= cur.harm / 2:
            dominant = "record"
        elif area["id"] in heavy:
            dominant = "nominal"
        rows.append(RankingRow(
            area_id=area["id"], area_code=area["code"], area_name=area["name"],
            rank=rank[area["id"]], previous_rank=previous_rank[area["id"]],
            rank_change=previous_rank[area["id"]] - rank[area["id"]],
            harm=cur.harm, previous_harm=prev.harm, harm_change=cur.harm - prev.harm,
            z=z, significant=formulas.is_significant(z),
            contributions=contributions, counts={m.code: by["count"].get(m.code, 0) for m in measures},
            count=cur.count, previous_count=prev.count, count_p=count_p,
            count_significant=count_p is not None and count_p < formulas.SIGNIFICANT_P,
            overlap=max(0.0, sum(contributions.values()) - cur.harm), dominant=dominant,
            previous_contributions={m.code: by_before["harm"].get(m.code, 0.0) for m in measures},
            previous_counts={m.code: by_before["count"].get(m.code, 0) for m in measures},
            harm_by_type={t: side.get((area["id"], True), empty).harm for t, side in split.items()},
            previous_harm_by_type={t: side.get((area["id"], False), empty).harm for t, side in split.items()},
        ))
    rows.sort(key=lambda r: (r.rank, -r.harm, r.area_name, r.area_code))
    force_harm = now.get(force, empty).harm if level != Level.FORCE else sum(r.harm for r in rows)
    force_by_type = {t: side.get((force, True), empty).harm for t, side in split.items()}
    outside = force_harm - sum(r.harm for r in rows)
    return Ranking(level, start, end, previous_start, previous_end, edition, measures, rows, partial,
                   force_harm=force_harm, outside_harm=outside if abs(outside) > 1e-6 * (1 + force_harm) else 0.0,
                   force_harm_by_type=force_by_type, force_id=force)


def _dominant_nominals(level: int, now: dict[int, Totals], start: date, end: date, measures) -> set[int]:
    """Areas where one nominal's months in the window carry at least half the harm (one query pair for all)."""
    weights = [float(m.fixed_weight) for m in measures
               if m.source == Measure.Source.NOMINALS and m.fixed_weight is not None]
    if not weights:
        return set()
    ceiling = max(weights) * len(months_between(start, end))
    # Only areas where a nominal could reach half the harm are looked at.
    candidates = [area_id for area_id, t in now.items() if 0 < t.harm <= 2 * ceiling]
    heaviest = heaviest_nominals(level=level, area_ids=candidates, start=start, end=end, measures=measures)
    return {area_id for area_id, h in heaviest.items() if h.harm >= now[area_id].harm / 2}

def _ordered_with_rank(areas: list[dict]):
    ranks = _ranks({}, areas)
    return sorted(((a, ranks[a["id"]]) for a in areas), key=lambda pair: (pair[1], pair[0]["name"], pair[0]["code"]))
