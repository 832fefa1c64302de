"""The scoring runs' outbox: dispatch on commit, the sweep, back-off, reclaim, retry and the failed-run banner."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from portal.celery import app
from scoring.models import CssEdition, HarmScore, ScoringRun
from scoring.services import (
    scores_recompute_request,
    scoring_run_execute,
    scoring_run_retry,
    scoring_runs_dispatch_pending,
    scoring_runs_failed,
)
from scoring.services.runs import retry_delay

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def eager():
    """Tasks run in-process when dispatched (the embedded default), whatever REDIS_URL says."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def broker_down():
    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, CLOSED_PORT_BROKER
    yield
    app.conf.task_always_eager, app.conf.broker_url = before


@pytest.fixture
def dispatched(monkeypatch):
    """The ids the sweep hands to the broker (the broker itself is not needed)."""
    ids = []

    def dispatch(*, run_id):
        ids.append(run_id)
        return True

    monkeypatch.setattr("scoring.services.runs.scoring_run_dispatch", dispatch)
    return ids


@pytest.fixture
def failing_recompute(monkeypatch):
    """Every recompute fails inside its transaction, as a database error would."""
    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("scoring.services.recompute._write_cells", boom)


def _ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def test_it_keeps_a_run_undispatched_while_the_broker_is_down_and_the_sweep_sends_it(
        world, django_capture_on_commit_callbacks, broker_down):
    with django_capture_on_commit_callbacks(execute=True):
        run = scores_recompute_request(months=[world.r[1].month])
    run.refresh_from_db()
    assert (run.status, run.dispatched_at) == (ScoringRun.Status.QUEUED, None)
    assert scoring_runs_dispatch_pending() == 0  # still down: still pending
    app.conf.broker_url, app.conf.task_always_eager = settings.CELERY_BROKER_URL, True  # back (tasks in-process)
    assert scoring_runs_dispatch_pending() == 1
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE and run.dispatched_at is not None and run.attempts == 1
    assert HarmScore.objects.filter(area=world.s1, month=world.r[1].month, measure__code="drug-supply").exists()
    assert scoring_runs_dispatch_pending() == 0


def test_it_sends_again_a_run_dispatched_long_ago_that_never_started(db, dispatched):
    lost = ScoringRun.objects.create(dispatched_at=_ago(hours=1))
    recent = ScoringRun.objects.create(dispatched_at=_ago(seconds=5))
    assert scoring_runs_dispatch_pending() == 1
    assert dispatched == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == ScoringRun.Status.QUEUED and lost.dispatched_at is None  # until the broker takes it
    assert ScoringRun.objects.get(pk=recent.pk).dispatched_at is not None


def test_it_reclaims_a_run_whose_worker_died(db, dispatched):
    dead = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING, started_at=_ago(hours=2), attempts=1,
                                     dispatched_at=_ago(hours=2))
    busy = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING, started_at=_ago(minutes=5), attempts=1)
    assert scoring_runs_dispatch_pending() == 1
    assert dispatched == [dead.pk]
    dead.refresh_from_db()
    assert (dead.status, dead.started_at, dead.attempts) == (ScoringRun.Status.QUEUED, None, 1)
    assert ScoringRun.objects.get(pk=busy.pk).status == ScoringRun.Status.RUNNING


def test_it_gives_up_on_a_run_that_lost_its_worker_every_time(db, dispatched, settings):
    settings.SCORING_RUN_MAX_ATTEMPTS = 3
    run = ScoringRun.objects.create(status=ScoringRun.Status.RUNNING, started_at=_ago(hours=2), attempts=3)
    assert scoring_runs_dispatch_pending() == 0
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED and run.next_attempt_at is None
    assert "3 attempts" in run.error
    assert list(scoring_runs_failed()) == [run]


@pytest.mark.parametrize("attempts, seconds", [(1, 60), (2, 120), (3, 240), (4, 480)])
def test_it_backs_off_exponentially(attempts, seconds):
    assert retry_delay(attempts=attempts) == timedelta(seconds=seconds)


def test_it_retries_a_failed_run_with_back_off_up_to_the_limit(world, failing_recompute, dispatched, settings):
    settings.SCORING_RUN_MAX_ATTEMPTS = 3
    run = ScoringRun.objects.create(scope={})
    for attempt, delay in [(1, 60), (2, 120)]:
        before = timezone.now()
        assert scoring_run_execute(run_id=run.pk) is None
        run.refresh_from_db()
        assert (run.status, run.attempts, run.error) == (ScoringRun.Status.FAILED, attempt, "RuntimeError: boom")
        assert before + timedelta(seconds=delay) <= run.next_attempt_at <= timezone.now() + timedelta(seconds=delay)
        assert scoring_runs_dispatch_pending() == 0  # not due yet
        ScoringRun.objects.filter(pk=run.pk).update(next_attempt_at=_ago(seconds=1))
        assert scoring_runs_dispatch_pending() == 1
        run.refresh_from_db()
        assert (run.status, run.next_attempt_at, run.error) == (ScoringRun.Status.QUEUED, None, "")
    assert scoring_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.attempts, run.next_attempt_at) == (ScoringRun.Status.FAILED, 3, None)  # final
    assert dispatched == [run.pk, run.pk]


