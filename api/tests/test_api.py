from datetime import date

import pytest

from scoring.services import scores_recompute
from sectors.models import Level
from tests import factories as f


@pytest.fixture
def ranked(db):
    edition = f.CssEditionFactory(is_active=True)
    force = f.AreaFactory(level=Level.FORCE, code="F", name="Force", parent=None)
    command = f.AreaFactory(level=Level.COMMAND, code="C", name="Command", parent=force)
    north = f.AreaFactory(level=Level.SECTOR, code="S1", name="North", parent=command)
    south = f.AreaFactory(level=Level.SECTOR, code="S2", name="South", parent=command)
    supply = f.OffenceTypeFactory(code="92A")
    f.OffenceWeightFactory(edition=edition, offence_type=supply, weight=500.0)
    for place, n in ((north, 1), (south, 3)):
        for i in range(n):
            f.RecordFactory(place=place, offence_type=supply, drug_supply=True, occurred_on=date(2023, 2, 10 + i))
    scores_recompute()
    return north, south


def test_it_refuses_anonymous_callers(client, ranked):
    assert client.get("/api/rankings/").status_code == 403


def test_it_ranks_sectors_for_an_officer(client, officer, ranked):
    client.force_login(officer)
    body = client.get("/api/rankings/", {"level": 2, "end": "2023-02", "months": 3}).json()
    assert [row["area_code"] for row in body["rows"]] == ["S2", "S1"]
    assert body["rows"][0]["harm"] == 1500.0
    assert body["rows"][0]["contributions"]["drug-supply"] == 1500.0
    assert body["start"] == "2022-12-01" and body["end"] == "2023-02-01"


def test_it_explains_a_bad_query(client, analyst, ranked):
    client.force_login(analyst)
    response = client.get("/api/rankings/", {"months": 5, "end": "2023-13"})
    assert response.status_code == 400
    assert set(response.json()) >= {"months"}


def test_it_lists_areas_with_boundaries_on_request(client, analyst, ranked, django_assert_max_num_queries):
    client.force_login(analyst)
    with django_assert_max_num_queries(6):
        plain = client.get("/api/areas/", {"level": 2}).json()
    assert [a["code"] for a in plain] == ["S1", "S2"] and "boundary" not in plain[0]
    shaped = client.get("/api/areas/", {"level": 2, "boundary": "1"}).json()
    assert shaped[0]["boundary"]["type"] == "Polygon"


def test_it_publishes_an_openapi_schema(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/rankings/" in response.content
