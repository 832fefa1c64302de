"""The ranking of the areas of one level by harm, with the change from the previous window."""
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, Max, Sum, Value, When
from django.db.models import BooleanField
from django.http import Http404

from scoring import formulas
from scoring.models import CssEdition, HarmScore, Measure
from scoring.months import add_months
from sectors.models import Area, Level
from sectors.permissions import can_see_rankings

WINDOWS = (3, 6, 12)


@dataclass
class RankingRow:
    area_id: int
    area_code: str
    area_name: str
    rank: int
    previous_rank: int
    rank_change: int  # positive: moved up towards rank 1
    harm: float
    previous_harm: float
    harm_change: float
    z: float | None  # harm-weighted Poisson z of the change; None when both windows are empty
    significant: bool  # |z| >= 1.96
    contributions: dict[str, float] = field(default_factory=dict)  # measure code -> harm in the window
    counts: dict[str, int] = field(default_factory=dict)  # measure code -> items in the window
    dominant_record: bool = False  # one item carries more than half of the area's harm in the window


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


def visible_measures(measure_codes: list[str] | None) -> list[Measure]:
    """The measures asked for (unknown codes are ignored), or every active one."""
    if measure_codes is None:
        return list(Measure.objects.filter(is_active=True))
    return list(Measure.objects.filter(code__in=measure_codes))


def latest_month() -> date | None:
    return HarmScore.objects.aggregate(latest=Max("month"))["latest"]


def _ranks(totals: dict[int, float], areas: list[dict]) -> dict[int, int]:
    # Ties: harm descending, then name, then code, so the order never depends on the database.
    ordered = sorted(areas, key=lambda a: (-totals.get(a["id"], 0.0), a["name"], a["code"]))
    return {a["id"]: position for position, a in enumerate(ordered, start=1)}


def ranking(*, user, level: int = Level.SECTOR, end_month: date | None = None, months: int = 12,
            measure_codes: list[str] | None = None) -> Ranking:
    """Every area of ``level`` ranked by harm over ``months`` months ending ``end_month``.

    Five queries whatever the number of areas: roles, measures, edition,
    (latest month), areas, and one aggregate over the stored scores of both
    windows.
    """
    if not can_see_rankings(user):
        raise Http404("No ranking")
    if months not in WINDOWS:
        raise ValueError(f"months must be one of {WINDOWS}")
    measures = visible_measures(measure_codes)
    edition = CssEdition.objects.filter(is_active=True).first()
    end = (end_month.replace(day=1) if end_month else None) or latest_month()
    areas = list(Area.objects.filter(level=level).values("id", "code", "name"))
    if end is None:
        rows = [RankingRow(a["id"], a["code"], a["name"], rank, rank, 0, 0.0, 0.0, 0.0, None, False,
                           {m.code: 0.0 for m in measures}, {m.code: 0 for m in measures})
                for a, rank in _ordered_with_rank(areas)]
        return Ranking(level, None, None, None, None, edition, measures, rows)

    start = add_months(end, -(months - 1))
    previous_end = add_months(start, -1)
    previous_start = add_months(previous_end, -(months - 1))
    code_of = {m.id: m.code for m in measures}
    cells = (
        HarmScore.objects.filter(area__level=level, measure_id__in=list(code_of), month__gte=previous_start,
                                 month__lte=end)
        .annotate(current=Case(When(month__gte=start, then=Value(True)), default=Value(False),
                               output_field=BooleanField()))
        .values("area_id", "measure_id", "current")
        .annotate(count=Sum("count"), harm=Sum("harm"), harm_sq=Sum("harm_sq"), max_item=Max("max_item_harm"))
        .order_by()
    )
    now: dict[int, dict] = {}
    before: dict[int, dict] = {}
    for cell in cells:
        totals = (now if cell["current"] else before).setdefault(
            cell["area_id"], {"harm": 0.0, "harm_sq": 0.0, "max_item": 0.0, "harm_by": {}, "count_by": {}}
        )
        code = code_of[cell["measure_id"]]
        totals["harm"] += cell["harm"] or 0.0
        totals["harm_sq"] += cell["harm_sq"] or 0.0
        totals["max_item"] = max(totals["max_item"], cell["max_item"] or 0.0)
        totals["harm_by"][code] = cell["harm"] or 0.0
        totals["count_by"][code] = cell["count"] or 0

    rank = _ranks({k: v["harm"] for k, v in now.items()}, areas)
    previous_rank = _ranks({k: v["harm"] for k, v in before.items()}, areas)
    empty = {"harm": 0.0, "harm_sq": 0.0, "max_item": 0.0, "harm_by": {}, "count_by": {}}
    rows = []
    for area in areas:
        cur, prev = now.get(area["id"], empty), before.get(area["id"], empty)
        z = formulas.harm_z(cur["harm"], prev["harm"], cur["harm_sq"], prev["harm_sq"])
        rows.append(RankingRow(
            area_id=area["id"], area_code=area["code"], area_name=area["name"],
            rank=rank[area["id"]], previous_rank=previous_rank[area["id"]],
            rank_change=previous_rank[area["id"]] - rank[area["id"]],
            harm=cur["harm"], previous_harm=prev["harm"], harm_change=cur["harm"] - prev["harm"],
            z=z, significant=formulas.is_significant(z),
            contributions={m.code: cur["harm_by"].get(m.code, 0.0) for m in measures},
            counts={m.code: cur["count_by"].get(m.code, 0) for m in measures},
            dominant_record=cur["harm"] > 0 and cur["max_item"] > cur["harm"] / 2,
        ))
    rows.sort(key=lambda r: r.rank)
    return Ranking(level, start, end, previous_start, previous_end, edition, measures, rows)


def _ordered_with_rank(areas: list[dict]):
    ranks = _ranks({}, areas)
    return sorted(((a, ranks[a["id"]]) for a in areas), key=lambda pair: pair[1])
