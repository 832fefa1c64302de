import datetime as dt
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from ingestion.models import Upload
from ingestion.services import upload_create, upload_process
from ingestion.services.processing import Run, _claim
from records.models import Record
from tests.factories import (
    NominalFactory,
    OffenceTypeFactory,
    csv_bytes,
    grid,
    policeuk_file,
    policeuk_row,
)

pytestmark = pytest.mark.django_db


def _create(force, analyst, data):
    return upload_create(organisation=force, kind="policeuk", fileobj=io.BytesIO(data), original_name="f.csv",
                         user=analyst, dispatch=False)


def test_it_keeps_the_original_under_a_generated_name_with_its_hash(force, analyst):
    import hashlib

    data = policeuk_file([policeuk_row("a1")])
    upload = upload_create(organisation=force, kind="policeuk", fileobj=io.BytesIO(data),
                           original_name="..\\..\\windows/../evil\x00name.csv", user=analyst, dispatch=False)
    assert upload.sha256 == hashlib.sha256(data).hexdigest() and upload.size == len(data)
    assert upload.original_name == "evilname.csv"
    assert upload.file.name.startswith(f"uploads/{upload.created_at:%Y/%m}/") and "evil" not in upload.file.name
    assert upload.file.read() == data
    event = AuditEvent.objects.get(action="upload")
    assert (event.username, event.object_id, event.detail["sha256"]) == ("analyst", str(upload.pk), upload.sha256)


def test_it_returns_the_earlier_upload_for_the_same_file(force, analyst):
    data = policeuk_file([policeuk_row("a1")])
    first, second = _create(force, analyst, data), _create(force, analyst, data)
    assert first.pk == second.pk and Upload.objects.count() == 1


def test_it_refuses_a_file_over_the_limit_before_anything_else(force, analyst, settings):
    from ingestion.services import UploadTooLarge

    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadTooLarge):
        _create(force, analyst, b"x" * 11)
    assert not Upload.objects.exists() and not AuditEvent.objects.filter(action="upload").exists()


def test_it_grants_the_partner_organisation_view_on_its_upload(coroner, partner_a, partner_b):
    upload = upload_create(organisation=coroner, kind="drug_deaths", fileobj=io.BytesIO(b"reference,date\nR1,2023-01-01\n"),
                           original_name="d.csv", user=partner_a, dispatch=False)
    assert partner_a.has_perm("ingestion.view_upload", upload)
    assert not partner_b.has_perm("ingestion.view_upload", upload)


@pytest.mark.usefixtures("force_area")
def test_it_does_nothing_when_run_twice(force, analyst):
    upload = _create(force, analyst, policeuk_file([policeuk_row("a1")]))
    assert upload_process(upload_id=upload.pk).status == "applied"
    again = upload_process(upload_id=upload.pk)
    assert (again.status, again.attempts, Record.objects.count()) == ("applied", 1, 1)


@pytest.mark.usefixtures("force_area")
def test_it_leaves_a_running_upload_to_its_worker_until_the_heartbeat_is_stale(force, analyst):
    upload = _create(force, analyst, policeuk_file([policeuk_row("a1")]))
    Upload.objects.filter(pk=upload.pk).update(status="validating", heartbeat_at=timezone.now(), claim_token=None)
    assert upload_process(upload_id=upload.pk).status == "validating"
    assert not Record.objects.exists()
    # The worker died: once the heartbeat is stale the next run takes over.
    Upload.objects.filter(pk=upload.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    done = upload_process(upload_id=upload.pk)
    assert (done.status, Record.objects.count()) == ("applied", 1)


def test_it_stops_a_run_that_lost_its_claim(force, analyst):
    from ingestion.services.processing import ClaimLost

    upload = _create(force, analyst, policeuk_file([policeuk_row("a1")]))
    import uuid

    token = uuid.uuid4()
    assert _claim(upload.pk, token)
    Upload.objects.filter(pk=upload.pk).update(claim_token=uuid.uuid4())  # another run took over
    with pytest.raises(ClaimLost):
        Run(upload=upload, token=token).progress(rows_validated=1)


def test_it_requests_a_recompute_of_the_areas_and_months_it_changed(ingest, monkeypatch):
    calls = []
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kw: calls.append(kw))
    areas = grid()
    ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.7", month="2023-01"),
                                      policeuk_row("b2", lon="-1.7", month="2022-12")]))
    assert calls[-1]["area_ids"] == sorted([areas["west"].id, areas["west_n"].id, areas["command"].id])
    assert calls[-1]["months"] == [dt.date(2022, 12, 1), dt.date(2023, 1, 1)]
    assert calls[-1]["force_id"] == areas["force"].id  # the upload's force
    # a1 moves east: both its old and new areas are rescored; unchanged b2's month is not.
    ingest("policeuk", policeuk_file([policeuk_row("a1", lon="-1.5", month="2023-01"),
                                      policeuk_row("b2", lon="-1.7", month="2022-12")]), name="2.csv")
    assert set(calls[-1]["area_ids"]) == {a.id for a in areas.values()} - {areas["force"].id}
    assert calls[-1]["months"] == [dt.date(2023, 1, 1)]
    count = len(calls)
    ingest("policeuk", policeuk_file([policeuk_row("b2", lon="-1.7", month="2022-12")]), name="3.csv")
    assert len(calls) == count  # nothing changed, nothing to rescore


