"""One area's page: its place in the ranking, its series, and (analysts) the groups and nominals there."""
import hashlib
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from core.cache import cached
from core.charts import line_chart, timeline
from core.months import add_months
from nominals.models import HOME_FIELD, Membership, Nominal
from nominals.permissions import can_research
from pages.forms import COUNTED_SOC
from pages.selectors.links import records_url, window_params
from pages.selectors.maps import harm_layer
from pages.selectors.shapes import _light
from records.permissions import can_view_records
from scoring import selectors as scoring_selectors
from scoring.models import Measure
from scoring.selectors.drilldown import STORED_LIMIT, dominant_item, scores_version
from sectors.models import Area
from tasking.permissions import can_see_activities, can_see_packs
from tasking.selectors.activities import activities_for_area
from tasking.selectors.packs import open_actions

AREA_ACTIONS = 10  # the sector page lists the first open actions due; the actions page lists them all


def area_summary(*, user, area: Area, end_month=None, months: int = 12, measure_codes=None,
                 scores: str | None = None) -> dict:
    """The area's ranking row among the areas of its level (the force: alone), with the measures' breakdown.

    ``scores``: scoring.selectors.drilldown.scores_version(), when the caller has read it."""
    from pages.selectors.overview import (
        ranking_row_cached,  # the same ranking the overview shows, cached
    )

    ranking, row, of = ranking_row_cached(user=user, area_id=area.id, level=area.level, end_month=end_month,
                                          months=months, measure_codes=measure_codes, scores=scores)
    breakdown = []
    if row is not None:
        breakdown = [
            {"measure": m, "harm": row.contributions.get(m.code, 0.0), "count": row.counts.get(m.code, 0),
             "share": (row.contributions.get(m.code, 0.0) / row.breakdown_total) if row.breakdown_total else 0.0,
             "previous_harm": row.previous_contributions.get(m.code, 0.0),
             "previous_count": row.previous_counts.get(m.code, 0),
             "change": row.contributions.get(m.code, 0.0) - row.previous_contributions.get(m.code, 0.0)}
            for m in ranking.measures
        ]
        for b in breakdown:
            b["fall"] = max(0.0, -b["change"])  # shown after a minus sign, with thousands separators
    return {"ranking": ranking, "row": row, "of": of, "breakdown": breakdown,
            "by_type": harm_types(row, ranking), "harm_fall": max(0.0, -row.harm_change) if row else 0.0}


def harm_types(row, ranking) -> list[dict]:
    """Victim-based and police-generated harm of a ranking row (or of the force when ``row`` is None).

    Each side is the distinct total of the selected measures of that type; an item counted by measures
    of both types is on both sides, so the two need not add up to the SOC harm.
    """
    now = row.harm_by_type if row is not None else ranking.force_harm_by_type
    before = row.previous_harm_by_type if row is not None else {}
    return [{"type": value, "label": label, "harm": now.get(value, 0.0), "previous_harm": before.get(value, 0.0),
             "measures": [m for m in ranking.measures if m.harm_type == value]}
            for value, label in Measure.HarmType.choices]


CHART_MODES = {"total": "SOC harm", "measures": "Each measure", "stacked": "Measures stacked"}
CHART_TITLES = {
    "total": ("SOC harm by month", ""),
    "measures": ("Harm of each measure by month", "Measures with no harm in any month are left out."),
    "stacked": ("Harm of the measures by month, stacked",
                "Where measures overlap, the stack adds up to more than the SOC harm."),
}


def area_chart(*, user, area: Area, ranking, series, mode: str, version: str | None = None) -> dict | None:
    """The area's chart: the SOC harm, each measure's line, or the measures stacked; window and comparison shaded.

    Stacked measures add up to more than the SOC harm wherever measures overlap (the chart says so);
    measures with no harm in any month are left out of the measure charts.
    """
    bands = [("window", ranking.start, ranking.end), ("comparison period", ranking.previous_start,
                                                       ranking.previous_end)] if ranking.start else []
    months = [m for m, _, _ in series]
    if mode == "total" or not months:
        return line_chart(months=months, series=[("SOC harm", [h for _, h, _ in series])], bands=bands)
    codes = [m.code for m in ranking.measures]
    key = f"sectors:measure-series:{area.pk}:{','.join(sorted(codes))}:{version}"
    by_measure = cache.get(key)
    if by_measure is None:
        by_measure = [(m.name, [h for _, h, _ in cells]) for m, cells in scoring_selectors.area_measure_series(
            user=user, area_id=area.pk, measure_codes=codes)]
        cache.set(key, by_measure, settings.PAGE_CACHE_SECONDS)
    shown = [(name, values) for name, values in by_measure if any(values)]
    if not shown:
        return line_chart(months=months, series=[("SOC harm", [h for _, h, _ in series])], bands=bands)
    return line_chart(months=months, series=shown, stacked=mode == "stacked", bands=bands)


