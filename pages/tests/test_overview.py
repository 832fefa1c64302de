import csv
import io

import pytest

from core.models import AuditEvent


def _rows(response):
    return response.context["ranking"].rows


def test_it_ranks_sectors_by_harm(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    # one of them the areas with any record, for "no data"; the force's monthly trend and the months with data
    with django_assert_max_num_queries(27):
        response = client.get("/sectors/")
    assert response.status_code == 200
    assert [r.area_code for r in _rows(response)][:3] == ["S2", "S1", "S3"]
    html = response.content.decode()
    assert "<h1>Sectors ranked by SOC harm</h1>" in html
    assert 'id="overview-features"' in html and "leaflet" in html
    assert response.context["features"]["features"].__len__() == 4
    assert "synthetic" in html


def test_it_shows_the_overview_to_officers(world, officer, login):
    response = login(officer).get("/sectors/")
    assert response.status_code == 200
    assert _rows(response)[0].area_code == "S2"


def test_it_switches_level(world, analyst, login):
    response = login(analyst).get("/sectors/?level=3")
    assert {r.area_code for r in _rows(response)} >= {"S2N0", "S1N0"}
    assert len(response.context["features"]["features"]) == 8
    assert login(analyst).get("/sectors/?level=1").context["ranking"].rows[0].area_code == "C1"


def test_it_reranks_by_the_chosen_measures(world, analyst, login):
    response = login(analyst).get("/sectors/?measure=drug-related-deaths")
    assert _rows(response)[0].area_code == "S3"
    assert [m.code for m in response.context["ranking"].measures] == ["drug-related-deaths"]


def test_it_takes_the_window(world, analyst, login):
    response = login(analyst).get("/sectors/?months=3&end=2024-06")
    ranking = response.context["ranking"]
    assert (ranking.start.isoformat(), ranking.end.isoformat()) == ("2024-04-01", "2024-06-01")


def test_it_survives_bad_parameters(world, analyst, login):
    response = login(analyst).get("/sectors/?months=7&end=banana&level=9")
    assert response.status_code == 200
    assert response.context["ranking"].level == 2
    assert b"not understood" in response.content


def test_it_says_what_to_do_without_scores(db, analyst, login):
    response = login(analyst).get("/sectors/")
    assert response.status_code == 200
    assert b"No scores yet: upload data" in response.content


def test_it_exports_exactly_the_table(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    shown = _rows(client.get("/sectors/?months=6&measure=drug-supply&measure=cannabis-farms"))
    with django_assert_max_num_queries(14):
        response = client.get("/sectors/export.csv?months=6&measure=drug-supply&measure=cannabis-farms")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["area_code"] for r in rows] == [r.area_code for r in shown]
    assert list(rows[0])[-2:] == ["harm_drug-supply", "harm_cannabis-farms"]
    assert float(rows[0]["harm"]) == pytest.approx(shown[0].harm, abs=0.01)
    event = AuditEvent.objects.get(action="export")
    assert event.username == "analyst" and event.object_type == "ranking"
    assert event.detail["params"]["measure"] == ["drug-supply", "cannabis-farms"]