@pytest.mark.usefixtures("force_area")
def test_it_marks_an_unexpected_failure_and_applies_nothing(force, analyst, monkeypatch):
    upload = _create(force, analyst, policeuk_file([policeuk_row("a1")]))

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("ingestion.services.records.Stage.upsert", boom)
    done = upload_process(upload_id=upload.pk)
    assert done.status == "failed" and "disk on fire" in done.failure
    assert not Record.objects.exists()


def test_it_rescores_a_crime_whose_only_change_is_its_links(ingest, monkeypatch):
    calls = []
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request", lambda **kw: calls.append(kw))
    areas = grid()
    OffenceTypeFactory(code="92A")
    NominalFactory(ref="N001")
    NominalFactory(ref="N002")
    header = ["reference", "offence_code", "date", "latitude", "longitude", "nominals"]

    def crimes(cr1_links, name, order=1):
        rows = [["CR1", "92A", "2023-01-14", "55.0", "-1.5", cr1_links], ["CR2", "92A", "2022-11-02", "55.0", "-1.7", ""]]
        return ingest("crimes", csv_bytes([header, *rows[::order]]), name=name)

    crimes("N001:suspect", "1.csv")
    east = sorted([areas["east"].id, areas["east_n"].id, areas["command"].id])
    for links, name in [("N001:suspect;N002:offender", "added.csv"), ("N002:offender", "removed.csv"),
                        ("N002:suspect", "role.csv"), ("", "none.csv")]:
        count = len(calls)
        upload = crimes(links, name)
        assert (upload.status, upload.rows_applied, upload.rows_unchanged) == ("applied", 1, 1), name
        assert len(calls) == count + 1, name
        assert (calls[-1]["area_ids"], calls[-1]["months"]) == (east, [dt.date(2023, 1, 1)]), name
    # The same links again (in another file: rows in another order): unchanged, nothing to rescore.
    count = len(calls)
    again = crimes("", "same.csv", order=-1)
    assert (again.rows_applied, again.rows_unchanged, len(calls)) == (0, 2, count)


NOMINALS_HEADER = ["ref", "name", "born_on", "latitude", "longitude", "easting", "northing", "restricted"]


def test_it_recomputes_in_full_after_a_nominals_upload_of_people_with_no_records(ingest, analyst):
    from scoring.models import CssEdition, ScoringRun
    from scoring.tasks import recompute_scores

    grid()
    CssEdition.objects.create(code="test-css", label="Test edition", source="tests", is_active=True)
    upload = ingest("nominals", csv_bytes([NOMINALS_HEADER, ["N001", "A Person", "", "55.0", "-1.7", "", "", ""]]))
    assert upload.status == "applied", upload.errors
    run = ScoringRun.objects.get()
    assert (run.scope, run.requested_by) == ({}, analyst)  # {}: a full recompute
    recompute_scores(run.pk)  # what the worker does once the apply has committed
    run.refresh_from_db()
    assert run.status == ScoringRun.Status.DONE, run.error