def area_series(*, user, area: Area, measure_codes=None, version: str | None = None,
                measures: list[Measure] | None = None) -> list[tuple[date, float, int]]:
    """The area's monthly series, cached until the next scoring run (the caller has checked access).

    ``measures``: those of ``measure_codes`` (scoring.selectors.ranking.visible_measures), when read."""
    from pages.selectors.records import records_version

    codes = ",".join(sorted(measure_codes)) if measure_codes else "*"
    key = f"sectors:series:{area.pk}:{codes}:{version or records_version()}"
    series = cache.get(key)
    if series is None:
        series = list(scoring_selectors.area_series(user=user, area_id=area.id, measure_codes=measure_codes,
                                                    area=area, measures=measures))
        cache.set(key, series, settings.PAGE_CACHE_SECONDS)
    return series


def area_outline(area: Area) -> dict | None:
    return {"type": "Feature", "geometry": _light(area.boundary), "properties": {"name": area.name}} \
        if area.boundary else None


def active_memberships(area: Area, start: date, end_exclusive: date) -> Q:
    field = HOME_FIELD.get(area.level)
    where = Q(started_on__lt=end_exclusive) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    return where & Q(**{f"nominal__{field}": area}) if field else where


def groups_and_nominals(*, user, area: Area, start: date, end_exclusive: date, limit: int = 50,
                        version: str | None = None) -> dict | None:
    """The groups with members living in the area during the window, and those members. Analysts only.

    Cached by area, window, whether restricted nominals may be read, and the latest applied upload
    and finished scoring run (memberships arrive by upload).
    """
    if not can_research(user):
        return None
    from pages.selectors.records import records_version

    restricted = user.has_perm("nominals.view_restricted_nominal")
    key = (f"sectors:groups:{area.pk}:{start}:{end_exclusive}:{limit}:{int(restricted)}:"
           f"{version or records_version()}")
    found = cache.get(key)
    if found is None:
        found = _groups_and_nominals(area, start, end_exclusive, limit, restricted)
        cache.set(key, found, settings.PAGE_CACHE_SECONDS)
    return found


def _groups_and_nominals(area: Area, start: date, end_exclusive: date, limit: int, restricted: bool) -> dict:
    memberships = Membership.objects.filter(active_memberships(area, start, end_exclusive))
    if not restricted:
        memberships = memberships.filter(nominal__is_restricted=False)
    groups = list(
        memberships.values("group_id", "group__ref", "group__name", "group__group_type")
        .annotate(members=Count("nominal", distinct=True))
        .order_by("-members", "group__ref")[:limit]
    )
    nominals = list(
        Nominal.objects.filter(id__in=memberships.values("nominal_id"))
        .annotate(groups=Count("memberships__group", distinct=True))
        .order_by("ref")
        .values("id", "ref", "name", "is_synthetic", "groups")[:limit]
    )
    return {"groups": groups, "nominals": nominals}


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def area_page(*, user, area: Area, ranking_kwargs: dict, filters: dict, page: str | int | None,
              per_page: int = 50, chart_mode: str = "total") -> dict:
    """Everything the area page shows. Raw records (page, layer, top records) only if the user may read them."""
    from pages.selectors.records import (
        area_nominal_months,
        area_records,
        area_records_totals,
        filters_key,
        listed_months,
        months_totals,
        records_page,
        records_version,
    )

    scores = scores_version()  # one stamp for every cached read below
    version = records_version(scores=scores)
    summary = area_summary(user=user, area=area, **ranking_kwargs, scores=scores)
    ranking = summary["ranking"]
    start, end = ranking.start, ranking.end
    context = {**summary, "area": area, "outline": area_outline(area), "start": start, "end": end, "version": version,
               "series": area_series(user=user, area=area, measure_codes=ranking_kwargs.get("measure_codes"),
                                     version=version, measures=ranking.measures),
               "records_allowed": can_view_records(user, area), "records": None}
    context["chart_mode"] = chart_mode if chart_mode in CHART_MODES else "total"
    context["chart_modes"] = CHART_MODES
    context["chart_title"], context["chart_note"] = CHART_TITLES[context["chart_mode"]]
    context["chart"] = area_chart(user=user, area=area, ranking=ranking, series=context["series"],
                                  mode=context["chart_mode"], version=version)
    context.update(area_activities(user=user, area=area, months=[m for m, _, _ in context["series"]]))
    context["open_actions"] = open_actions(user=user, area=area, limit=AREA_ACTIONS) if can_see_packs(user) else None
    if start is None or end is None:
        return context
    # The rendered chart, groups and records table are cached under this key (with the page number
    # for the records): templates/sectors/area.html.
    context["fragment_key"] = (
        f"{area.pk}:{start}:{end}:{','.join(sorted(ranking_kwargs.get('measure_codes') or ['*']))}:"
        f"{filters_key(filters)}:{ranking.edition and ranking.edition.pk}:"
        f"{int(user.has_perm('nominals.view_restricted_nominal'))}:{version}"
    )
    context["groups"] = groups_and_nominals(user=user, area=area, start=start, end_exclusive=next_month(end),
                                            version=version)
    if context["records_allowed"]:
        edition, measures = ranking.edition, ranking.measures
        selection = dict(user=user, area=area, start=start, end=end, filters=filters, measures=measures)
        key = hashlib.sha1(f"{area.pk}:{start}:{end}:{filters_key(filters)}:{','.join(str(m.pk) for m in measures)}"
                           .encode()).hexdigest()
        qs = area_records(**selection, edition=edition)
        # The list's count, harm and page by month from the run's stored counts, where they answer.
        months = cached(f"sectors:listed-months:{key}:{edition and edition.pk}:{version}",
                        lambda: {"months": listed_months(**selection, edition=edition)})["months"]
        context["records"], context["records_capped"] = records_page(qs, edition, page, per_page, version, key=key,
                                                                     months=months)
        context["listed"] = listed_totals(
            records=months_totals(months) if months is not None else cached(
                f"sectors:records-total:{key}:{edition and edition.pk}:{version}",
                lambda: area_records_totals(**selection, edition=edition)),
            nominal_months=cached(f"sectors:nominal-months:{key}:{nominal_access(user)}:{version}",
                                  lambda: area_nominal_months(**selection)))
        context["figure_links"] = figure_links(area=area, ranking=ranking, ranking_kwargs=ranking_kwargs)
        for b in context["breakdown"]:
            b["link"] = context["figure_links"]["measures"].get(b["measure"].code)
        context["layer"] = harm_layer(user=user, area=area, start=start, end=end, measures=measures,
                                      edition=edition, version=version)
        # The contributing items are always those of the active measures (the ranking's, unless chosen).
        active = None if ranking_kwargs.get("measure_codes") else ranking.measures
        context["top"] = list(scoring_selectors.contributing_records(
            user=user, area_id=area.id, start=start, end=end, limit=STORED_LIMIT, area=area, measures=active,
            edition=edition, version=version))
    context["dominant"] = dominant_item(user=user, area=area, row=summary["row"], ranking=ranking,
                                        top=context.get("top"))
    return context


