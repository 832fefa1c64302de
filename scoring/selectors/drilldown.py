"""From a number to what makes it up: an area's monthly series and the items behind its harm."""
from dataclasses import asdict, dataclass, replace
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    Value,
)
from django.http import Http404

from core.audit import audit_record
from core.models import AuditEvent
from core.months import add_months, months_between
from nominals.models import (
    HOME_FIELD,
    GroupType,
    Membership,
    Nominal,
    PriorityStatus,
)
from records.models import RECORD_AREA_FIELD, Record, RecordKind
from records.permissions import can_view_records
from scoring.models import AreaView, CssEdition, HarmScore, Measure
from scoring.permissions import access_area, can_see_rankings
from scoring.selectors.items import member_on_date
from scoring.selectors.ranking import visible_measures
from scoring.selectors.stored import scores_version, stored_area_view  # noqa: F401 (scores_version: read here by many)
from scoring.selectors.totals import heaviest_nominals, monthly_totals
from sectors.models import Area

WITHHELD = "withheld"
# The area page shows this many contributing items; the scoring run stores as many.
STORED_LIMIT = 10


@dataclass
class ContributingItem:
    """One record or nominal behind an area's harm, with the weight it carried.

    Records: ``months`` is 1 and ``harm == weight``. Nominals (nominals-source
    measures) count once for every month they held the role in the window, so
    ``harm == weight * months``. Nominal identity is ``"withheld"`` for users
    who may not read that nominal, so the numbers still add up.
    """

    measure_code: str
    measure_name: str
    item_type: str  # "record" or "nominal"
    id: int
    ref: str
    kind: str  # record kind, or "nominal"
    occurred_on: date | None
    offence_code: str
    offence_description: str
    is_approximation: bool
    weight: float
    weighting: str  # "css" (the offence's weight in ``edition``) or "fixed" (the measure's weight)
    edition: str  # code of the CSS edition the scores use
    months: int
    harm: float
    lat: float | None = None
    lon: float | None = None
    is_restricted: bool = False  # a restricted nominal: its identity needs view_restricted_nominal


def _accessed(user, area_id: int, area: Area | None) -> Area:
    """The area (access_area), without reading it again when the caller passes the one it has checked."""
    if area is not None and area.pk == area_id and can_see_rankings(user):
        return area
    return access_area(user, area_id)


def area_series(*, user, area_id: int, measure_codes: list[str] | None = None, area: Area | None = None,
                measures: list[Measure] | None = None) -> list[tuple[date, float, int]]:
    """(month, harm, items) for every month with scores anywhere, zeros included; each item once a month.

    A caller holding the area and the selected measures (visible_measures) may pass them."""
    area = _accessed(user, area_id, area)
    measures = visible_measures(measure_codes) if measures is None else measures
    span = HarmScore.objects.aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None:
        return []
    monthly = monthly_totals(area_id=area.pk, measures=measures)
    return [(month, monthly[month].harm, monthly[month].count) if month in monthly else (month, 0.0, 0)
            for month in months_between(span["first"], span["last"])]


def area_measure_series(*, user, area_id: int, measure_codes: list[str] | None = None) -> list[tuple[Measure, list]]:
    """(measure, [(month, harm, count), ...]) for each selected measure, on the months of area_series. One query.

    The measures overlap, so at a month their harms add up to at least the SOC harm (more where an item
    is counted by two).
    """
    area = access_area(user, area_id)
    measures = visible_measures(measure_codes)
    span = HarmScore.objects.aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None:
        return []
    cells = {(m, month): (harm, count) for m, month, harm, count in HarmScore.objects.filter(
        area=area, measure__in=measures).values_list("measure_id", "month", "harm", "count")}
    months = months_between(span["first"], span["last"])
    return [(m, [(month, *cells.get((m.pk, month), (0.0, 0))) for month in months]) for m in measures]


