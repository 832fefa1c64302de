"""From a file sent on the upload page to the figure on the sector page: validation, apply, the
recompute it requests, and the page that reads the stored scores.

Run twice: with tasks in-process (the set-up of `make run` without Redis), and on a real Celery
worker fed by Redis (the production set-up; PostgreSQL run only).
"""
import re
import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from ingestion.models import Upload
from portal.celery import app
from scoring.models import ScoringRun
from tests import factories as f
from tests.factories import csv_bytes, grid, uploaded

CRIMES = csv_bytes([
    ["reference", "offence_code", "date", "latitude", "longitude", "drug_supply", "cannabis_farm",
     "firearms_discharge", "nominals"],
    ["CR-1", "92A", "2023-01-10", "55.0", "-1.7", "Y", "N", "N", ""],   # west: drug supply, weight 120.5
    ["CR-2", "92A", "2023-01-20", "55.0", "-1.7", "Y", "N", "N", ""],   # west again
    ["CR-3", "8N", "2023-01-15", "55.0", "-1.5", "N", "N", "Y", ""],    # east: a firearms discharge, 300
])


@pytest.fixture
def weights():
    edition = f.CssEditionFactory(code="e2e", is_active=True)
    for code, weight in [("92A", 120.5), ("8N", 300.0)]:
        f.OffenceWeightFactory(edition=edition, weight=weight, offence_type=f.OffenceTypeFactory(code=code))
    return edition


def _headline_harm(client, area) -> str:
    page = client.get(f"/sectors/{area.pk}/", {"end": "2023-01", "months": 3}).content.decode()
    # The headline is a link to its records (or plain text where they may not be read).
    return re.search(r'SOC harm <span class="figure">(?:<a [^>]*>)?([^<]*)<', page).group(1)


def _send(client) -> Upload:
    response = client.post("/uploads/new/", {"kind": "crimes", "file": uploaded(CRIMES, "crimes.csv")})
    upload = Upload.objects.get()
    assert response["Location"] == f"/uploads/{upload.pk}/"
    return upload


def _check_pages(client, areas, upload_id):
    detail = client.get(f"/uploads/{upload_id}/").content.decode()
    assert "applied" in detail
    assert _headline_harm(client, areas["west"]) == "241"  # 2 x 120.5
    assert _headline_harm(client, areas["east"]) == "300"
    ranking = client.get("/sectors/", {"end": "2023-01", "months": 3}).content.decode()
    assert ranking.index(">East<") < ranking.index(">West<")  # ranked by harm


@pytest.mark.django_db
def test_it_shows_the_harm_of_a_sent_file_on_the_sector_page(client, analyst, weights,
                                                              django_capture_on_commit_callbacks):
    areas = grid()
    client.force_login(analyst)
    assert _headline_harm(client, areas["west"]) == "0"
    app.conf.task_always_eager = True  # tasks in-process, whatever the broker of this run
    try:
        with django_capture_on_commit_callbacks(execute=True):
            upload = _send(client)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    upload.refresh_from_db()
    assert (upload.status, upload.rows_applied) == ("applied", 3)
    assert ScoringRun.objects.get().status == ScoringRun.Status.DONE
    _check_pages(client, areas, upload.pk)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker thread commits
def test_it_shows_the_harm_of_a_sent_file_once_a_real_worker_has_run(client, analyst, weights):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    areas = grid()
    client.force_login(analyst)
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1):
            upload = _send(client)
            deadline = time.monotonic() + 60
            while not ScoringRun.objects.filter(status=ScoringRun.Status.DONE).exists():
                assert time.monotonic() < deadline, list(ScoringRun.objects.values("status", "error"))
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert Upload.objects.get(pk=upload.pk).status == "applied"
    assert ScoringRun.objects.get().scope["months"] == [date(2023, 1, 1).isoformat()]
    _check_pages(client, areas, upload.pk)
