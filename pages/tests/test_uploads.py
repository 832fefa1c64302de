import csv
import io

import pytest
from django.urls import reverse

from conftest import PASSWORD
from core.models import AuditEvent
from ingestion.models import Upload
from ingestion.services import upload_create
from records.models import Record
from tests.factories import csv_bytes, policeuk_file, policeuk_row, uploaded

pytestmark = pytest.mark.django_db
DEATHS = csv_bytes([["reference", "date", "latitude", "longitude", "substances"],
                    ["D1", "2023-01-05", "55.0", "-1.7", "heroin;cocaine"]])


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _upload(organisation, user, data=DEATHS, kind="drug_deaths"):
    return upload_create(organisation=organisation, kind=kind, fileobj=io.BytesIO(data), original_name="d.csv",
                         user=user, dispatch=False)


@pytest.fixture
def uploads(coroner, crimestoppers, partner_a, partner_b, force, analyst):
    stoppers = csv_bytes([["reference", "date", "category"], ["C1", "2023-01-05", "drugs supply"]])
    return {"a": _upload(coroner, partner_a), "b": _upload(crimestoppers, partner_b, stoppers, "crimestoppers"),
            "force": _upload(force, analyst, policeuk_file([policeuk_row("a1")]), "policeuk")}


def _pages(upload_id):
    return [f"/uploads/{upload_id}/", f"/uploads/{upload_id}/status.json", f"/uploads/{upload_id}/report.csv",
            f"/uploads/{upload_id}/original"]


def test_it_shows_analysts_every_upload(client, analyst, uploads):
    response = _login(client, analyst).get("/uploads/")
    assert response.status_code == 200
    assert list(response.context["uploads"]) == sorted(uploads.values(), key=lambda u: u.created_at, reverse=True)
    for upload in uploads.values():
        for path in _pages(upload.pk):
            assert client.get(path).status_code == 200, path


def test_it_keeps_partners_to_their_own_uploads(client, partner_a, partner_b, uploads):
    _login(client, partner_a)
    assert list(client.get("/uploads/").context["uploads"]) == [uploads["a"]]
    for path in _pages(uploads["a"].pk):
        assert client.get(path).status_code == 200, path
    for other in (uploads["b"], uploads["force"]):
        for path in _pages(other.pk):
            assert client.get(path).status_code == 404, path
    client.logout()
    _login(client, partner_b)
    assert list(client.get("/uploads/").context["uploads"]) == [uploads["b"]]
    for path in _pages(uploads["a"].pk):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("who", ["officer", "governance", "outsider", "administrator"])
def test_it_takes_no_file_from_who_may_not_upload(client, cast, uploads, who):
    _login(client, cast[who])
    response = client.post("/uploads/new/", {"kind": "policeuk", "file": uploaded(b"x")})
    assert response.status_code == 404
    assert Upload.objects.count() == 3


def test_it_gives_404_for_a_missing_upload(client, analyst):
    assert _login(client, analyst).get("/uploads/999999/").status_code == 404


def test_it_offers_partners_only_their_kinds(client, partner_a):
    response = _login(client, partner_a).get("/uploads/new/")
    assert [k for k, _ in response.context["form"].fields["kind"].choices] == ["drug_deaths"]
    assert client.get("/uploads/templates/drug_deaths.csv").status_code == 200
    assert client.get("/uploads/templates/policeuk.csv").status_code == 404
    response = client.post("/uploads/new/", {"kind": "policeuk", "file": uploaded(policeuk_file([]))})
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert not Upload.objects.exists()