def test_it_does_not_retry_a_run_that_failed_for_want_of_an_active_edition(db, dispatched):
    CssEdition.objects.update(is_active=False)
    run = ScoringRun.objects.create(scope={})
    assert scoring_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.FAILED and run.next_attempt_at is None
    assert "No active CSS edition" in run.error
    assert scoring_runs_dispatch_pending() == 0 and dispatched == []


def test_it_leaves_alone_a_failure_that_a_later_full_recompute_rewrote(db, dispatched):
    failed = ScoringRun.objects.create(status=ScoringRun.Status.FAILED, scope={"months": ["2023-01-01"]},
                                       next_attempt_at=_ago(seconds=1), error="RuntimeError: boom")
    assert list(scoring_runs_failed()) == [failed]
    ScoringRun.objects.create(status=ScoringRun.Status.DONE, scope={})
    assert list(scoring_runs_failed()) == []
    assert scoring_runs_dispatch_pending() == 0
    assert ScoringRun.objects.get(pk=failed.pk).status == ScoringRun.Status.FAILED


def test_it_retries_a_failed_run_on_request_audited(db, analyst, django_capture_on_commit_callbacks):
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED, scope={}, error="RuntimeError: boom",
                                    attempts=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = scoring_run_retry(run_id=run.pk, user=analyst)
    assert (retried.status, retried.error, retried.dispatched_at) == (ScoringRun.Status.QUEUED, "", None)
    assert len(callbacks) == 1  # dispatched once committed
    event = AuditEvent.objects.get(action=AuditEvent.Action.RECOMPUTE, object_id=str(run.pk), user=analyst)
    assert event.detail == {"retry": True, "scope": {}, "error": "RuntimeError: boom"}
    # A second click finds it queued: nothing more happens.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert scoring_run_retry(run_id=run.pk, user=analyst).status == ScoringRun.Status.QUEUED
    assert callbacks == []
    assert AuditEvent.objects.filter(object_type="scoring_run", object_id=str(run.pk)).count() == 1


def test_it_answers_404_for_a_run_that_does_not_exist_or_a_user_who_may_not_retry(db, analyst, officer):
    with pytest.raises(Http404):
        scoring_run_retry(run_id=999_999, user=analyst)
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED)
    with pytest.raises(Http404):
        scoring_run_retry(run_id=run.pk, user=officer)
    assert ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.FAILED


def test_it_shows_failed_runs_to_analysts_on_the_uploads_page_with_a_retry(client, analyst,
                                                                         django_capture_on_commit_callbacks):
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED, scope={"area_ids": [1, 2],
                                    "months": ["2023-01-01", "2023-03-01"]},
                                    error="OperationalError: could not serialize access", finished_at=timezone.now())
    client.force_login(analyst)
    page = client.get("/uploads/").content.decode()
    assert "Scores could not be recomputed" in page
    assert f"Scoring run #{run.pk} (2 areas, Jan 2023 to Mar 2023) failed" in page
    assert "OperationalError: could not serialize access" in page
    assert "It is not retried automatically." in page
    assert f'action="/scoring/runs/{run.pk}/retry/"' in page and "csrfmiddlewaretoken" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/scoring/runs/{run.pk}/retry/", {"next": "/uploads/"})
    assert response.status_code == 302 and response["Location"] == "/uploads/"
    assert ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.QUEUED
    assert "Scores could not be recomputed" not in client.get("/uploads/").content.decode()


def test_it_shows_failed_runs_to_administrators(client, administrator):
    ScoringRun.objects.create(status=ScoringRun.Status.FAILED, scope={}, error="RuntimeError: boom",
                              next_attempt_at=timezone.now() + timedelta(minutes=2), attempts=1)
    client.force_login(administrator)
    page = client.get("/").content.decode()
    assert "every area and month" in page and "retried automatically after" in page and "(attempt 2)" in page


@pytest.mark.parametrize("who", ["officer", "partner_a", "governance", "outsider"])
def test_it_hides_failed_runs_from_everyone_else(client, cast, who):
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED, scope={}, error="RuntimeError: boom")
    client.force_login(cast[who])
    for path in ("/", "/uploads/"):
        assert "Scores could not be recomputed" not in client.get(path).content.decode()
    assert client.post(f"/scoring/runs/{run.pk}/retry/").status_code == 404
    assert ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.FAILED


def test_it_refuses_a_retry_by_get_and_one_for_a_missing_run(client, analyst):
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED)
    client.force_login(analyst)
    assert client.get(f"/scoring/runs/{run.pk}/retry/").status_code == 405
    assert client.post("/scoring/runs/999999/retry/").status_code == 404


def test_it_sends_an_outside_next_back_home(client, analyst, django_capture_on_commit_callbacks):
    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED)
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/scoring/runs/{run.pk}/retry/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_it_checks_the_csrf_token_of_a_retry(analyst):
    from django.test import Client

    run = ScoringRun.objects.create(status=ScoringRun.Status.FAILED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(f"/scoring/runs/{run.pk}/retry/").status_code == 403
    assert ScoringRun.objects.get(pk=run.pk).status == ScoringRun.Status.FAILED
