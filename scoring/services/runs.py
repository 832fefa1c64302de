"""The life of a scoring run: requested, handed to the broker, claimed, retried. An outbox like uploads'.

A run row is written in the requester's transaction; the task goes to the
broker once that commits, and ``dispatched_at`` is set only when the broker
took it. The periodic sweep (scoring_runs_dispatch_pending) sends again what
never reached the broker or never started, reclaims runs whose worker died,
and retries failed runs with exponential back-off. Every step claims its run
with a conditional UPDATE, so two sweeps or two workers never do one step twice.
"""
import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent
from scoring.models import ScoringRun
from scoring.permissions import can_manage_scoring_runs
from scoring.services.recompute import NoActiveEdition, _scope_json, scores_recompute
from sectors.selectors import force_roots

log = logging.getLogger(__name__)


def dispatch_stale_after() -> timedelta:
    """A queued run handed to the broker this long ago and never started lost its message."""
    return timedelta(seconds=getattr(settings, "SCORING_DISPATCH_STALE_SECONDS", 600))


def run_stale_after() -> timedelta:
    """A run started this long ago and still running lost its worker (a full recompute takes minutes)."""
    return timedelta(seconds=getattr(settings, "SCORING_RUN_STALE_SECONDS", 3600))


def max_attempts() -> int:
    return getattr(settings, "SCORING_RUN_MAX_ATTEMPTS", 5)


def retry_delay(*, attempts: int) -> timedelta:
    """Back-off before the next attempt of a run that failed ``attempts`` times: 1, 2, 4, 8 ... minutes."""
    base = getattr(settings, "SCORING_RETRY_BASE_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def scores_recompute_request(*, force_id: int | None = None, area_ids: list[int] | None = None,
                             months: list[date] | None = None, requested_by=None) -> ScoringRun:
    """Queue a recompute: the run row now, its dispatch once the caller's transaction commits.

    ``force_id``: the force whose areas and months are recomputed (None: every force in one run).
    If the broker is down then, the run stays queued and undispatched until the sweep sends it.
    """
    run = ScoringRun.objects.create(scope=_scope_json(area_ids, months), force_id=force_id,
                                    requested_by=requested_by)
    if requested_by is not None:
        detail = run.scope if force_id is None else {**run.scope, "force_id": force_id}
        audit_record(user=requested_by, action=AuditEvent.Action.RECOMPUTE, object_type="scoring_run",
                     object_id=run.pk, detail=detail)
    transaction.on_commit(lambda: scoring_run_dispatch(run_id=run.pk))
    return run


def scores_recompute_request_all(*, requested_by=None) -> list[ScoringRun]:
    """Queue a full recompute of every force: one run per force where the deployment holds several.

    A run of one force reads and writes only that force's rows (scores_recompute), so on a
    database distributed by force each run is routed to the one node holding it, and the forces
    are recomputed side by side by as many workers. A deployment of one force (or none yet) queues
    one run of every force, as always.
    """
    forces = force_roots()
    if len(forces) < 2:
        return [scores_recompute_request(requested_by=requested_by)]
    return [scores_recompute_request(force_id=force_id, requested_by=requested_by) for force_id in forces]


def scoring_run_dispatch(*, run_id: int) -> bool:
    """Hand the run to the broker; mark it dispatched only once the broker took it."""
    # The task module imports the services, so the task is looked up when needed.
    from scoring.tasks import recompute_scores

    try:
        # A fresh connection to the current broker URL, one attempt, no publish retries: a request
        # must not hang on a dead broker; the sweep sends the run again.
        with recompute_scores.app.connection_for_write(connect_timeout=2) as connection:
            if not recompute_scores.app.conf.task_always_eager:
                connection.ensure_connection(max_retries=0)
            recompute_scores.apply_async(args=[run_id], connection=connection, retry=False)
    except Exception as exc:  # kombu and redis raise several types for an unreachable broker
        log.warning("scoring run %s not dispatched, the sweep will retry: %s", run_id, exc)
        return False
    ScoringRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now())
    return True


def scoring_run_claim(*, run_id: int, stale_after: timedelta | None = None) -> ScoringRun | None:
    """Take a queued run (or one left running by a worker that died); None if another has it.

    The conditional UPDATE is the claim: of two workers given the same id,
    exactly one sees one row updated.
    """
    now = timezone.now()
    stale_after = run_stale_after() if stale_after is None else stale_after
    claimed = ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.QUEUED).update(
        status=ScoringRun.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
    ) or ScoringRun.objects.filter(
        pk=run_id, status=ScoringRun.Status.RUNNING, started_at__lt=now - stale_after
    ).update(started_at=now, attempts=F("attempts") + 1)
    return ScoringRun.objects.get(pk=run_id) if claimed else None


