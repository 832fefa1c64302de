"""What the scoring run stores for the pages besides the scores, so a page never reads the records.

- RecordCount: the records located in the force by level, area, month and kind, with their flags
  counted (thematic views, the maps' "no data" shading, the provenance notes). Rewritten for the
  run's months (every area), or in full.
- AreaView: an area page's contributing items and map layer cells, for the areas stored
  (force, commands, sectors: AREA_LEVELS) and the standard windows (WINDOWS months ending at the
  default window end), with the active measures and edition. A scoped run rewrites the rows of the
  areas whose cells it rewrote and whose window meets its months; every row when the nominal
  inputs changed (nominal-months reach every area) or the measures or edition differ; and drops
  the rows of windows no longer standard.

stored_views_refresh runs inside the recompute's transaction (scoring.services.recompute), after
the new cells are written: it rewrites the record counts and deletes the area views the run may
have changed, so no page ever reads a view older than the scores beside it (a missing view is
computed live). area_views_fill then computes the missing views after the run has committed, one
area at a time, each in a short transaction holding the recompute's lock and only while the run
is still the latest: at a million records the views take minutes (a third of a second per area
and window), which must not hold the scores back or keep other runs waiting. A scoped run leaves
exactly what a full run would (scoring/tests/test_stored_views.py).
"""
import logging
import time
from datetime import date

from django.db import connection, transaction
from django.db.models import Q

from core.months import add_months, month_start
from records.models import RECORD_AREA_FIELD, Record
from scoring.models import AreaView, CssEdition, HarmScore, RecordCount, ScoringRun
from scoring.selectors.drilldown import STORED_LIMIT, contributing_items, item_json
from scoring.selectors.layers import empty_layer_cells, layer_cells
from scoring.selectors.ranking import WINDOWS, default_window_end, visible_measures
from scoring.selectors.stored import measures_key
from sectors.models import Area, Level
from scoring.services.locks import recompute_lock
from sectors.selectors import area_forces, areas_around, force_roots

log = logging.getLogger(__name__)

AREA_LEVELS = (Level.FORCE, Level.COMMAND, Level.SECTOR)
FLAGS = ("drug_supply", "cannabis_farm", "firearms_discharge", "is_synthetic")  # the counted columns


def stored_views_refresh(*, edition: CssEdition, force_id: int | None, area_ids: list[int] | None,
                         months: list[date] | None, nominal_part: bool, run_id: int) -> None:
    """Recount the records and delete the area views the run may have changed, as a full run would.

    ``nominal_part``: the run recomputed the nominal-months, which reach every area (of its force),
    so every view of the windows it touched may have changed. ``force_id``: that force's rows only.
    """
    started = time.monotonic()
    months = None if area_ids is None or months is None else sorted({month_start(m) for m in months})
    record_counts_refresh(months=months, force_id=force_id)
    around = None if months is None or nominal_part else areas_around(area_ids)
    dropped = area_views_invalidate(edition=edition, force_id=force_id, area_ids=around, months=months)
    log.info("scoring run %s: record counts in %d ms, %d area views to compute again", run_id,
             (time.monotonic() - started) * 1000, dropped)


def record_counts_refresh(*, months: list[date] | None, force_id: int | None = None) -> None:
    """Recount the records of ``months`` (None: all of them; of ``force_id`` only, if given) by level,
    area, month and kind. Set-based SQL."""
    table = RecordCount._meta.db_table
    records = Record._meta.db_table
    conditions, params = [], []
    if force_id is not None:
        conditions.append("force_id = %s")
        params.append(force_id)
    if months is not None:
        conditions.append(f"month IN ({', '.join(['%s'] * len(months))})")
        params += [m.isoformat() for m in months]
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # Records located in the force only (in an area of some level), as the scores count them: a record
    # placed nowhere queues no run, so counting it would leave the counts to the next full run.
    located = (f"{' AND' if where else ' WHERE'} "
               "(area_id IS NOT NULL OR sector_id IS NOT NULL OR command_id IS NOT NULL)")
    flags = ", ".join(f"SUM(CASE WHEN {flag} THEN 1 ELSE 0 END)" for flag in FLAGS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}{where}", params)
        if months == []:
            return  # (the DELETE above matched nothing either)
        for level, field in RECORD_AREA_FIELD.items():
            cursor.execute(
                f"INSERT INTO {table} (level, force_id, area_id, month, kind, count, {', '.join(FLAGS)}) "
                f"SELECT %s, force_id, {field}_id, month, kind, COUNT(*), {flags} FROM {records}{where}{located} "
                f"GROUP BY force_id, {field}_id, month, kind", [int(level), *params])


def standard_windows() -> list[tuple[date, date]]:
    """The windows an area page offers by default: WINDOWS months ending at the default window end."""
    end = default_window_end()[0]
    return [] if end is None else [(add_months(end, -(n - 1)), end) for n in WINDOWS]