def _record_branch(measure: Measure, area: Area, start: date, end: date, edition: CssEdition | None, limit: int):
    """The ``limit`` heaviest records of one records-based measure, as a sliced values() queryset.

    The area's column, the window and the kind come first, so the (sector|area|command, month[, kind])
    indexes find the area's records; the CSS weight is a join, not a subquery per record.
    """
    records = Record.objects.filter(month__gte=start, month__lte=end, kind=measure.record_kind or RecordKind.CRIME)
    records = records.filter(**{RECORD_AREA_FIELD[area.level]: area}) if area.level in RECORD_AREA_FIELD \
        else records.filter(Q(area__isnull=False) | Q(sector__isnull=False) | Q(command__isnull=False))
    if measure.flag:
        records = records.filter(**{measure.flag: True})
    if measure.linked_group_type:
        records = records.filter(Q(member_on_date(Q(group__group_type=measure.linked_group_type))))
    if measure.weighting == Measure.Weighting.CSS:
        if edition is None:
            return None
        records = records.annotate(
            w=FilteredRelation("offence_type__weights", condition=Q(offence_type__weights__edition=edition)),
        ).filter(w__weight__isnull=False).annotate(weight=F("w__weight"))
    else:
        records = records.annotate(weight=Value(float(measure.fixed_weight), output_field=FloatField()))
    records = records.annotate(measure_id=Value(measure.pk, output_field=IntegerField()))
    return records.values(*_RECORD_VALUES, "weight", "measure_id").order_by(
        F("weight").desc(), "-occurred_on", "id")[:limit]


_RECORD_VALUES = ("id", "external_ref", "kind", "occurred_on", "lat", "lon", "offence_type__code",
                  "offence_type__description", "offence_type__is_approximation")


def _record_items(measures: list[Measure], area: Area, start: date, end: date, edition: CssEdition | None,
                  limit: int) -> list[ContributingItem]:
    """The heaviest records of every records-based measure, in one UNION ALL query."""
    branches = [b for b in (_record_branch(m, area, start, end, edition, limit) for m in measures) if b is not None]
    if not branches:
        return []
    if len(branches) == 1:
        rows = list(branches[0])
    elif connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL: one round trip
        rows = list(branches[0].union(*branches[1:], all=True))
    else:  # SQLite cannot order and limit the parts of a UNION
        rows = [row for branch in branches for row in branch]
    by_id = {m.pk: m for m in measures}
    items = []
    for row in rows:
        measure = by_id[row["measure_id"]]
        items.append(ContributingItem(
            measure_code=measure.code, measure_name=measure.name, item_type="record", id=row["id"],
            ref=row["external_ref"], kind=row["kind"], occurred_on=row["occurred_on"],
            offence_code=row["offence_type__code"] or "", offence_description=row["offence_type__description"] or "",
            is_approximation=bool(row["offence_type__is_approximation"]), weight=row["weight"],
            weighting=measure.weighting, edition=edition.code if edition else "", months=1, harm=row["weight"],
            lat=row["lat"], lon=row["lon"],
        ))
    return items


def _months_held(periods: list[tuple[date, date | None]], months: list[date]) -> int:
    return sum(
        1 for month in months
        if any(started < add_months(month, 1) and (ended is None or ended >= month) for started, ended in periods)
    )


