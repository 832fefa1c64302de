"""Recomputing the stored harm scores, in SQL, full or for the affected areas and months."""
import hashlib
import logging
import time
from datetime import date

from django.db import connection, transaction
from django.db.models import Q
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
from scoring.services.locks import recompute_lock
from scoring.services.stored_views import area_views_fill, stored_views_refresh
from sectors.selectors import area_forces, areas_around, force_roots

log = logging.getLogger(__name__)



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


def _record_months(force_id: int | None = None) -> list[date]:
    """Every month from the first to the last located record (of ``force_id``'s records): the months
    nominals (of that force) are counted in."""
    first, last = located_span(force_id=force_id)
    return [] if first is None else months_between(first, last)


def nominals_of_force(force_id: int) -> set[int]:
    """The nominals whose home lies in ``force_id``'s tree (a nominal's force: docs/scale.md, section 4).

    The home read as the recompute reads it (scoring.sql.nominal_grain_create): the command, else
    the sector, else the neighbourhood. For a deployment of several forces: with one, every
    nominal is that force's.
    """
    forces = area_forces()
    return {pk for pk, *home in Nominal.objects.values_list("pk", "home_command_id", "home_sector_id", "home_area_id")
            if forces.get(next((a for a in home if a is not None), None)) == force_id}