def area_views_invalidate(*, edition: CssEdition, area_ids: set[int] | None, months: list[date] | None,
                          force_id: int | None = None) -> int:
    """Delete the AreaView rows that may have changed (``area_ids`` None: all of them), and those of
    windows no longer standard or of other measures or another edition; how many areas and windows.
    ``force_id``: that force's rows only."""
    windows = standard_windows()
    key = measures_key(visible_measures(None))
    views = AreaView.objects.all() if force_id is None else AreaView.objects.filter(force_id=force_id)
    views.exclude(measures=key, edition=edition).delete()
    keep = Q(pk__in=[])
    for start, end in windows:
        keep |= Q(start=start, end=end)
    views.exclude(keep).delete()
    changed = Q(pk__in=[])
    for start, end in windows:
        if months is None or any(start <= m <= end for m in months):
            changed |= Q(start=start, end=end)
    if area_ids is not None:
        changed &= Q(area_id__in=area_ids)
    stale = views.filter(changed)
    dropped = len(set(stale.values_list("area_id", "start", "end")))
    stale.delete()
    return dropped


def area_views_fill(*, run: ScoringRun, force_id: int | None) -> int:
    """Compute the missing AreaView rows of every stored area (of ``force_id``) for ``run``; how many
    areas and windows.

    One area per transaction, under the recompute's advisory lock (PostgreSQL), and only while
    ``run`` is the latest finished run (of the area's force, where runs name one): a later run
    deletes what it changes under the same lock, so a view written here always matches the scores
    beside it. A later run stops this one (its own fill carries on). Safe to call twice: it
    computes only what is missing.
    """
    started, written = time.monotonic(), 0
    forces, several = area_forces(), len(force_roots()[:2]) > 1
    areas = Area.objects.filter(level__in=AREA_LEVELS).order_by("pk")
    if force_id is not None:
        areas = [area for area in areas if forces[area.pk] == force_id]
    overtaken = set()  # the forces a later run has rewritten
    for area in areas:
        if forces[area.pk] in overtaken:
            continue
        with transaction.atomic():
            recompute_lock(force_id=force_id)
            if _latest_run(several=several, area_force_id=forces[area.pk]) != run.pk:
                if not several:
                    break
                overtaken.add(forces[area.pk])  # that force's later run fills its areas; go on with the others
                continue
            windows, measures = standard_windows(), visible_measures(None)
            present = set(AreaView.objects.filter(area=area).values_list("start", "end"))
            missing = [(start, end) for start, end in windows if (start, end) not in present]
            if not missing:
                continue
            scored = _scored([area], missing, measures)
            AreaView.objects.bulk_create([
                AreaView(area=area, force_id=forces[area.pk], start=start, end=end, kind=kind,
                         measures=measures_key(measures),
                         edition=run.edition, data=data, run=run)
                for start, end in missing
                for kind, data in _area_view(area, start, end, measures, run.edition,
                                             scored=(area.pk, start, end) in scored)])
            written += len(missing)
    log.info("scoring run %s: %d area views in %d ms", run.pk, written, (time.monotonic() - started) * 1000)
    return written


def _latest_run(*, several: bool, area_force_id: int) -> int | None:
    """The last finished run that may have rewritten an area of ``area_force_id``: where the deployment
    holds several forces, a run of that force or of every force; otherwise any run."""
    runs = ScoringRun.objects.filter(status=ScoringRun.Status.DONE)
    if several:
        runs = runs.filter(Q(force=area_force_id) | Q(force__isnull=True))
    return runs.order_by("-finished_at", "-pk").values_list("pk", flat=True).first()


def _scored(areas: list[Area], windows, measures) -> set[tuple]:
    """The (area, start, end) with any stored item of the measures: the others have nothing to show."""
    if not windows:
        return set()
    months = HarmScore.objects.filter(area__in=areas, measure__in=measures, month__gte=min(s for s, _ in windows),
                                      month__lte=max(e for _, e in windows)).filter(Q(count__gt=0) | Q(harm__gt=0)) \
        .values_list("area_id", "month").distinct()
    found = set()
    for area_id, month in months:
        found |= {(area_id, start, end) for start, end in windows if start <= month <= end}
    return found


def _area_view(area: Area, start: date, end: date, measures, edition, *, scored: bool) -> list[tuple[str, object]]:
    """The contributing items and the layer cells; without a stored item, what computing them gives: nothing."""
    if not scored:
        return [(AreaView.Kind.CONTRIBUTING, []), (AreaView.Kind.LAYER, empty_layer_cells(area))]
    contributing = [item_json(i) for i in contributing_items(area=area, start=start, end=end, measures=measures,
                                                             edition=edition, limit=STORED_LIMIT)]
    return [(AreaView.Kind.CONTRIBUTING, contributing),
            (AreaView.Kind.LAYER, layer_cells(area=area, start=start, end=end, measures=measures, edition=edition))]
