"""Distinct-item totals: the SOC harm of an area, each record or nominal-month counted once.

The per-measure cells (HarmScore) overlap; the totals read TotalScore, where
every item is in one row, that of the set of measures counting it. Callers
have already checked access to the areas they ask about.
"""
from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Q, QuerySet, Sum

from core.months import add_months, months_between
from nominals.models import HOME_FIELD, Membership, Nominal, PriorityStatus
from scoring import formulas, itemsets, sql
from scoring.models import Measure, TotalScore


@dataclass
class Totals:
    count: int = 0  # distinct items: records, and nominals once per month
    harm: float = 0.0
    harm_sq: float = 0.0  # sum of squared item weights: the Poisson variance of ``harm``
    max_record: float = 0.0  # the heaviest single record

    def add(self, items: int, harm: float, harm_sq: float, heaviest: float, item_type: str) -> None:
        self.count += items
        self.harm += harm
        self.harm_sq += harm_sq
        if item_type == TotalScore.ItemType.RECORD:
            self.max_record = max(self.max_record, heaviest)


def _weighing(measures: list[Measure]):
    """set key -> (a selected CSS measure counts the set, the selected fixed weights), memoised."""
    selected = {m.pk: m for m in measures}
    memo: dict[str, tuple[bool, list[float]] | None] = {}

    def weighing(key: str):
        if key not in memo:
            chosen = [selected[int(i)] for i in key.split(",") if i and int(i) in selected]
            memo[key] = (any(m.weighting == Measure.Weighting.CSS for m in chosen),
                         [float(m.fixed_weight) for m in chosen
                          if m.weighting == Measure.Weighting.FIXED and m.fixed_weight is not None]) \
                if chosen else None
        return memo[key]
    return weighing


def sum_item_sets(queryset: QuerySet, keys: tuple[str, ...], measures: list[Measure]) -> dict[tuple, Totals]:
    """Distinct totals of the selected measures, grouped by ``keys`` (fields or annotations of the queryset).

    One query: the stored rows summed by key and set of measures; each set is
    then weighed for the selection (scoring.formulas.item_set_total).
    """
    return sum_item_sets_by(queryset, keys, {"": measures})[""]


def sum_item_sets_by(queryset: QuerySet, keys: tuple[str, ...], selections: dict[str, list[Measure]],
                     classify=None) -> dict[str, dict[tuple, Totals]]:
    """sum_item_sets for several selections of measures at once, still one query.

    ``classify(measure ids of the set, item type)``, when given, adds one more
    part to every key (e.g. crime, partner record or nominal-month), so one
    selection's totals split by what the items are.
    """
    weighings = {name: _weighing(measures) for name, measures in selections.items()}
    totals: dict[str, dict[tuple, Totals]] = {name: {} for name in selections}
    rows = (queryset.values(*keys, "measures", "item_type")
            .annotate(n=Sum("count"), n_css=Sum("css_count"), h=Sum("css_harm"), h2=Sum("css_harm_sq"),
                      top=Max("css_max"))
            .order_by())
    for row in rows:
        key = tuple(row[k] for k in keys)
        if classify is not None:
            key += (classify(row["measures"], row["item_type"]),)
        for name, weighing in weighings.items():
            weights = weighing(row["measures"])
            if weights is None:
                continue
            items, harm, harm_sq, heaviest = formulas.item_set_total(
                count=row["n"] or 0, css_count=row["n_css"] or 0, css_harm=row["h"] or 0.0,
                css_harm_sq=row["h2"] or 0.0, css_max=row["top"] or 0.0, css_selected=weights[0],
                fixed_weights=weights[1])
            if items:
                totals[name].setdefault(key, Totals()).add(items, harm, harm_sq, heaviest, row["item_type"])
    return totals


ITEM_CLASSES = {"crime": "crimes", "partner": "partner records", "nominal": "nominal-months"}


def item_class(measures: list[Measure]):
    """classify(set of measure ids, item type) -> "crime", "partner" or "nominal", for sum_item_sets_by.

    A nominal item is a nominal-month. A record is a crime when the measures counting it count crimes
    (source "crimes": force crimes, police.uk street crimes), a partner record when they count records
    of a partner kind (source "records": drug-related deaths, Crimestoppers, Trading Standards,
    firearms intelligence). A record has one kind, so every measure counting it agrees; only the
    selected measures are looked at, and a set none of them counts is not counted at all ("").
    """
    source_of = {m.pk: m.source for m in measures}

    def classify(key: str, item_type: str) -> str:
        if item_type == TotalScore.ItemType.NOMINAL:
            return "nominal"
        sources = {source_of.get(int(i)) for i in key.split(",") if i}
        if Measure.Source.CRIMES in sources:
            return "crime"
        return "partner" if Measure.Source.RECORDS in sources else ""
    return classify