def scoring_run_execute(*, run_id: int) -> ScoringRun | None:
    """Claim and run the recompute of ``run_id``; the run if it is done, None if not run or failed.

    A failure is kept on the row (scores_recompute writes it) and not raised: the
    sweep retries it after a back-off, unless no edition is active (retrying
    cannot help until weights are loaded) or the attempts are used up.
    """
    run = scoring_run_claim(run_id=run_id)
    if run is None:
        return None
    months = run.scope.get("months")
    try:
        return scores_recompute(
            force_id=run.force_id, area_ids=run.scope.get("area_ids"),
            months=None if months is None else [date.fromisoformat(m) for m in months],
            run_id=run.pk,
        )
    except NoActiveEdition:
        log.warning("scoring run %s failed: no active CSS edition; not retried", run.pk)
    except Exception:
        log.exception("scoring run %s failed (attempt %s)", run.pk, run.attempts)
        if run.attempts < max_attempts():
            ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.FAILED).update(
                next_attempt_at=timezone.now() + retry_delay(attempts=run.attempts)
            )
    return None


def scoring_runs_failed() -> QuerySet:
    """Failed runs whose areas and months no later full recompute has rewritten, newest first.

    A full run of every force rewrites any failed run; a full run of one force, that force's failed runs.
    """
    later_full = ScoringRun.objects.filter(Q(force__isnull=True) | Q(force=OuterRef("force")),
                                           status=ScoringRun.Status.DONE, scope={},
                                           created_at__gt=OuterRef("created_at"))
    return ScoringRun.objects.filter(status=ScoringRun.Status.FAILED).exclude(Exists(later_full)) \
        .order_by("-created_at")


def _requeue(*, run_id: int, **expected) -> bool:
    """Put a run back in the queue, undispatched, if it is still as ``expected`` (the claim)."""
    return bool(ScoringRun.objects.filter(pk=run_id, **expected).update(
        status=ScoringRun.Status.QUEUED, dispatched_at=None, started_at=None, next_attempt_at=None, error="",
    ))


def scoring_runs_dispatch_pending(*, limit: int = 100) -> int:
    """The sweep: send again, reclaim and retry the runs that need it; how many were handed to the broker.

    - queued runs never dispatched (the broker was down at commit), or dispatched
      long ago and never started (the message was lost);
    - running runs whose worker died (started past the stale limit): queued again,
      or failed for good once the attempts are used up;
    - failed runs due for a retry (next_attempt_at passed) and not rewritten since by a full recompute.
    """
    now = timezone.now()
    for run_id, dispatched_at in ScoringRun.objects.filter(
        status=ScoringRun.Status.QUEUED, dispatched_at__lt=now - dispatch_stale_after()
    ).values_list("id", "dispatched_at")[:limit]:
        _requeue(run_id=run_id, status=ScoringRun.Status.QUEUED, dispatched_at=dispatched_at)

    for run_id, started_at, attempts in ScoringRun.objects.filter(
        status=ScoringRun.Status.RUNNING, started_at__lt=now - run_stale_after()
    ).values_list("id", "started_at", "attempts")[:limit]:
        if attempts < max_attempts():
            _requeue(run_id=run_id, status=ScoringRun.Status.RUNNING, started_at=started_at)
        else:
            ScoringRun.objects.filter(pk=run_id, status=ScoringRun.Status.RUNNING, started_at=started_at).update(
                status=ScoringRun.Status.FAILED, finished_at=now, next_attempt_at=None,
                error=f"Abandoned: no worker finished it in {attempts} attempts",
            )

    due = scoring_runs_failed().filter(next_attempt_at__lte=now).values_list("id", "next_attempt_at")[:limit]
    for run_id, next_attempt_at in list(due):
        _requeue(run_id=run_id, status=ScoringRun.Status.FAILED, next_attempt_at=next_attempt_at)

    pending = ScoringRun.objects.filter(status=ScoringRun.Status.QUEUED, dispatched_at__isnull=True) \
        .order_by("created_at").values_list("id", flat=True)[:limit]
    return sum(scoring_run_dispatch(run_id=pk) for pk in list(pending))


def scoring_run_retry(*, run_id: int, user) -> ScoringRun:
    """Queue a failed run again now, on a user's request (audited). 404 if missing or not theirs to retry.

    A run that is no longer failed (retried already, a double click) is returned unchanged.
    """
    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is None or not can_manage_scoring_runs(user):
        raise Http404("No such scoring run")
    with transaction.atomic():
        if _requeue(run_id=run.pk, status=ScoringRun.Status.FAILED):
            audit_record(user=user, action=AuditEvent.Action.RECOMPUTE, object_type="scoring_run",
                         object_id=run.pk, detail={"retry": True, "scope": run.scope, "error": run.error,
                                 **({} if run.force_id is None else {"force_id": run.force_id})})
            transaction.on_commit(lambda: scoring_run_dispatch(run_id=run.pk))
    run.refresh_from_db()
    return run
