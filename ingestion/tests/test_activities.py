"""The activities upload kind: validated row by row, applied all or nothing, the same ref updating."""
import pytest

from core.models import AuditEvent, Organisation
from ingestion.models import Upload
from tasking.models import Activity
from tests.factories import csv_bytes
from tests.world import build_world

pytestmark = pytest.mark.django_db
HEADER = ["ref", "kind", "title", "started_on", "ended_on", "organisation", "sectors", "lat", "lon", "groups",
          "nominals", "notes"]


@pytest.fixture
def world(db):
    return build_world(scores=False)


def _file(*rows):
    return csv_bytes([HEADER, *rows])


def test_it_creates_activities_then_updates_by_ref(world, ingest):
    upload = ingest("activities", _file(
        ["OP-1", "operation", "Operation One", "2024-03-01", "2024-03-31", "force", "S1;S2", "", "", "G1", "N0", ""],
        ["TS-1", "trading_standards", "Visits", "2024-05-02", "", "tradingstandards", "", "54.95", "-1.5", "", "",
         "shops"]))
    assert upload.status == Upload.Status.APPLIED, upload.errors
    one = Activity.objects.get(ref="OP-1")
    assert sorted(a.code for a in one.areas.all()) == ["S1", "S2"]
    assert [g.ref for g in one.groups.all()] == ["G1"] and [n.ref for n in one.nominals.all()] == ["N0"]
    visit = Activity.objects.get(ref="TS-1")
    assert [a.code for a in visit.areas.all()] == ["S4"] and visit.ended_on == visit.started_on
    assert visit.upload_id == upload.pk
    again = ingest("activities", _file(
        ["OP-1", "warrant", "Operation One, warrants", "2024-03-01", "2024-03-02", "force", "S3", "", "", "", "", ""]))
    assert again.status == Upload.Status.APPLIED and again.rows_applied == 1
    one.refresh_from_db()
    assert (one.kind, [a.code for a in one.areas.all()], one.groups.count()) == ("warrant", ["S3"], 0)
    assert Activity.objects.count() == 2


def test_a_bad_row_rejects_the_whole_file_with_a_report(world, ingest):
    upload = ingest("activities", _file(
        ["OP-1", "operation", "Fine", "2024-03-01", "", "force", "S1", "", "", "", "", ""],
        ["OP-2", "party", "Bad kind", "2024-03-01", "", "force", "S9", "", "", "G9", "", ""],
        ["OP-3", "arrest", "Outside", "2024-03-01", "2024-02-01", "force", "", "51.5", "-0.1", "", "", ""]))
    assert upload.status == Upload.Status.REJECTED
    found = {(e["row"], e["column"]) for e in upload.errors}
    assert {(3, "kind"), (4, "ended_on"), (4, "lat")} <= found
    assert not Activity.objects.exists()


def test_trading_standards_may_upload_only_its_own_activities(world, ingest, analyst):
    ts = Organisation.objects.get(code="tradingstandards")
    assert "activities" in ts.upload_kinds
    upload = ingest("activities", _file(
        ["TS-1", "trading_standards", "Visits", "2024-05-02", "", "force", "S1", "", "", "", "", ""]),
        organisation=ts)
    assert upload.status == Upload.Status.REJECTED
    assert upload.errors[0]["column"] == "organisation"
    upload = ingest("activities", _file(
        ["TS-1", "trading_standards", "Visits", "2024-05-02", "", "", "S1", "", "", "", "", ""]), organisation=ts)
    assert upload.status == Upload.Status.APPLIED
    assert Activity.objects.get(ref="TS-1").organisation == ts
    assert AuditEvent.objects.filter(object_type="activity", detail__upload=upload.pk).count() == 1