def by_harm_type(measures: list[Measure]) -> dict[str, list[Measure]]:
    """The selected measures of each harm type (victim-based, police-generated), every type present."""
    return {t: [m for m in measures if m.harm_type == t] for t in Measure.HarmType.values}


def area_totals(*, area_ids: list[int], start: date, end: date, measures: list[Measure]) -> dict[int, Totals]:
    rows = sum_item_sets(TotalScore.objects.filter(area_id__in=area_ids, month__gte=start, month__lte=end),
                         ("area_id",), measures)
    return {key[0]: value for key, value in rows.items()}


def monthly_totals(*, area_id: int, measures: list[Measure], start: date | None = None,
                   end: date | None = None) -> dict[date, Totals]:
    scores = TotalScore.objects.filter(area_id=area_id)
    if start is not None:
        scores = scores.filter(month__gte=start, month__lte=end)
    return {key[0]: value for key, value in sum_item_sets(scores, ("month",), measures).items()}


@dataclass
class HeaviestNominal:
    nominal_id: int
    ref: str
    is_restricted: bool
    months: int
    harm: float


RolePeriods = dict[int, list[tuple[str, date, date | None]]]


def role_periods(*, start: date, end: date, home: Q) -> RolePeriods:
    """nominal id -> (role, started, ended) of the memberships (role: the group's type) and priority
    periods (role "priority") overlapping months start..end, for the nominals ``home`` selects. Two queries."""
    overlapping = Q(started_on__lt=add_months(end, 1)) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    periods: RolePeriods = {}
    for nominal_id, role, started, ended in Membership.objects.filter(overlapping, home).values_list(
            "nominal_id", "group__group_type", "started_on", "ended_on"):
        periods.setdefault(nominal_id, []).append((role, started, ended))
    for nominal_id, started, ended in PriorityStatus.objects.filter(overlapping, home).values_list(
            "nominal_id", "started_on", "ended_on"):
        periods.setdefault(nominal_id, []).append(("priority", started, ended))
    return periods


def roles_held(periods: list[tuple[str, date, date | None]], month: date) -> list[str]:
    """The roles one nominal holds on any day of ``month``, sorted."""
    after = add_months(month, 1)
    return sorted({role for role, started, ended in periods if started < after and (ended is None or ended >= month)})


def month_weight(chosen: list[Measure], roles: list[str]) -> float | None:
    """What a nominal-month holding ``roles`` weighs: the highest fixed weight of the chosen nominals
    measures counting it (as in the stored totals), None when none counts it."""
    bits = sum(sql.ROLE_BITS.get(role, 0) for role in roles)
    weights = [float(m.fixed_weight) for m in chosen if itemsets.counts(m, sql.NOMINAL_KIND, bits)]
    return max(weights) if weights else None


def heaviest_nominals(*, level: int, area_ids: list[int], start: date, end: date,
                      measures: list[Measure]) -> dict[int, HeaviestNominal]:
    """For each area, the nominal living there whose nominal-months carry the most harm in the window.

    A nominal-month weighs the highest fixed weight of the selected nominals
    measures counting the roles held that month (as in the totals). Two queries
    for all the areas.
    """
    chosen = [m for m in measures if m.source == Measure.Source.NOMINALS and m.fixed_weight is not None]
    if not chosen or not area_ids:
        return {}
    field = HOME_FIELD.get(level)
    home = Q(**{f"nominal__{field}_id__in": area_ids}) if field else Q(nominal__isnull=False)
    periods = role_periods(start=start, end=end, home=home)
    if not periods:
        return {}
    window = months_between(start, end)
    heaviest: dict[int, HeaviestNominal] = {}
    nominals = Nominal.objects.filter(pk__in=list(periods)).values_list(
        "id", "ref", "is_restricted", f"{field}_id" if field else "id")
    for pk, ref, is_restricted, area_id in nominals:
        if not field:
            area_id = area_ids[0]
        months, harm = 0, 0.0
        for month in window:
            weight = month_weight(chosen, roles_held(periods[pk], month))
            if weight is not None:
                months += 1
                harm += weight
        best = heaviest.get(area_id)
        if harm > 0 and (best is None or harm > best.harm or (harm == best.harm and ref < best.ref)):
            heaviest[area_id] = HeaviestNominal(pk, ref, is_restricted, months, harm)
    return heaviest