def nominal_inputs(record_months: list[date], *, nominal_ids: set[int] | None = None) -> str:
    """A digest of everything the nominal-months are computed from.

    Homes, memberships (with their group's type), priority periods, the measures and the
    records' month span: a scoped run whose digest equals the last run's leaves the nominal
    cells and totals as they are, since recomputing them would give the same rows. Any change,
    whether by upload, in the admin or in the database, changes the digest, and the run then
    recomputes them in full. ``nominal_ids``: one force's nominals only (nominals_of_force), with
    ``record_months`` that force's.
    """
    def kept(row, index: int) -> bool:
        return nominal_ids is None or row[index] in nominal_ids

    digest = hashlib.sha256(repr((record_months[:1], record_months[-1:])).encode())
    for rows, index in (
        (Nominal.objects.order_by("pk").values_list("pk", "home_area_id", "home_sector_id", "home_command_id"), 0),
        (Membership.objects.order_by("pk").values_list("pk", "nominal_id", "group__group_type", "started_on",
                                                       "ended_on"), 1),
        (PriorityStatus.objects.order_by("pk").values_list("pk", "nominal_id", "started_on", "ended_on"), 1),
        (Measure.objects.order_by("pk").values_list("pk", "source", "nominal_roles", "weighting", "fixed_weight"),
         None),
    ):
        for row in rows.iterator(chunk_size=5000):
            if index is None or kept(row, index):
                digest.update(repr(row).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _last_nominal_inputs(force_id: int | None) -> str:
    """The digest of the last run that wrote the nominal cells of ``force_id`` (None: of every force)."""
    runs = ScoringRun.objects.filter(status=ScoringRun.Status.DONE).exclude(nominal_inputs="")
    if force_id is not None:
        runs = runs.filter(Q(force=force_id) | Q(force__isnull=True))
    return runs.order_by("-finished_at", "-pk").values_list("nominal_inputs", flat=True).first() or ""


def _nominal_spans(forces: list[int], several: bool) -> tuple[dict[int, list[date]], str]:
    """Each force's record months, and the digest of the nominal inputs of all of them.

    Where the deployment holds several forces, each force's nominals are counted in the months of its
    own records, and each force has its digest (the digest of several is that of their digests): a
    run of one force then depends on nothing of another's. With one force, the months and the digest
    are those of every record and nominal (as before forces were named).
    """
    if not several:
        months = _record_months()
        return {force_id: months for force_id in forces}, nominal_inputs(months)
    spans = {force_id: _record_months(force_id) for force_id in forces}
    digests = [nominal_inputs(spans[f], nominal_ids=nominals_of_force(f)) for f in forces]
    digest = digests[0] if len(digests) == 1 else hashlib.sha256("|".join(digests).encode()).hexdigest()
    return spans, digest


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


def _limited_to(force_id: int | None, forces: list[int]) -> int | None:
    """The force a run's statements and locks are limited to: its own where the deployment holds several
    ``forces``; with one, none (every row is that force's, and the statements stay those of every force)."""
    return force_id if len(forces) > 1 else None


def _write_cells(*, run: ScoringRun, edition: CssEdition, forces: list[int], force_id: int | None, area_ids,
                 months) -> tuple[int, int, str, bool]:
    """Compute the cells and totals into temporary tables, then bring the stored ones in line.

    Two parts: records, over the scope asked for (the areas and months an
    upload changed), and nominal-months, in full: a change to the records'
    month span, a home or a period moves them in ways a scope cannot describe.
    A scoped run skips the nominal part when nothing it reads has changed since
    the last run (nominal_inputs). So a scoped run writes exactly what a full run would.

    ``force_id``: the run reads and writes that force's rows only (where the deployment holds
    several; with one force every row is its). Every force's nominal part is computed on its own,
    over its own records' months.
    """
    several = len(forces) > 1
    if force_id is not None and force_id not in forces:
        raise ValueError(f"Area {force_id} is not a force root")
    # The deployment's only force, for the nominals homed under none (several: none).
    default_force_id = forces[0] if len(forces) == 1 else None
    in_scope = forces if force_id is None else [force_id]
    only = _limited_to(force_id, forces)
    cell_ids = None if area_ids is None else _expand_areas(area_ids, force_id or default_force_id)
    months = None if months is None else sorted({month_start(m) for m in months})

    measures = list(Measure.objects.all())
    nominal_ids = [m.pk for m in measures if m.source == Measure.Source.NOMINALS]
    # Only the kinds some measure counts are read (and the (kind, month) index can serve a scope).
    kinds = sorted({m.record_kind or RecordKind.CRIME.value for m in measures
                    if m.source != Measure.Source.NOMINALS})
    css_kinds = sorted({m.record_kind or RecordKind.CRIME.value for m in measures
                        if m.weighting == Measure.Weighting.CSS})
    measure_rows, set_rows = itemsets.bit_maps(measures)
    spans, inputs = _nominal_spans(in_scope, several)
    nominal_part = area_ids is None or months is None or inputs != _last_nominal_inputs(only)
    unweighted = 0
    written = 0
    with connection.cursor() as cursor:
        _run_statements(cursor, sql.new_cells_create())
        _run_statements(cursor, sql.maps_create(measure_rows=measure_rows, set_rows=set_rows))
        cursor.execute(*sql.grain_drop())
        if kinds and months != []:
            cursor.execute(*sql.record_grain_create(edition_id=edition.pk, months=months, kinds=kinds,
                                                    force_id=only))
            _analyse(cursor, sql.GRAIN)
            cursor.execute(*sql.cells_insert(cell_area_ids=cell_ids))
            cursor.execute(*sql.totals_insert(item_type=TotalScore.ItemType.RECORD, cell_area_ids=cell_ids))
            if css_kinds:
                cursor.execute(*sql.unweighted_count(kinds=css_kinds))
                unweighted = int(cursor.fetchone()[0])
            cursor.execute(*sql.grain_drop())
        # Force by force where there are several, each over its own records' months.
        for nominal_force, record_months in spans.items() if nominal_part else ():
            if not record_months:
                continue
            nominal_months = [(m, month_end(m)) for m in record_months]
            cursor.execute(*sql.nominal_grain_create(months=nominal_months, default_force_id=default_force_id,
                                                     force_id=nominal_force if several else None))
            _analyse(cursor, sql.GRAIN)
            cursor.execute(*sql.cells_insert(cell_area_ids=None))
            cursor.execute(*sql.totals_insert(item_type=TotalScore.ItemType.NOMINAL, cell_area_ids=None))
            cursor.execute(*sql.grain_drop())

        _analyse(cursor, sql.NEW_CELLS, sql.NEW_TOTALS)
        nominal_deletes = [
            sql.stale_cells_delete(months=None, cell_area_ids=None, measure_ids=nominal_ids, nominal=True,
                                   force_id=only),
            sql.stale_totals_delete(months=None, cell_area_ids=None, item_type=TotalScore.ItemType.NOMINAL,
                                    force_id=only),
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
            sql.stale_cells_delete(months=months, cell_area_ids=cell_ids, measure_ids=nominal_ids, nominal=False,
                                   force_id=only),
            sql.stale_totals_delete(months=months, cell_area_ids=cell_ids, item_type=TotalScore.ItemType.RECORD,
                                    force_id=only),
            *nominal_deletes,
            sql.cells_upsert(edition_id=edition.pk, run_id=run.pk),
            sql.totals_upsert(edition_id=edition.pk, run_id=run.pk),
        ):
            cursor.execute(*statement)
            written += max(cursor.rowcount, 0)
        _run_statements(cursor, sql.new_cells_drop())
        _run_statements(cursor, sql.maps_drop())
    return written, unweighted, inputs, nominal_part


def scores_recompute(*, force_id: int | None = None, area_ids: list[int] | None = None,
                     months: list[date] | None = None, requested_by=None, run_id: int | None = None,
                     views: bool = True) -> ScoringRun:
    """Recompute the stored scores with the active edition's weights.

    ``force_id``: that force's scores only (the ``area_ids`` are its areas); None: every force's.
    ``area_ids``/``months`` None mean all of them. The cells in scope (at every
    level containing the given areas) are deleted and re-inserted in one
    transaction, so running it twice gives the same result. With ``run_id``
    the caller has already claimed that run (see scoring_run_claim). With ``views``, the area
    pages' stored views the run deleted are computed again after it has committed
    (stored_views.area_views_fill).
    """
    now = timezone.now()
    if run_id is None:
        run = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING, started_at=now, force_id=force_id,
                                        scope=_scope_json(area_ids, months), requested_by=requested_by)
    else:
        run = ScoringRun.objects.get(pk=run_id)
    started = time.monotonic()
    forces = force_roots()
    only = _limited_to(force_id, forces)
    try:
        edition = CssEdition.objects.filter(is_active=True).first()
        if edition is None:
            raise NoActiveEdition("No active CSS edition: run `manage.py load_css_weights --activate`")
        with transaction.atomic():
            recompute_lock(force_id=only)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # JIT compiling these large plans costs about a second and saves less; the
                    # grain aggregate needs more than the default 4 MB to hash in memory.
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SET LOCAL work_mem = '64MB'")
                    # Only the run's temporary tables are analysed in this transaction.
                    cursor.execute("SET LOCAL default_statistics_target = 10")
            written, unweighted, inputs, nominal_part = _write_cells(run=run, edition=edition, forces=forces,
                                                                     force_id=force_id,
                                                                     area_ids=area_ids, months=months)
            # What the pages read besides the scores, in the same transaction.
            stored_views_refresh(edition=edition, force_id=only, area_ids=area_ids, months=months,
                                 nominal_part=nominal_part, run_id=run.pk)
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
        area_views_fill(run=run, force_id=only)
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
