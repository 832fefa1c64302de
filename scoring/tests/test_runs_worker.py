"""A recompute is never lost: the broker is stopped between an upload's apply and its recompute request.

The broker is a Redis server of the test's own, killed after the first upload's scores are stored.
The next uploads apply and commit; their recompute requests cannot be sent, so the runs stay queued
and undispatched. Once the same broker is started again, the periodic sweep runs on a real worker and
sends them; afterwards the stored scores equal a fresh full recompute, with no manual step.
"""
import io
import shutil
import socket
import subprocess
import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from core.models import Organisation
from ingestion.services import upload_create, upload_process
from portal.celery import app
from scoring.models import HarmScore, ScoringRun, TotalScore
from scoring.services import scores_recompute, scoring_runs_dispatch_pending
from scoring.tasks import dispatch_pending
from tests import factories as f
from tests.factories import grid, policeuk_file, policeuk_row

UNFINISHED = [ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING]


class Broker:
    """A redis-server process of the test's own, on a free port, that can be killed and started again."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen([shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self):
        self.process.kill()
        self.process.wait()


@pytest.fixture
def real_broker():
    if not settings.REDIS_URL or not shutil.which("redis-server"):
        pytest.skip("needs Redis (REDIS_URL and redis-server)")
    broker = Broker()
    broker.start()
    app.conf.broker_url, app.conf.task_always_eager = broker.url, False
    yield broker
    if broker.process.poll() is None:
        broker.kill()
    app.conf.broker_url, app.conf.task_always_eager = settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER


def _stored() -> tuple[dict, dict]:
    """Every stored cell and total, without the run that wrote it (floats to 9 places: summing order)."""
    cells = {(h.area_id, h.month, h.measure_id): (h.edition_id, h.count, round(h.harm, 9), round(h.harm_sq, 9),
                                                   round(h.max_item_harm, 9))
             for h in HarmScore.objects.all()}
    totals = {(t.area_id, t.month, t.measures, t.item_type): (t.edition_id, t.count, t.css_count,
                                                               round(t.css_harm, 9), round(t.css_harm_sq, 9),
                                                               round(t.css_max, 9))
              for t in TotalScore.objects.all()}
    return cells, totals


def _apply(analyst, rows) -> None:
    upload = upload_create(organisation=Organisation.objects.get(code="force"), kind="policeuk", user=analyst,
                           original_name="street.csv", fileobj=io.BytesIO(policeuk_file(rows)), dispatch=False)
    assert upload_process(upload_id=upload.pk).status == "applied"


def _wait_until_finished(timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while ScoringRun.objects.filter(status__in=UNFINISHED).exists():
        assert time.monotonic() < deadline, list(ScoringRun.objects.values("id", "status", "error"))
        time.sleep(0.2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker thread commits; keep the seed rows
def test_it_loses_no_recompute_when_the_broker_drops_between_apply_and_request(real_broker, analyst, settings):
    # The killed broker also loses the message of the first upload's run, sent before it died: the
    # sweep sends such a run again once it has waited this long (10 minutes in production).
    settings.SCORING_DISPATCH_STALE_SECONDS = 0
    areas = grid()
    edition = f.CssEditionFactory(code="worker-css", is_active=True)
    for crime_type, weight in [("Burglary", 50.0), ("Robbery", 400.0)]:
        f.OffenceWeightFactory(edition=edition, weight=weight, offence_type=f.OffenceTypeFactory(
            code=f"PUK-{crime_type}", policeuk_crime_type=crime_type, is_approximation=True))
    west, east = ("-1.7", "55.0"), ("-1.5", "55.0")
    # Before the outage: two crimes, scored in full.
    _apply(analyst, [policeuk_row("a1", *west, month="2023-01"), policeuk_row("b2", *east, month="2023-02")])
    baseline = scores_recompute()

    real_broker.kill()
    # The uploads apply and commit; their recompute requests cannot reach the stopped broker.
    _apply(analyst, [policeuk_row("c3", *west, month="2023-03", crime_type="Robbery")])
    _apply(analyst, [policeuk_row("a1", *east, month="2023-02", crime_type="Robbery"),  # a1 moved and changed
                     policeuk_row("b2", *east, month="2023-02")])
    stranded = list(ScoringRun.objects.filter(pk__gt=baseline.pk))
    assert len(stranded) == 2 and all((run.status, run.dispatched_at) == ("queued", None) for run in stranded)
    assert scoring_runs_dispatch_pending() == 0  # the sweep cannot send them either, and keeps them

    real_broker.start()  # the same broker, back (empty: it kept nothing)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
        with app.connection_for_write() as connection:  # what beat sends every 30 seconds
            dispatch_pending.apply_async(connection=connection)
        _wait_until_finished()
    runs = ScoringRun.objects.filter(pk__in=[run.pk for run in stranded])
    assert all(run.status == ScoringRun.Status.DONE and run.dispatched_at for run in runs), \
        list(runs.values("id", "status", "error"))

    # East in February: a1, moved there as a robbery (400), and b2, a burglary (50).
    assert HarmScore.objects.get(area=areas["east"], month=date(2023, 2, 1), measure__code="all-crime-policeuk",
                                 edition=edition).harm == 450.0
    stored = _stored()
    scores_recompute()  # a fresh full recompute rewrites every cell: it must find nothing to change
    assert _stored() == stored
