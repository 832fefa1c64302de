from datetime import date

import pytest

from core.months import months_between
from scoring.models import HarmScore
from scoring.services import scores_recompute
from sectors.models import Level
from tests import factories as f


@pytest.fixture
def sector(db):
    edition = f.CssEditionFactory(is_active=True)
    force = f.AreaFactory(level=Level.FORCE, code="F", parent=None)
    command = f.AreaFactory(level=Level.COMMAND, code="C", parent=force)
    north = f.AreaFactory(level=Level.SECTOR, code="S1", name="North", parent=command)
    south = f.AreaFactory(level=Level.SECTOR, code="S2", name="South", parent=command)
    supply = f.OffenceTypeFactory(code="92A")
    farm = f.OffenceTypeFactory(code="92C")
    f.OffenceWeightFactory(edition=edition, offence_type=supply, weight=500.0)
    f.OffenceWeightFactory(edition=edition, offence_type=farm, weight=40.0)
    f.RecordFactory(place=north, offence_type=supply, drug_supply=True, occurred_on=date(2023, 1, 10))
    f.RecordFactory(place=north, offence_type=farm, cannabis_farm=True, drug_supply=True, occurred_on=date(2023, 3, 2))
    f.RecordFactory(place=south, offence_type=supply, drug_supply=True, occurred_on=date(2023, 5, 2))
    scores_recompute()
    return north


def test_it_gives_the_area_series_month_by_month(client, officer, sector, django_assert_max_num_queries):
    client.force_login(officer)
    # Session, user, permissions (2), area, measures, span, month totals; by measure: area, measures,
    # span, cells. The same whatever the number of months.
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/areas/{sector.pk}/series/", {"by_measure": "1"}).json()
    span = HarmScore.objects.order_by("month")
    months = months_between(span.first().month, span.last().month)
    assert [r["month"] for r in body["results"]] == [m.isoformat() for m in months] and body["count"] == len(months)
    by_month = {r["month"]: r for r in body["results"]}
    assert by_month["2023-01-01"]["harm"] == 500.0 and by_month["2023-01-01"]["items"] == 1
    # The farm is drug supply too: counted once in the harm, in both measures' figures.
    march = by_month["2023-03-01"]
    assert march["harm"] == 40.0 and march["items"] == 1
    assert march["by_measure"]["drug-supply"] == {"harm": 40.0, "count": 1}
    assert march["by_measure"]["cannabis-farms"] == {"harm": 40.0, "count": 1}
    assert by_month["2023-05-01"]["harm"] == 0.0  # South's month: zero here, but a month of the series
    assert body["area_code"] == "S1"


def test_it_limits_the_series_to_the_measures_asked_for(client, analyst, sector):
    client.force_login(analyst)
    body = client.get(f"/api/areas/{sector.pk}/series/", {"measures": "cannabis-farms", "limit": 1,
                                                          "offset": 2}).json()
    assert body["measures"] == ["cannabis-farms"] and [r["month"] for r in body["results"]] == ["2023-03-01"]
    assert body["results"][0]["harm"] == 40.0 and "by_measure" not in body["results"][0]
    assert body["next"] is not None and body["previous"] is not None


def test_it_hides_a_missing_area_as_a_forbidden_one(client, officer, governance, sector):
    client.force_login(officer)
    assert client.get("/api/areas/999999/series/").status_code == 404
    client.force_login(governance)
    assert client.get(f"/api/areas/{sector.pk}/series/").status_code == 404
