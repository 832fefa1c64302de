"""A group's footprint in a window: where its harm happens, where its members live, and its harm by measure.

Everything here is made of the same records as the group's harm (the groups list, the group page's
headline): records located in the force in the window, linked other than as victim or witness to
someone who was a member on the record's date. The figures are counted in SQL; the user decides only
what may be shown: record points and links to records lists where the user may read that sector's
records (records.permissions), members' home sectors of the nominals the user may see
(nominals.permissions.nominals_visible). The caller has checked access to the group.
"""
from datetime import date

from django.db.models import Count, F, FloatField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.charts import line_chart
from core.months import add_months, months_between
from nominals.models import Group, Membership
from nominals.permissions import nominals_visible
from pages.forms import COUNTED_ALL, COUNTED_SOC
from pages.selectors.links import records_url, window_params
from records.models import Record, RecordKind
from records.permissions import record_sector_ids
from scoring.models import CssEdition, Measure
from scoring.selectors.items import counted_records, linked_to_group, located_in, measure_filter
from scoring.selectors.layers import POINT_LIMIT
from scoring.selectors.ranking import visible_measures
from sectors.models import Area, Level

TIE = 1e-6  # equal harm (to this) shares the best of its ranks, as in the rankings


def force_area() -> Area | None:
    return Area.objects.filter(level=Level.FORCE).order_by("pk").first()


def active_edition() -> CssEdition | None:
    return CssEdition.objects.filter(is_active=True).first()


def group_footprint(*, user, group: Group, start: date, end: date) -> dict | None:
    """The group's figures in start..end, each with the link to the records list that adds up to it.

    ``counted`` and ``harm``: the records linked to members while members that count in the SOC harm of
    the active measures (as the groups list); ``linked``: every linked record located in the force,
    counted or not. ``footprint``: the counted ones by sector, ranked by harm with their share of it;
    ``points``, ``homes``, ``by_measure``: see record_points, home_sectors, harm_by_measure. None
    without a force. About ten queries, whatever the group's size.
    """
    force = force_area()
    if force is None:
        return None
    measures, edition = visible_measures(None), active_edition()
    linked = linked_to_group(group.pk)
    counted = counted_records(area=force, start=start, end=end, measures=measures, edition=edition).filter(linked)
    totals = counted.aggregate(n=Count("id"), total=Sum("harm"))
    harm = float(totals["total"] or 0.0)
    window = window_params(months=len(months_between(start, end)), end=end)
    readable = record_sector_ids(user)
    every = Record.objects.filter(located_in(force), month__gte=start, month__lte=end).filter(linked)
    points = record_points(every=every, counted=counted, readable=readable)
    sectors = ranked_sectors(counted=counted, harm=harm, group=group, window=window, readable=readable)
    return {
        "start": start, "end": end, "months": len(months_between(start, end)), "counted": totals["n"] or 0,
        "harm": harm, "linked": points["linked"],
        "link": records_url(force.pk, window, counted_by=COUNTED_SOC, group=group.pk),
        "linked_link": records_url(force.pk, window, counted_by=COUNTED_ALL, group=group.pk),
        "footprint": sectors, "unlinked_sectors": sum(1 for s in sectors if not s["link"]),
        "points": points,
        "homes": home_sectors(user=user, group=group, start=start, end=end),
        "by_measure": harm_by_measure(force=force, group=group, start=start, end=end, measures=measures,
                                      edition=edition, window=window, may_link=readable is None),
    }


def _may_read(readable: set[int] | None, sector_id: int) -> bool:
    return readable is None or sector_id in readable


def ranked_sectors(*, counted, harm: float, group: Group, window: list, readable: set[int] | None) -> list[dict]:
    """The sectors of the counted records, heaviest first: rank (ties share the best), records, harm,
    share of the group's harm, and the sector's records list behind them where the user may read it.

    Records located in the force but in no sector are in the group's harm and in no row.
    """
    rows = list(counted.filter(sector__isnull=False).values("sector_id", "sector__name", "sector__code")
                .annotate(total=Sum("harm"), n=Count("id")).order_by("-total", "sector__name"))
    rank, previous = 0, None
    for place, row in enumerate(rows, start=1):
        row["harm"] = float(row["total"] or 0.0)
        if previous is None or previous - row["harm"] > TIE:
            rank = place
        previous = row["harm"]
        row["rank"], row["share"] = rank, (row["harm"] / harm if harm else 0.0)
        row["percent"] = 100 * row["share"]
        row["link"] = records_url(row["sector_id"], window, counted_by=COUNTED_SOC, group=group.pk) \
            if _may_read(readable, row["sector_id"]) else ""
    return rows


