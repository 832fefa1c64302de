"""The items behind a figure: the records and nominal-months an area's number is made of.

A figure is an area, a window of months and a selection of measures: one measure for a
per-measure cell, the ranking's measures for the SOC harm. Each item is weighed as the stored
totals weigh it (scoring.formulas.item_set_total): a record counted by a selected CSS-weighted
measure weighs its offence's CSS weight when the edition has one, otherwise the highest fixed
weight among the selected measures counting it; a nominal-month weighs the highest fixed weight
among the selected nominals measures counting the roles held that month. An item nothing selected
can weigh is not counted. So the items' count and harm equal the stored figure (tested against
the recompute). Access is the caller's job.
"""
import operator
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from core.cache import cached
from core.months import months_between
from nominals.models import (
    HOME_FIELD,
    GroupType,
    LinkRole,
    Membership,
    Nominal,
    RecordNominal,
)
from records.models import RECORD_AREA_FIELD, Record, RecordKind
from scoring import sql
from scoring.models import CssEdition, Measure
from scoring.selectors.stored import scores_version
from scoring.selectors.totals import month_weight, role_periods, roles_held
from sectors.models import Area

WITHHELD = "withheld"
COUNTED_LINK_ROLES = Q(role__in=[r for r in LinkRole.values if r not in (LinkRole.VICTIM, LinkRole.WITNESS)])


@dataclass(frozen=True)
class NominalMonth:
    """One nominal counted in one month; identity withheld (id 0) from users who may not read them."""

    nominal_id: int
    ref: str
    month: date
    harm: float
    roles: tuple[str, ...]
    home_lat: float | None
    home_lon: float | None
    is_withheld: bool


_ANYWHERE = Q(area__isnull=False) | Q(sector__isnull=False) | Q(command__isnull=False)


def located_in(area: Area) -> Q:
    """Records placed in ``area`` as the recompute places them: by the stored area columns."""
    if area.level in RECORD_AREA_FIELD:
        return Q(**{RECORD_AREA_FIELD[area.level]: area})
    return _ANYWHERE


def member_on_date(group_filter: Q) -> Exists:
    """The record is linked, other than as victim or witness, to someone who was a member on its date."""
    membership = Membership.objects.filter(group_filter, nominal_id=OuterRef("nominal_id"),
                                           started_on__lte=OuterRef(OuterRef("occurred_on"))) \
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef(OuterRef("occurred_on"))))
    return Exists(RecordNominal.objects.filter(COUNTED_LINK_ROLES, record_id=OuterRef("pk"))
                  .filter(Exists(membership)))


def linked_to_group(group_id: int) -> Q:
    """Records linked (not as victim or witness) to a member of the group on the record's date."""
    return Q(member_on_date(Q(group_id=group_id)))


def measure_filter(measure: Measure) -> Q | None:
    """The records a records-based measure counts (kind, flag, group link); None when it counts none."""
    if measure.source == Measure.Source.NOMINALS:
        return None
    if measure.weighting == Measure.Weighting.FIXED and measure.fixed_weight is None:
        return None
    where = Q(kind=measure.record_kind or RecordKind.CRIME)
    if measure.flag:
        if measure.flag not in sql.FLAG_BITS:
            return None
        where &= Q(**{measure.flag: True})
    if measure.linked_group_type:
        if measure.linked_group_type not in GroupType.values:
            return None
        where &= Q(member_on_date(Q(group__group_type=measure.linked_group_type)))
    return where


def _any(filters: list[Q]) -> Q:
    return reduce(operator.or_, filters)


def counted_records(*, area: Area, start: date, end: date, measures: list[Measure],
                    edition: CssEdition | None) -> QuerySet[Record]:
    """The area's records in months start..end counted by the selection, each once, annotated ``harm``."""
    chosen = [(m, where) for m in measures for where in [measure_filter(m)] if where is not None]
    records = Record.objects.filter(located_in(area), month__gte=start, month__lte=end)
    css = [where for m, where in chosen if m.weighting == Measure.Weighting.CSS]
    fixed = sorted(((float(m.fixed_weight), where) for m, where in chosen if m.weighting == Measure.Weighting.FIXED),
                   key=lambda pair: -pair[0])
    whens = []
    if css and edition is not None:
        records = records.annotate(
            w=FilteredRelation("offence_type__weights", condition=Q(offence_type__weights__edition=edition)))
        whens.append(When(_any(css) & Q(w__weight__isnull=False), then=F("w__weight")))
    # Highest weight first: the first fixed measure counting a record gives its weight.
    whens += [When(where, then=Value(weight)) for weight, where in fixed]
    if not whens:
        return records.none().annotate(harm=Value(0.0, output_field=FloatField()))
    return records.annotate(harm=Case(*whens, default=None, output_field=FloatField())).filter(harm__isnull=False)


