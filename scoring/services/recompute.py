"""Recomputing the stored harm scores, in SQL, full or for the affected areas and months."""
import hashlib
import logging
import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent
from core.months import month_end, month_start, months_between
from nominals.models import Membership, Nominal, PriorityStatus
from records.models import RecordKind
from scoring import itemsets, sql
from scoring.models import CssEdition, Measure, ScoringRun, TotalScore
from scoring.selectors.items import located_span
from scoring.services.css import css_edition_activate
from scoring.services.stored_views import area_views_fill, stored_views_refresh
from sectors.models import Area, Level
from sectors.selectors import areas_around

log = logging.getLogger(__name__)

# Any constant: recomputes take this PostgreSQL advisory lock so that two of
# them never delete and insert the same cells at once (SQLite has one writer).
ADVISORY_LOCK_KEY = 7_460_301


class NoActiveEdition(RuntimeError):
    pass


def _scope_json(area_ids, months) -> dict:
    scope = {}
    if area_ids is not None:
        scope["area_ids"] = sorted(set(area_ids))
    if months is not None:
        scope["months"] = sorted({month_start(m).isoformat() for m in months})
    return scope


def _expand_areas(area_ids: list[int], force_id: int | None) -> list[int]:
    """The given areas, every area above and below them, and the force: the cells a scope rewrites."""
    related = areas_around(area_ids)
    if force_id is not None:
        related.add(force_id)
    return sorted(related)


def _record_months() -> list[date]:
    """Every month from the first to the last located record: the months nominals are counted in."""
    first, last = located_span()
    return [] if first is None else months_between(first, last)