def test_it_requests_a_full_recompute_only_for_register_changes_that_score(ingest, monkeypatch):
    calls = []
    monkeypatch.setattr("ingestion.services.processing.scores_recompute_request_all", lambda **kw: calls.append(kw))
    people = [NOMINALS_HEADER, ["N001", "A Person", "", "", "", "", "", ""]]
    ingest("nominals", csv_bytes(people))
    ingest("groups", csv_bytes([["ref", "name", "group_type"], ["G1", "Group one", "ocg"]]))
    ingest("memberships", csv_bytes([["nominal_ref", "group_ref", "started_on", "ended_on"],
                                     ["N001", "G1", "2021-06-01", ""]]))
    ingest("priority", csv_bytes([["nominal_ref", "started_on", "ended_on"], ["N001", "2022-01-01", ""]]))
    assert calls == [{"requested_by": calls[0]["requested_by"]}] * 4 and calls[0]["requested_by"] is not None
    # Nothing changed, or a referral (no harm of its own): no recompute.
    same = csv_bytes([NOMINALS_HEADER, ["N001", "A Person", "", "", "", "", "", "N"]])  # other bytes, same person
    assert ingest("nominals", same, name="again.csv").rows_unchanged == 1
    ingest("referrals", csv_bytes([["ref", "nominal_ref", "scheme", "referred_on", "outcome"],
                                   ["DR1", "N001", "Diversion", "2022-09-01", "completed"]]))
    assert len(calls) == 4


CRIME_HEADER = ["reference", "offence_code", "date", "latitude", "longitude", "nominals"]


def test_it_takes_the_same_bytes_again_after_a_rejection_but_not_after_an_apply(ingest):
    OffenceTypeFactory(code="92A")
    data = csv_bytes([CRIME_HEADER, ["CR1", "92A", "2023-01-14", "", "", "N001:suspect"]])
    rejected = ingest("crimes", data)
    assert rejected.status == "rejected"
    NominalFactory(ref="N001")
    again = ingest("crimes", data, name="again.csv")
    assert again.pk != rejected.pk and again.status == "applied", again.errors
    assert ingest("crimes", data, name="third.csv").pk == again.pk
    assert Upload.objects.count() == 2


def test_it_keeps_one_live_upload_per_file_in_the_database(force, analyst):
    from django.db import IntegrityError, transaction

    data = policeuk_file([policeuk_row("a1")])
    first = _create(force, analyst, data)
    Upload.objects.filter(pk=first.pk).update(status="rejected")
    second = _create(force, analyst, data)
    assert second.pk != first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Upload.objects.filter(pk=first.pk).update(status="applied")


def test_it_processes_a_rejected_crimes_file_again_once_its_nominal_exists(
        ingest, analyst, monkeypatch, django_capture_on_commit_callbacks):
    from ingestion.services import upload_reprocess

    dispatched = []
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch",
                        lambda upload_id: dispatched.append(upload_process(upload_id=upload_id)))
    OffenceTypeFactory(code="92A")
    crimes = ingest("crimes", csv_bytes([CRIME_HEADER, ["CR1", "92A", "2023-01-14", "", "", "N001:suspect"]]))
    assert crimes.status == "rejected" and "nominal 'N001' does not exist" in crimes.errors[0]["message"]
    people = ingest("nominals", csv_bytes([NOMINALS_HEADER, ["N001", "A Person", "", "", "", "", "", ""]]))
    assert people.status == "applied", people.errors
    with django_capture_on_commit_callbacks(execute=True):
        waiting = upload_reprocess(upload_id=crimes.pk, user=analyst)
        assert (waiting.status, waiting.errors, waiting.dispatched_at) == ("received", [], None)
    assert [u.pk for u in dispatched] == [crimes.pk]
    crimes.refresh_from_db()
    assert (crimes.status, crimes.rows_applied, crimes.error_count, crimes.attempts) == ("applied", 1, 0, 2)
    assert Record.objects.get().external_ref == "CR1"
    event = AuditEvent.objects.filter(action="upload", object_id=str(crimes.pk)).latest("pk")
    assert (event.username, event.detail["what"], event.detail["previous_status"]) == (
        "analyst", "process again", "rejected")


def test_it_processes_again_only_a_rejected_or_failed_upload_whose_file_no_other_upload_holds(
        ingest, analyst, monkeypatch):
    from ingestion.services import ReprocessRefused, upload_reprocess

    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: True)
    applied = ingest("policeuk", policeuk_file([policeuk_row("a1")]))
    with pytest.raises(ReprocessRefused, match="this one is applied"):
        upload_reprocess(upload_id=applied.pk, user=analyst)
    data = policeuk_file([policeuk_row("b2", month="Feb 2023")])
    rejected = ingest("policeuk", data)
    Upload.objects.filter(pk=rejected.pk).update(status="failed", failure="worker lost")
    fixed_meanwhile = _create(rejected.organisation, analyst, data)  # the same bytes, sent again
    with pytest.raises(ReprocessRefused, match=f"see upload {fixed_meanwhile.pk}"):
        upload_reprocess(upload_id=rejected.pk, user=analyst)
    rejected.refresh_from_db()
    assert rejected.status == "failed"
