"""ETags: a browser revalidates a page that depends only on the scores and gets 304 while nothing changed."""
import pytest

from core.models import AuditEvent
from scoring.services import scores_recompute

PAGES = ["/sectors/", "/themes/", "/themes/firearms/", "/demand/", "/sectors/{S2}/"]


def _url(world, url):
    return url.format(S2=world.sectors["S2"].pk)


@pytest.mark.parametrize("url", PAGES)
def test_it_answers_304_to_the_etag_it_gave(world, analyst, login, url):
    client = login(analyst)
    first = client.get(_url(world, url))
    assert first.status_code == 200 and first["ETag"]
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    again = client.get(_url(world, url), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]


def test_it_gives_a_new_etag_after_a_scoring_run(world, analyst, login):
    client = login(analyst)
    first = client.get("/sectors/")
    scores_recompute()
    again = client.get("/sectors/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]


def test_it_never_gives_one_users_etag_to_another(world, analyst, officer, client):
    client.force_login(analyst)
    analysts = client.get("/sectors/")["ETag"]
    client.force_login(officer)
    response = client.get("/sectors/", HTTP_IF_NONE_MATCH=analysts)
    assert response.status_code == 200 and response["ETag"] != analysts


def test_it_depends_on_the_query(world, analyst, login):
    client = login(analyst)
    twelve = client.get("/sectors/")["ETag"]
    response = client.get("/sectors/?months=3", HTTP_IF_NONE_MATCH=twelve)
    assert response.status_code == 200 and response["ETag"] != twelve


def test_it_audits_an_area_page_revalidated(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    url = _url(world, "/sectors/{S2}/")
    etag = client.get(url)["ETag"]
    shown = AuditEvent.objects.get(object_type="area_records")
    assert shown.detail["etag"] == etag
    # session, user, permissions (2), area, the ETag's stamps (upload, run, run in progress), two audit events
    with django_assert_max_num_queries(15):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    again = AuditEvent.objects.filter(detail__not_modified=True).order_by("id")
    assert [e.object_type for e in again] == ["area_records", "area_contributing_records"]
    assert all(e.detail["etag"] == etag and e.object_id == str(world.sectors["S2"].pk) for e in again)


def test_it_does_not_audit_an_officer_without_the_sector_on_304(world, officer, login):
    client = login(officer)
    url = _url(world, "/sectors/{S2}/")
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert not AuditEvent.objects.filter(object_type__in=["area_records", "area_contributing_records"]).exists()


def test_it_gives_the_api_ranking_an_etag(world, analyst, login):
    client = login(analyst)
    first = client.get("/api/rankings/")
    assert first.status_code == 200 and first["ETag"] and "private" in first["Cache-Control"]
    assert client.get("/api/rankings/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get("/api/rankings/?months=3", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_it_refuses_before_any_etag(world, partner_a, login):
    response = login(partner_a).get("/sectors/", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404
