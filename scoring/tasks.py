"""Background work of the scoring app: thin tasks that take ids and call a service."""
from datetime import date

from celery import shared_task

from scoring.services import NoActiveEdition, scores_recompute, scoring_run_claim


@shared_task(acks_late=True)
def recompute_scores(run_id: int) -> int | None:
    """Run the queued ScoringRun ``run_id``. Safe to deliver twice: only one claim succeeds."""
    run = scoring_run_claim(run_id=run_id)
    if run is None:
        return None
    months = run.scope.get("months")
    try:
        scores_recompute(
            area_ids=run.scope.get("area_ids"),
            months=None if months is None else [date.fromisoformat(m) for m in months],
            run_id=run.pk,
        )
    except NoActiveEdition:
        # The run row already says why it failed; retrying cannot help until weights are loaded,
        # and the upload that asked for it must not be reported as failed.
        return None
    return run.pk
