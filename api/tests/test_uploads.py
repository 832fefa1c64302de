import pytest
from django.core.cache import cache
from django.test import Client

from api.services import token_create
from api.throttles import UploadThrottle
from core.models import AuditEvent
from ingestion.models import Upload
from sectors.models import Level
from tests.factories import AreaFactory, csv_bytes, policeuk_file, policeuk_row, uploaded

DEATHS = csv_bytes([["reference", "date", "latitude", "longitude", "substances"],
                    ["D1", "2023-01-05", "55.0", "-1.7", "heroin;cocaine"]])


@pytest.fixture(autouse=True)
def _no_throttle_counts(db):
    cache.clear()


def test_a_partner_sends_a_file_and_polls_it(client, partner_a, monkeypatch, django_capture_on_commit_callbacks):
    dispatched = []
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: dispatched.append(upload_id))
    client.force_login(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS, "deaths.csv")})
    upload = Upload.objects.get()
    assert response.status_code == 201 and dispatched == [upload.pk]  # queued as from the page
    body = response.json()
    assert (body["id"], body["status"], body["organisation"], body["uploaded_by"]) == (
        upload.pk, "received", "coroner", "partner_a")
    assert AuditEvent.objects.filter(action="upload", object_id=str(upload.pk)).exists()
    polled = client.get(body["url"]).json()
    assert polled["id"] == upload.pk and polled["errors"] == [] and polled["error_count"] == 0
    again = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS, "again.csv")})
    assert again.status_code == 200 and again.json()["id"] == upload.pk and Upload.objects.count() == 1


def test_it_refuses_a_kind_the_organisation_may_not_send(client, partner_a):
    client.force_login(partner_a)
    response = client.post("/api/uploads/", {"kind": "policeuk", "file": uploaded(policeuk_file([]))})
    assert response.status_code == 400 and "kind" in response.json() and not Upload.objects.exists()


def test_it_reports_the_rows_in_error_and_audits_the_view(client, analyst, ingest):
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1", month="=1+1")]))
    client.force_login(analyst)
    body = client.get(f"/api/uploads/{upload.pk}/").json()
    assert body["status"] == "rejected" and body["error_count"] == 1
    assert body["errors"] == [{"row": 2, "column": "Month", "message": "'=1+1' is not a month: use YYYY-MM"}]
    event = AuditEvent.objects.get(action="view", object_type="upload")
    assert event.object_id == str(upload.pk) and event.user == analyst and event.detail["api"]


def test_it_lists_only_the_uploads_one_may_see(client, partner_a, partner_b, django_assert_num_queries,
                                               django_capture_on_commit_callbacks):
    client.force_login(partner_a)
    for i in range(3):
        client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS + f"D{i},2023-01-0{i + 1},"
                                                                             f"55.0,-1.7,heroin\r\n".encode())})
    with django_assert_num_queries(6):  # session, user, permissions (2), count, page: whatever the uploads
        mine = client.get("/api/uploads/").json()
    assert mine["count"] == 3 and [u["id"] for u in mine["results"]] == sorted(
        Upload.objects.values_list("id", flat=True), reverse=True)
    client.force_login(partner_b)
    assert client.get("/api/uploads/").json()["count"] == 0
    assert client.get(f"/api/uploads/{mine['results'][0]['id']}/").status_code == 404


def test_it_throttles_uploads_but_not_polling(client, partner_a, monkeypatch):
    monkeypatch.setattr(UploadThrottle, "THROTTLE_RATES", {**UploadThrottle.THROTTLE_RATES, "uploads": "1/hour"})
    client.force_login(partner_a)
    assert client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS)}).status_code == 201
    assert client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS)}).status_code == 429
    assert all(client.get("/api/uploads/").status_code == 200 for _ in range(3))
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, object_type="api_throttle")
    assert refusal.object_id == "uploads" and refusal.user == partner_a


def test_the_readme_s_session_with_a_token(partner_a, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: None)
    _, key = token_create(user=partner_a)
    client = Client(enforce_csrf_checks=True)  # as curl: no session, no CSRF token, only the key
    header = {"HTTP_AUTHORIZATION": f"Token {key}"}
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS)}, **header)
    assert sent.status_code == 201
    assert client.get(sent.json()["url"], **header).json()["status"] == "received"
    assert client.get(sent.json()["url"]).status_code == 403  # the key, not a cookie, opens it


def test_it_asks_which_force_a_file_is_for_only_where_there_are_several(client, partner_a, monkeypatch):
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: None)
    north = AreaFactory(level=Level.FORCE, code="NORTH", name="North")
    client.force_login(partner_a)
    one = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(DEATHS, "deaths.csv"),
                                        "force": "ignored with one force"})
    assert one.status_code == 201 and one.json()["force"] == "NORTH"
    south = AreaFactory(level=Level.FORCE, code="SOUTH", name="South")
    other = csv_bytes([["reference", "date"], ["D2", "2023-01-06"]])
    missing = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(other, "d2.csv")})
    assert missing.status_code == 400 and "required" in missing.json()["force"][0]
    wrong = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(other, "d2.csv"), "force": "E"})
    assert wrong.status_code == 400 and wrong.json()["force"] == ["Not a force: give the code of one of the forces."]
    sector = AreaFactory(level=Level.SECTOR, code="S1", parent=None)
    not_force = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(other, "d2.csv"),
                                              "force": sector.code})
    assert not_force.status_code == 400 and "force" in not_force.json()
    assert Upload.objects.count() == 1
    named = client.post("/api/uploads/", {"kind": "drug_deaths", "file": uploaded(other, "d2.csv"), "force": "SOUTH"})
    assert named.status_code == 201 and named.json()["force"] == "SOUTH"
    assert Upload.objects.get(pk=named.json()["id"]).force_id == south.pk != north.pk
    page = client.get("/uploads/new/")
    assert page.status_code == 200 and 'name="force"' in page.content.decode()