def nominal_inputs(record_months: list[date]) -> str:
    """A digest of everything the nominal-months are computed from.

    Homes, memberships (with their group's type), priority periods, the measures and the
    records' month span: a scoped run whose digest equals the last run's leaves the nominal
    cells and totals as they are, since recomputing them would give the same rows. Any change,
    whether by upload, in the admin or in the database, changes the digest, and the run then
    recomputes them in full.
    """
    digest = hashlib.sha256(repr((record_months[:1], record_months[-1:])).encode())
    for rows in (
        Nominal.objects.order_by("pk").values_list("pk", "home_area_id", "home_sector_id", "home_command_id"),
        Membership.objects.order_by("pk").values_list("pk", "nominal_id", "group__group_type", "started_on",
                                                      "ended_on"),
        PriorityStatus.objects.order_by("pk").values_list("pk", "nominal_id", "started_on", "ended_on"),
        Measure.objects.order_by("pk").values_list("pk", "source", "nominal_roles", "weighting", "fixed_weight"),
    ):
        for row in rows.iterator(chunk_size=5000):
            digest.update(repr(row).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _last_nominal_inputs() -> str:
    return ScoringRun.objects.filter(status=ScoringRun.Status.DONE).exclude(nominal_inputs="") \
        .order_by("-finished_at", "-pk").values_list("nominal_inputs", flat=True).first() or ""


def _run_statements(cursor, statements) -> None:
    for statement in statements:
        cursor.execute(*statement)


def _analyse(cursor, *tables: str) -> None:
    """Planner statistics for temporary tables (autovacuum never sees them): without them PostgreSQL
    guesses their size, and a join or delete against them can take a quadratic plan. The run
    samples fewer rows than the default (scores_recompute): enough for row counts and joins."""
    if connection.vendor == "postgresql":
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _write_cells(*, run: ScoringRun, edition: CssEdition, area_ids, months) -> tuple[int, int, str, bool]:
    """Compute the cells and totals into temporary tables, then bring the stored ones in line.

    Two parts: records, over the scope asked for (the areas and months an
    upload changed), and nominal-months, in full: a change to the records'
    month span, a home or a period moves them in ways a scope cannot describe.
    A scoped run skips the nominal part when nothing it reads has changed since
    the last run (nominal_inputs). So a scoped run writes exactly what a full run would.
    """
    # The deployment's only force, for the nominals homed under none (several: none).
    forces = list(Area.objects.filter(level=Level.FORCE).order_by("pk").values_list("pk", flat=True)[:2])
    default_force_id = forces[0] if len(forces) == 1 else None
    cell_ids = None if area_ids is None else _expand_areas(area_ids, default_force_id)
    months = None if months is None else sorted({month_start(m) for m in months})

    measures = list(Measure.objects.all())
    nominal_ids = [m.pk for m in measures if m.source == Measure.Source.NOMINALS]
    # Only the kinds some measure counts are read (and the (kind, month) index can serve a scope).
    kinds = sorted({m.record_kind or RecordKind.CRIME.value for m in measures
                    if m.source != Measure.Source.NOMINALS})
    css_kinds = sorted({m.record_kind or RecordKind.CRIME.value for m in measures
                        if m.weighting == Measure.Weighting.CSS})
    measure_rows, set_rows = itemsets.bit_maps(measures)
    record_months = _record_months()
    nominal_months = [(m, month_end(m)) for m in record_months]
    inputs = nominal_inputs(record_months)
    nominal_part = area_ids is None or months is None or inputs != _last_nominal_inputs()
    unweighted = 0
    written = 0
    with connection.cursor() as cursor:
        _run_statements(cursor, sql.new_cells_create())
        _run_statements(cursor, sql.maps_create(measure_rows=measure_rows, set_rows=set_rows))
        cursor.execute(*sql.grain_drop())
        if kinds and months != []:
            cursor.execute(*sql.record_grain_create(edition_id=edition.pk, months=months, kinds=kinds))
            _analyse(cursor, sql.GRAIN)
            cursor.execute(*sql.cells_insert(cell_area_ids=cell_ids))
            cursor.execute(*sql.totals_insert(item_type=TotalScore.ItemType.RECORD, cell_area_ids=cell_ids))
            if css_kinds:
                cursor.execute(*sql.unweighted_count(kinds=css_kinds))
                unweighted = int(cursor.fetchone()[0])
            cursor.execute(*sql.grain_drop())
        if nominal_part and nominal_months:
            cursor.execute(*sql.nominal_grain_create(months=nominal_months, default_force_id=default_force_id))
            _analyse(cursor, sql.GRAIN)
            cursor.execute(*sql.cells_insert(cell_area_ids=None))
            cursor.execute(*sql.totals_insert(item_type=TotalScore.ItemType.NOMINAL, cell_area_ids=None))
            cursor.execute(*sql.grain_drop())

        _analyse(cursor, sql.NEW_CELLS, sql.NEW_TOTALS)
        nominal_deletes = [
            sql.stale_cells_delete(months=None, cell_area_ids=None, measure_ids=nominal_ids, nominal=True),
            sql.stale_totals_delete(months=None, cell_area_ids=None, item_type=TotalScore.ItemType.NOMINAL),
        ] if nominal_part else []
        if connection.vendor == "postgresql":
            # The deletes and the upserts are anti-joins of the stored rows against the new ones:
            # hash joins whatever the estimates. Right after a large load, or into a table never
            # analysed, the planner expects a handful of rows and picks a nested loop: over the
            # rows in scope that was 3,351 x 2,188 comparisons (2.2 s for a one-month run); in an
            # upsert it rescans the pages the statement itself is inserting, which is quadratic
            # (105 s for 174,000 cells into empty tables, against 1.3 s).
            cursor.execute("SET LOCAL enable_nestloop = off")
        for statement in (
            sql.stale_cells_delete(months=months, cell_area_ids=cell_ids, measure_ids=nominal_ids, nominal=False),
            sql.stale_totals_delete(months=months, cell_area_ids=cell_ids, item_type=TotalScore.ItemType.RECORD),
            *nominal_deletes,
            sql.cells_upsert(edition_id=edition.pk, run_id=run.pk),
            sql.totals_upsert(edition_id=edition.pk, run_id=run.pk),
        ):
            cursor.execute(*statement)
            written += max(cursor.rowcount, 0)
        _run_statements(cursor, sql.new_cells_drop())
        _run_statements(cursor, sql.maps_drop())
    return written, unweighted, inputs, nominal_part


def scores_recompute(*, area_ids: list[int] | None = None, months: list[date] | None = None,
                     requested_by=None, run_id: int | None = None, views: bool = True) -> ScoringRun:
    """Recompute the stored scores with the active edition's weights.

    ``area_ids``/``months`` None mean all of them. The cells in scope (at every
    level containing the given areas) are deleted and re-inserted in one
    transaction, so running it twice gives the same result. With ``run_id``
    the caller has already claimed that run (see scoring_run_claim). With ``views``, the area
    pages' stored views the run deleted are computed again after it has committed
    (stored_views.area_views_fill).
    """
    now = timezone.now()
    if run_id is None:
        run = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING, started_at=now,
                                        scope=_scope_json(area_ids, months), requested_by=requested_by)
    else:
        run = ScoringRun.objects.get(pk=run_id)
    started = time.monotonic()
    try:
        edition = CssEdition.objects.filter(is_active=True).first()
        if edition is None:
            raise NoActiveEdition("No active CSS edition: run `manage.py load_css_weights --activate`")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
                    # JIT compiling these large plans costs about a second and saves less; the
                    # grain aggregate needs more than the default 4 MB to hash in memory.
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SET LOCAL work_mem = '64MB'")
                    # Only the run's temporary tables are analysed in this transaction.
                    cursor.execute("SET LOCAL default_statistics_target = 10")
            written, unweighted, inputs, nominal_part = _write_cells(run=run, edition=edition, area_ids=area_ids,
                                                                     months=months)
            # What the pages read besides the scores, in the same transaction.
            stored_views_refresh(edition=edition, area_ids=area_ids, months=months, nominal_part=nominal_part,
                                 run_id=run.pk)
    except Exception as exc:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}",
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        raise
    run.status = ScoringRun.Status.DONE
    run.edition = edition
    run.rows_written = written
    run.unweighted_records = unweighted
    run.nominal_inputs = inputs
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["status", "edition", "rows_written", "unweighted_records", "nominal_inputs", "finished_at",
                            "duration_ms"])
    log.info("scoring run %s: %s cells written in %s ms (%s unweighted records)", run.pk, written, run.duration_ms,
             unweighted)
    if views:
        # After the commit: the scores are visible at once, the area pages' views follow.
        area_views_fill(run=run, lock_key=ADVISORY_LOCK_KEY)
    return run


def css_edition_switch(*, code: str, requested_by=None) -> ScoringRun:
    """Make the edition ``code`` active and recompute every score with it, as one change.

    Atomic: if the recompute fails, the previous edition stays active and the
    stored scores still match it.
    """
    with transaction.atomic():
        edition = CssEdition.objects.get(code=code)
        css_edition_activate(edition=edition)
        run = scores_recompute(requested_by=requested_by)
    audit_record(user=requested_by, username="" if requested_by else "manage.py",
                 action=AuditEvent.Action.ADMIN_CHANGE, object_type="css_edition", object_id=edition.pk,
                 detail={"activated": code, "run": run.pk})
    return run