NOMINAL_MONTHS_SHOWN = 200


def area_activities(*, user, area: Area, months: list[date]) -> dict:
    """The activities on the area over the chart's months, and their timeline on the same axis (2 queries)."""
    if not can_see_activities(user):
        return {"activities": None, "activity_timeline": None}
    found = activities_for_area(user=user, area=area, start=months[0] if months else None,
                                end=add_months(months[-1], 1) if months else None)
    return {"activities": found, "activity_timeline": timeline(
        months=months, items=[(f"{a.ref} {a.title}", a.started_on, a.ended_on) for a in found]),
        "activity_markers": activity_markers(found)}


def activity_markers(activities) -> list[dict]:
    """Points and polygon outlines of the activities that have them, for the map (GeoJSON features)."""
    features = []
    for a in activities:
        props = {"name": f"{a.ref} {a.title}", "url": f"/activities/{a.pk}/"}
        if a.target_lat is not None:
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "Point", "coordinates": [a.target_lon, a.target_lat]}})
        if a.target_boundary:
            features.append({"type": "Feature", "properties": props, "geometry": a.target_boundary})
    return features


def nominal_access(user) -> str:
    """Which nominals' identities the user may read: part of the key of anything cached that names them."""
    return f"{int(user.has_perm('nominals.view_nominal'))}{int(user.has_perm('nominals.view_restricted_nominal'))}"


def listed_totals(*, records: tuple[int, float], nominal_months: list) -> dict:
    """What the records list shows above its tables: the records and nominal-months listed, and both together."""
    count, harm = records
    nominal_harm = sum(m.harm for m in nominal_months)
    return {"records": count, "records_harm": harm, "nominal_months": len(nominal_months),
            "nominal_harm": nominal_harm, "nominal_rows": nominal_months[:NOMINAL_MONTHS_SHOWN],
            "count": count + len(nominal_months), "harm": harm + nominal_harm}


def figure_links(*, area: Area, ranking, ranking_kwargs: dict) -> dict:
    """The page's own figures as links to its records list: the SOC harm and each measure's row."""
    window = window_params(months=ranking_kwargs.get("months") or 12, end=ranking.end,
                           measure_codes=ranking_kwargs.get("measure_codes"))
    return {"soc": records_url(area.pk, window, counted_by=COUNTED_SOC),
            "measures": {m.code: records_url(area.pk, window, counted_by=m.code) for m in ranking.measures}}


def area_window(*, end_month: date | None, months: int) -> tuple[date, date] | None:
    """The first and last month of the window a page covers; None before any score exists."""

    end = end_month.replace(day=1) if end_month else scoring_selectors.default_window_end()[0]
    return None if end is None else (add_months(end, -(months - 1)), end)
