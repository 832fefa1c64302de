"""Background work of the scoring app: thin tasks that take ids and call a service."""
from celery import shared_task

from scoring.services import scoring_run_execute, scoring_runs_dispatch_pending


@shared_task(acks_late=True)
def recompute_scores(run_id: int) -> int | None:
    """Run the queued ScoringRun ``run_id``. Safe to deliver twice: only one claim succeeds."""
    run = scoring_run_execute(run_id=run_id)
    return None if run is None else run.pk


@shared_task(name="scoring.tasks.dispatch_pending")
def dispatch_pending() -> int:
    """The periodic sweep of the scoring runs' outbox (scheduled in settings.CELERY_BEAT_SCHEDULE)."""
    return scoring_runs_dispatch_pending()