def _nominal_home(area: Area) -> Q:
    field = HOME_FIELD.get(area.level)
    if field:
        return Q(**{f"nominal__{field}": area})
    return Q(nominal__home_area__isnull=False) | Q(nominal__home_sector__isnull=False) \
        | Q(nominal__home_command__isnull=False)


def located_span(*, force_id: int | None = None) -> tuple[date | None, date | None]:
    """The first and last month of a located record (the months nominals are counted in).

    ``force_id``: of that force's records (the months its nominals are counted in where the
    deployment holds several forces). One MIN and one MAX per kind (scoring.sql.located_span),
    read from the ends of the (kind, month) index instead of scanning every record.
    """
    with connection.cursor() as cursor:
        cursor.execute(*sql.located_span(kinds=RecordKind.values, force_id=force_id))
        first, last = cursor.fetchone()
    # SQLite returns the dates of a raw query as text.
    return tuple(date.fromisoformat(d) if isinstance(d, str) else d for d in (first, last))


def located_span_scored() -> tuple[date | None, date | None]:
    """located_span() once per scoring run, shared: the span the latest run counted nominals in.

    The query is cheap to run but not to plan (a MIN and a MAX per kind over every month's
    partition: about 150 ms of planning for 6 kinds and 27 partitions), and every area page's
    nominal-months asked for it. Records change only through an upload, which a run follows."""
    return cached(f"located_span:{scores_version()}", located_span)


def nominal_months(*, user, area: Area, start: date, end: date, measures: list[Measure]) -> list[NominalMonth]:
    """The nominal-months the selected nominals measures count for the area in the window, heaviest first.

    Four queries whatever the window: the records' month span, the memberships and priority
    periods overlapping the window, and the nominals holding them.
    """
    chosen = [m for m in measures if m.source == Measure.Source.NOMINALS and m.fixed_weight is not None]
    if not chosen:
        return []
    # Nominals are counted in the months from the first to the last located record (as the recompute does).
    first, last = located_span_scored()
    if first is None:
        return []
    start, end = max(start, first), min(end, last)
    if start > end:
        return []
    periods = role_periods(start=start, end=end, home=_nominal_home(area))
    if not periods:
        return []
    may_read = user.has_perm("nominals.view_nominal")
    may_read_restricted = may_read and user.has_perm("nominals.view_restricted_nominal")
    found = []
    for pk, ref, restricted, lat, lon in Nominal.objects.filter(pk__in=list(periods)).values_list(
            "id", "ref", "is_restricted", "home_lat", "home_lon"):
        withheld = not may_read or (restricted and not may_read_restricted)
        for month in months_between(start, end):
            held = roles_held(periods[pk], month)
            weight = month_weight(chosen, held)
            if weight is not None:
                found.append(NominalMonth(0 if withheld else pk, WITHHELD if withheld else ref, month,
                                          weight, tuple(held), lat, lon, withheld))
    found.sort(key=lambda n: (-n.harm, n.month, n.ref, n.nominal_id))
    return found


def figure_total(*, user, area: Area, start: date, end: date, measures: list[Measure],
                 edition: CssEdition | None) -> tuple[int, float]:
    """(items, harm) of the records and nominal-months behind the figure: equal to the stored figure."""
    records = counted_records(area=area, start=start, end=end, measures=measures, edition=edition)
    found = records.aggregate(n=Count("id"), total=Sum("harm"))
    months = nominal_months(user=user, area=area, start=start, end=end, measures=measures)
    return (found["n"] or 0) + len(months), (found["total"] or 0.0) + sum(m.harm for m in months)
