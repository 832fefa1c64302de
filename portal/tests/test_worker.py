import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from portal.celery import app
from portal.tasks import ping


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keep the rows migrations seed
def test_it_runs_a_task_round_trip_on_a_real_worker():
    assert settings.REDIS_URL, "the suite runs against Redis (make test sets REDIS_URL)"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
            result = ping.delay(41)
            assert result.get(timeout=20) == 42
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
