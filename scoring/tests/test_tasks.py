import os
import time

import pytest
from django.db import transaction

from core.models import AuditEvent
from scoring.models import HarmScore, ScoringRun
from scoring.services import scores_recompute_request, scoring_run_claim
from scoring.tasks import recompute_scores


def test_it_queues_the_task_only_once_the_transaction_commits(world, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = scores_recompute_request(area_ids=[world.n1a.pk], months=[world.r[1].occurred_on],
                                       requested_by=analyst)
    assert len(callbacks) == 1
    assert run.status == ScoringRun.Status.QUEUED
    assert run.scope == {"area_ids": [world.n1a.pk], "months": ["2023-01-01"]}
    assert AuditEvent.objects.filter(action="recompute", object_id=str(run.pk), user=analyst).exists()


def test_it_runs_a_queued_run_once_however_often_it_is_delivered(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = scores_recompute_request()
    assert recompute_scores(run.pk) == run.pk
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.rows_written > 0
    cells = set(HarmScore.objects.values_list("area_id", "month", "measure_id", "harm"))
    assert recompute_scores(run.pk) is None  # delivered again: already done, nothing happens
    assert set(HarmScore.objects.values_list("area_id", "month", "measure_id", "harm")) == cells


def test_it_lets_one_worker_claim_a_run(db):
    run = ScoringRun.objects.create()
    assert scoring_run_claim(run_id=run.pk).status == ScoringRun.Status.RUNNING
    assert scoring_run_claim(run_id=run.pk) is None


def test_it_reclaims_a_run_left_running_by_a_dead_worker(db):
    from datetime import timedelta

    from django.utils import timezone

    run = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING,
                                    started_at=timezone.now() - timedelta(hours=2))
    assert scoring_run_claim(run_id=run.pk) is not None


@pytest.mark.worker
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_recomputes_in_a_real_worker(world):
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.control.purge()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        with transaction.atomic():
            run = scores_recompute_request(months=[world.r[1].month])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (ScoringRun.Status.DONE, ScoringRun.Status.FAILED):
                break
            time.sleep(0.2)
        assert run.status == ScoringRun.Status.DONE, run.error
        assert HarmScore.objects.filter(area=world.s1, month=world.r[1].month, measure__code="drug-supply",
                                        harm=100.0).exists()
        # The same message again does nothing (the claim fails).
        recompute_scores.delay(run.pk).get(timeout=30)
        run.refresh_from_db()
        assert run.status == ScoringRun.Status.DONE


def test_it_records_a_failed_run_without_raising_when_no_edition_is_active(db):
    from scoring.models import CssEdition, ScoringRun
    from scoring.tasks import recompute_scores

    CssEdition.objects.update(is_active=False)
    run = ScoringRun.objects.create(status=ScoringRun.Status.QUEUED, scope={})
    assert recompute_scores(run.pk) is None
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED
    assert "No active CSS edition" in run.error