def record_points(*, every, counted, readable: set[int] | None) -> dict:
    """The linked records with a location as points, heaviest first, only in the sectors whose records
    the user may read, at most POINT_LIMIT of them.

    ``linked``: every linked record located in the force; ``located``: those with a point;
    ``readable``: those the user may read; ``withheld``: the others (neither drawn nor described);
    ``without_point``: linked records with no location. A point's harm is its weight in the SOC harm
    (0 when nothing counts it). Two queries.
    """
    has_point = Q(lat__isnull=False, lon__isnull=False)
    may_read = has_point if readable is None else has_point & Q(sector_id__in=readable) if readable else None
    counts = {"linked": Count("id"), "located": Count("id", filter=has_point)}
    if may_read is not None:
        counts["readable"] = Count("id", filter=may_read)
    found = every.aggregate(**counts)
    linked, located, n_readable = found["linked"], found["located"], found.get("readable", 0)
    points = []
    if n_readable:
        weight = counted.filter(pk=OuterRef("pk")).values("harm")[:1]
        rows = (every.filter(may_read)
                .annotate(weight=Coalesce(Subquery(weight, output_field=FloatField()), Value(0.0),
                                          output_field=FloatField()))
                .order_by("-weight", "-occurred_on", "id")
                .values("lat", "lon", "kind", "external_ref", "occurred_on", "offence_type__code", "weight")
                [:POINT_LIMIT])
        points = [{"lat": r["lat"], "lon": r["lon"], "kind": RecordKind(r["kind"]).label, "ref": r["external_ref"],
                   "date": r["occurred_on"].isoformat(), "offence": r["offence_type__code"] or "",
                   "harm": round(r["weight"], 1)} for r in rows]
    return {"points": points, "linked": linked, "located": located, "readable": n_readable,
            "withheld": located - n_readable, "without_point": linked - located,
            "capped": n_readable > len(points), "limit": POINT_LIMIT}


def home_sectors(*, user, group: Group, start: date, end: date) -> list[dict]:
    """The home sectors of the members (at some time in the window) the user may see, with how many
    live in each. Restricted members not granted to the user are left out, uncounted. One query."""
    members = (Membership.objects.filter(group=group, started_on__lt=add_months(end, 1),
                                         nominal__in=nominals_visible(user), nominal__home_sector__isnull=False)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start)))
    return list(members.values(sector_id=F("nominal__home_sector_id"), sector_name=F("nominal__home_sector__name"))
                .annotate(members=Count("nominal_id", distinct=True)).order_by("sector_name", "sector_id"))


def record_measures(measures: list[Measure], edition: CssEdition | None) -> list[Measure]:
    """The measures that can count a record (nominals measures count nominal-months, which no group holds)."""
    return [m for m in measures if measure_filter(m) is not None
            and (m.weighting != Measure.Weighting.CSS or edition is not None)]


def harm_by_measure(*, force: Area, group: Group, start: date, end: date, measures: list[Measure],
                    edition: CssEdition | None, window: list, may_link: bool) -> dict:
    """The group's harm in each month of the window: in the SOC harm (each record once) and by each
    measure that counts records, as that measure weighs them. One query (a UNION ALL of the groupings).

    Measures overlap (a drug supply crime linked to an OCG member is counted by both measures), so a
    month's measures add up to at least its SOC harm, more where a record is counted twice. Each cell
    links to the force's records list of that measure, group and month when ``may_link``.
    """
    linked = linked_to_group(group.pk)
    shown = record_measures(measures, edition)
    # Key 0 (no measure's pk) is the SOC harm: every measure together, each record once.
    selections = [(0, measures)] + [(m.pk, [m]) for m in shown]
    branches = [counted_records(area=force, start=start, end=end, measures=chosen, edition=edition).filter(linked)
                .annotate(measure=Value(pk)).values("measure", "month").annotate(total=Sum("harm"), n=Count("id"))
                .order_by() for pk, chosen in selections]
    cells = {(row["measure"], row["month"]): (float(row["total"] or 0.0), row["n"])
             for row in branches[0].union(*branches[1:], all=True)}
    months = months_between(start, end)

    def cell(pk: int, month: date | None, code: str) -> dict:
        if month is None:
            harm = sum(cells.get((pk, m), (0.0, 0))[0] for m in months)
            n = sum(cells.get((pk, m), (0.0, 0))[1] for m in months)
        else:
            harm, n = cells.get((pk, month), (0.0, 0))
        link = records_url(force.pk, window, counted_by=code, group=group.pk, month=month) if may_link and n else ""
        return {"harm": harm, "records": n, "link": link}

    rows = [{"month": month, "soc": cell(0, month, COUNTED_SOC),
             "measures": [cell(m.pk, month, m.code) for m in shown]} for month in months]
    series = [(m.name, [row["measures"][i]["harm"] for row in rows]) for i, m in enumerate(shown)]
    drawn = [(name, values) for name, values in series if any(values)]
    return {"measures": shown, "rows": rows,
            "total": {"month": None, "soc": cell(0, None, COUNTED_SOC),
                      "measures": [cell(m.pk, None, m.code) for m in shown]},
            "not_records": [m for m in measures if m not in shown],
            "chart": line_chart(months=months, series=drawn) if drawn else None}