def _nominal_items(measures: list[Measure], area: Area, start: date, end: date,
                   edition: CssEdition | None, limit: int) -> list[ContributingItem]:
    """The nominals behind every nominals-source measure, in at most three queries for all of them.

    A nominal counts for a measure when it lives in the area and held one of the measure's roles
    (a membership of one of its group types, or a priority status) during the window; its harm is
    the weight times the months of the window it held one. Every identity is kept: withheld()
    hides those a user may not read.
    """
    if not measures:
        return []
    group_types = sorted({r for m in measures for r in m.role_list if r in GroupType.values})
    priority = any("priority" in m.role_list for m in measures)
    after_end = add_months(end, 1)
    overlapping = Q(started_on__lt=after_end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    home = Q(**{f"nominal__{HOME_FIELD[area.level]}": area}) if area.level in HOME_FIELD \
        else (Q(nominal__home_area__isnull=False) | Q(nominal__home_sector__isnull=False)
              | Q(nominal__home_command__isnull=False))
    # nominal id -> role ("priority" or a group type) -> periods overlapping the window
    periods: dict[int, dict[str, list]] = {}
    if group_types:
        for nominal_id, group_type, started, ended in Membership.objects.filter(
                overlapping, home, group__group_type__in=group_types) \
                .values_list("nominal_id", "group__group_type", "started_on", "ended_on"):
            periods.setdefault(nominal_id, {}).setdefault(group_type, []).append((started, ended))
    if priority:
        for nominal_id, started, ended in PriorityStatus.objects.filter(overlapping, home) \
                .values_list("nominal_id", "started_on", "ended_on"):
            periods.setdefault(nominal_id, {}).setdefault("priority", []).append((started, ended))
    if not periods:
        return []
    nominals = list(Nominal.objects.filter(pk__in=list(periods)).order_by("ref", "pk")
                    .values_list("id", "ref", "is_restricted"))
    window, month = [], start
    while month <= end:
        window.append(month)
        month = add_months(month, 1)
    items = []
    for measure in measures:
        roles = measure.role_list
        weight = float(measure.fixed_weight)
        found = []
        for pk, ref, is_restricted in nominals:
            held = [p for role in roles for p in periods[pk].get(role, [])]
            if not held:
                continue
            held_months = _months_held(held, window)
            found.append(ContributingItem(
                measure_code=measure.code, measure_name=measure.name, item_type="nominal",
                id=pk, ref=ref, kind="nominal",
                occurred_on=None, offence_code="", offence_description="", is_approximation=False, weight=weight,
                weighting=measure.weighting, edition=edition.code if edition else "", months=held_months,
                harm=weight * held_months, is_restricted=is_restricted,
            ))
        found.sort(key=lambda i: (-i.harm, i.ref, i.id))
        items.extend(found[:limit])
    return items


def withheld(items: list[ContributingItem], user) -> list[ContributingItem]:
    """The items as ``user`` may see them: a nominal they may not read keeps its numbers, not its identity."""
    may_read = user.has_perm("nominals.view_nominal")
    may_read_restricted = may_read and user.has_perm("nominals.view_restricted_nominal")
    return [i if i.item_type != "nominal" or (may_read and (may_read_restricted or not i.is_restricted))
            else replace(i, id=0, ref=WITHHELD) for i in items]


def _scored_measure_ids(area: Area, start: date, end: date, measures: list[Measure]) -> set[int]:
    """The measures with any stored item for the area in the window: the others have nothing to list."""
    return set(
        HarmScore.objects.filter(area=area, month__gte=start, month__lte=end, measure__in=measures)
        .filter(Q(count__gt=0) | Q(harm__gt=0)).values_list("measure_id", flat=True).distinct()
    )


def contributing_records(*, user, area_id: int, start: date, end: date, measure_code: str | None = None,
                         limit: int = 50, area: Area | None = None, measures: list[Measure] | None = None,
                         edition: CssEdition | None = None, version: str | None = None) -> list[ContributingItem]:
    """The items with the most harm behind an area's score over start..end (months), audited.

    404 for a user who may not read the area's raw records, exactly as for a
    missing area. ``measure_code`` None means every active measure.

    Only measures with stored items for the area and window are read (the
    others add nothing), all records-based measures in one query. The result
    is cached by area, window, measures, edition, which nominals the user may
    read and the latest finished scoring run (the items add up to the stored
    scores, which change only with a run); the audit event is written on every call.
    With STORED_LIMIT items, a standard window and the active measures, they are the
    scoring run's stored ones (one query). A caller that has read them may pass the
    ``area``, the ``measures`` (those of ``measure_code``), the ``edition`` and a ``version``
    that changes with scores_version() instead of reading them again.
    """
    area = _accessed(user, area_id, area)
    if not can_view_records(user, area):
        raise Http404("No such area")
    measures = visible_measures([measure_code] if measure_code else None) if measures is None else measures
    if measure_code and not measures:
        raise Http404("No such measure")
    start, end = start.replace(day=1), end.replace(day=1)
    edition = CssEdition.objects.filter(is_active=True).first() if edition is None else edition
    key = (f"scoring:contributing:{area.pk}:{start}:{end}:{limit}:{edition and edition.pk}:"
           f"{','.join(str(m.pk) for m in measures)}:{version or scores_version()}")
    items = cache.get(key)
    if items is None:
        stored = stored_area_view(area=area, start=start, end=end, kind=AreaView.Kind.CONTRIBUTING,
                                  measures=measures, edition=edition) if limit == STORED_LIMIT else None
        items = [item_from_json(i) for i in stored] if stored is not None \
            else contributing_items(area=area, start=start, end=end, measures=measures, edition=edition, limit=limit)
        cache.set(key, items, settings.PAGE_CACHE_SECONDS)
    items = withheld(items, user)
    audit_record(
        user=user, action=AuditEvent.Action.VIEW, object_type="area_contributing_records", object_id=area.pk,
        detail={"start": start.isoformat(), "end": end.isoformat(), "measure": measure_code,
                "records": [i.id for i in items if i.item_type == "record"],
                "nominals": [i.id for i in items if i.item_type == "nominal" and i.id]},
    )
    return items


def contributing_items(*, area: Area, start: date, end: date, measures: list[Measure], edition,
                       limit: int) -> list[ContributingItem]:
    """The ``limit`` heaviest items of the measures, with every identity (no access check, no audit):
    what contributing_records shows, before withheld(), and what the scoring run stores."""
    scored = _scored_measure_ids(area, start, end, measures)
    measures = [m for m in measures if m.pk in scored]
    items: list[ContributingItem] = _record_items(
        [m for m in measures if m.source != Measure.Source.NOMINALS], area, start, end, edition, limit)
    items.extend(_nominal_items([m for m in measures if m.source == Measure.Source.NOMINALS], area, start,
                                end, edition, limit))
    items.sort(key=lambda i: (-i.harm, i.measure_code, i.id))
    return items[:limit]


def item_json(item: ContributingItem) -> dict:
    return {**asdict(item), "occurred_on": item.occurred_on and item.occurred_on.isoformat()}


def item_from_json(data: dict) -> ContributingItem:
    return ContributingItem(**{**data, "occurred_on": data["occurred_on"] and date.fromisoformat(data["occurred_on"])})


RECORD_NOT_GRANTED = "one record (you have not been granted this area's records)"
NOMINAL_WITHHELD = "one nominal (withheld)"


def dominant_record_words(item: ContributingItem) -> str:
    """The record carrying at least half of an area's harm, in words: reference, offence, date, weight."""
    what = f"{item.offence_code} {item.offence_description}".strip() or RecordKind(item.kind).label
    return f"record {item.ref}, {what}, {item.occurred_on:%d %B %Y}, weight {item.weight:,.1f}"


def dominant_nominal_words(who: str, months: int, harm: float) -> str:
    """The nominal carrying at least half of an area's harm: ``who`` (its reference, or NOMINAL_WITHHELD)."""
    return f"{who}, {months} month{'s' if months != 1 else ''} in the window, harm {harm:,.1f}"


def dominant_item(*, user, area: Area, row, ranking, top) -> str:
    """Words naming the one item that carries at least half of the area's harm, as far as the user may see it.

    ``row`` and ``ranking``: the area's ranking row and its ranking; ``top``: the contributing items the
    user was shown (None or empty when they may not read the area's records)."""
    if row is None or not row.dominant:
        return ""
    if row.dominant == "record":
        records = [i for i in (top or []) if i.item_type == "record"]
        return dominant_record_words(records[0]) if records else RECORD_NOT_GRANTED
    found = heaviest_nominals(level=area.level, area_ids=[area.pk], start=ranking.start, end=ranking.end,
                              measures=ranking.measures).get(area.pk)
    if found is None:
        return ""
    may_read = user.has_perm("nominals.view_nominal") and (
        not found.is_restricted or user.has_perm("nominals.view_restricted_nominal"))
    return dominant_nominal_words(f"nominal {found.ref}" if may_read else NOMINAL_WITHHELD, found.months, found.harm)
