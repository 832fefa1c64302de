"""The real broker: a worker processes an upload end to end; the outbox survives Redis being down."""
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from ingestion.models import Upload
from ingestion.services import upload_create, uploads_dispatch_pending
from portal.celery import app
from records.models import Record
from tests.factories import grid, policeuk_file, policeuk_row

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def real_broker():
    assert settings.REDIS_URL, "these tests need Redis (REDIS_URL)"
    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def _wait_for(upload_id, statuses=("applied", "rejected", "failed"), timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        upload = Upload.objects.get(pk=upload_id)
        if upload.status in statuses:
            return upload
        time.sleep(0.2)
    raise AssertionError(f"upload {upload_id} still {upload.status}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker thread commits; keep the seed rows
def test_it_processes_an_upload_on_a_real_worker(real_broker, force, analyst):
    grid()
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
        # Autocommit: on_commit runs at once and the task goes through Redis to the worker.
        upload = upload_create(organisation=force, kind="policeuk", user=analyst, original_name="f.csv",
                               fileobj=io.BytesIO(policeuk_file([policeuk_row("a1"), policeuk_row("b2")])))
        done = _wait_for(upload.pk)
    assert done.status == "applied", (done.errors, done.failure)
    assert done.dispatched_at is not None and done.rows_applied == 2
    assert Record.objects.filter(upload=done, sector__code="W").count() == 2


@pytest.mark.worker
def test_it_keeps_uploads_in_the_outbox_while_redis_is_down(db, real_broker, force, analyst,
                                                           django_capture_on_commit_callbacks):
    original = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT_BROKER
    try:
        with django_capture_on_commit_callbacks(execute=True):
            upload = upload_create(organisation=force, kind="policeuk", user=analyst, original_name="f.csv",
                                   fileobj=io.BytesIO(policeuk_file([policeuk_row("a1")])))
        upload.refresh_from_db()
        assert (upload.status, upload.dispatched_at) == ("received", None)
        assert uploads_dispatch_pending() == 0  # still down: still pending
        assert Upload.objects.get(pk=upload.pk).dispatched_at is None
    finally:
        app.conf.broker_url = original
    # Redis is back: the periodic task sends it.
    from ingestion.tasks import dispatch_pending

    assert dispatch_pending() == 1
    assert Upload.objects.get(pk=upload.pk).dispatched_at is not None
    assert dispatch_pending() == 0
    app.control.purge()