def test_it_uploads_through_the_form_and_processes(client, partner_a, django_capture_on_commit_callbacks,
                                                   monkeypatch):
    dispatched = []
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: dispatched.append(upload_id))
    _login(client, partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/uploads/new/", {"kind": "drug_deaths", "file": uploaded(DEATHS, "../../etc/x.csv")})
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/"
    assert dispatched == [upload.pk]
    assert upload.original_name == "x.csv"
    assert ".." not in upload.file.name and upload.file.name.startswith("uploads/")
    assert upload.organisation.code == "coroner" and upload.uploaded_by == partner_a
    assert AuditEvent.objects.filter(action="upload", object_id=str(upload.pk)).exists()
    # The same file again points to the earlier upload.
    response = client.post("/uploads/new/", {"kind": "drug_deaths", "file": uploaded(DEATHS, "again.csv")})
    assert response["Location"] == f"/uploads/{upload.pk}/"
    assert Upload.objects.count() == 1


def test_it_answers_413_before_reading_a_large_body(client, analyst, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    _login(client, analyst)
    response = client.post("/uploads/new/", {"kind": "policeuk", "file": uploaded(b"x" * 200_000)})
    assert response.status_code == 413
    assert b"over the limit" in response.content
    assert not Upload.objects.exists()


def test_it_answers_413_for_a_file_just_over_the_limit(client, analyst, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    _login(client, analyst)
    response = client.post("/uploads/new/", {"kind": "policeuk", "file": uploaded(b"x" * 1001)})
    assert response.status_code == 413
    assert not Upload.objects.exists()


def test_it_shows_status_errors_and_the_report(client, analyst, ingest):
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1", month="=1+1")]))
    _login(client, analyst)
    page = client.get(f"/uploads/{upload.pk}/")
    assert b"rejected" in page.content and b"is not a month" in page.content
    assert client.get(f"/uploads/{upload.pk}/status.json").json()["error_count"] == 1
    report = client.get(f"/uploads/{upload.pk}/report.csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "row,column,message"
    assert lines[1] == "2,Month,'=1+1' is not a month: use YYYY-MM"
    assert AuditEvent.objects.filter(action="export", object_id=str(upload.pk)).count() == 1
    original = client.get(f"/uploads/{upload.pk}/original")
    assert b"".join(original.streaming_content).startswith(b"Crime ID")
    assert AuditEvent.objects.filter(action="export", object_id=str(upload.pk)).count() == 2
    assert Record.objects.count() == 0


def test_it_serves_every_template(client, analyst):
    from ingestion.models import UploadKind

    _login(client, analyst)
    for kind in UploadKind.values:
        response = client.get(reverse("ingestion:template", args=[kind]))
        assert response.status_code == 200, kind
        assert response.content.decode().splitlines()[0]


def test_it_processes_a_rejected_upload_again_from_its_page(client, partner_a, partner_b, coroner, ingest,
                                                           monkeypatch, django_capture_on_commit_callbacks):
    from django.test import Client

    dispatched = []
    monkeypatch.setattr("ingestion.services.uploads.upload_dispatch", lambda upload_id: dispatched.append(upload_id))
    bad = csv_bytes([["reference", "date"], ["D1", "2023-13-05"]])
    upload = ingest("drug_deaths", bad, organisation=coroner, user=partner_a)
    assert upload.status == "rejected"
    page = _login(client, partner_a).get(f"/uploads/{upload.pk}/")
    assert b"Process again" in page.content and f"/uploads/{upload.pk}/process-again/".encode() in page.content
    # Without the CSRF token: refused, nothing changes.
    strict = Client(enforce_csrf_checks=True)
    _login(strict, partner_a).get(f"/uploads/{upload.pk}/")  # sets the CSRF cookie; the form's token is left out
    assert strict.post(f"/uploads/{upload.pk}/process-again/").status_code == 403
    assert client.get(f"/uploads/{upload.pk}/process-again/").status_code == 405
    upload.refresh_from_db()
    assert upload.status == "rejected" and dispatched == []
    # Another organisation's staff: 404, as for a missing upload.
    other = Client()
    _login(other, partner_b)
    assert other.post(f"/uploads/{upload.pk}/process-again/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/uploads/{upload.pk}/process-again/")
    assert response.status_code == 302 and response["Location"] == f"/uploads/{upload.pk}/"
    upload.refresh_from_db()
    assert (upload.status, dispatched) == ("received", [upload.pk])
    assert AuditEvent.objects.filter(action="upload", object_id=str(upload.pk), username="partner_a",
                                     detail__what="process again").count() == 1
    # Not rejected or failed any more: no button, and a second POST changes nothing.
    assert b"Process again" not in client.get(f"/uploads/{upload.pk}/").content
    assert "only a rejected or failed" in str(list(client.post(f"/uploads/{upload.pk}/process-again/",
                                                                follow=True).context["messages"])[0]).lower()
    assert dispatched == [upload.pk]


def test_it_hides_process_again_from_who_may_not_send_the_kind(client, analyst, coroner, partner_a, ingest):
    upload = ingest("drug_deaths", csv_bytes([["reference", "date"], ["D1", "2023-13-05"]]), organisation=coroner,
                    user=partner_a)
    coroner.upload_kinds = []
    coroner.save(update_fields=["upload_kinds"])
    _login(client, partner_a)
    assert b"Process again" not in client.get(f"/uploads/{upload.pk}/").content
    assert client.post(f"/uploads/{upload.pk}/process-again/").status_code == 404
    upload.refresh_from_db()
    assert upload.status == "rejected"


def test_it_writes_report_cells_a_spreadsheet_would_run_as_text(client, analyst, ingest):
    upload = ingest("policeuk", policeuk_file([policeuk_row("a1", month="=1+1")]))
    # Whatever a file makes the validator say, the report never hands a spreadsheet a formula.
    Upload.objects.filter(pk=upload.pk).update(errors=[{"row": 2, "column": "=HYPERLINK(\"x\")", "message": "+1"},
                                                       {"row": 3, "column": "@SUM(A1)", "message": "-2"}])
    _login(client, analyst)
    report = b"".join(client.get(f"/uploads/{upload.pk}/report.csv").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[1:3] == [["2", "'=HYPERLINK(\"x\")", "'+1"], ["3", "'@SUM(A1)", "'-2"]]
