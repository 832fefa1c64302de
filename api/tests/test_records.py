from datetime import date

import pytest
from django.core.cache import cache

from api.throttles import AuditedScopedRateThrottle
from core.models import AuditEvent
from records.permissions import area_records_grant
from scoring.services import scores_recompute
from sectors.models import Level
from tests import factories as f


@pytest.fixture
def sectors(db):
    cache.clear()  # the throttle's counts live in the cache
    edition = f.CssEditionFactory(is_active=True)
    force = f.AreaFactory(level=Level.FORCE, code="F", parent=None)
    command = f.AreaFactory(level=Level.COMMAND, code="C", parent=force)
    north = f.AreaFactory(level=Level.SECTOR, code="S1", parent=command)
    south = f.AreaFactory(level=Level.SECTOR, code="S2", parent=command)
    supply = f.OffenceTypeFactory(code="92A")
    theft = f.OffenceTypeFactory(code="49")
    f.OffenceWeightFactory(edition=edition, offence_type=supply, weight=500.0)
    f.OffenceWeightFactory(edition=edition, offence_type=theft, weight=20.0)
    for day in (3, 5, 7):
        f.RecordFactory(place=north, offence_type=supply, drug_supply=True, occurred_on=date(2023, 2, day),
                        external_ref=f"N{day}")
    f.RecordFactory(place=north, offence_type=theft, occurred_on=date(2023, 2, 9), external_ref="THEFT")
    f.RecordFactory(place=south, offence_type=supply, drug_supply=True, occurred_on=date(2023, 2, 4),
                    external_ref="SOUTH")
    scores_recompute()
    return force, north, south


def _get(client, **params):
    return client.get("/api/records/", {"end": "2023-02", "months": 3, **params})


def test_it_lists_an_area_s_counted_records_newest_first(client, analyst, sectors, django_assert_max_num_queries):
    _, north, _ = sectors
    client.force_login(analyst)
    with django_assert_max_num_queries(12):  # as below, without looking up the force
        body = _get(client, area=north.pk).json()
    assert [r["external_ref"] for r in body["results"]] == ["N7", "N5", "N3"]  # the theft is no SOC harm
    assert body["count"] == 3 and all(r["harm"] == r["css_weight"] == 500.0 for r in body["results"])
    assert body["start"] == "2022-12-01" and body["end"] == "2023-02-01"
    every = _get(client, area=north.pk, counted_by="all").json()
    harms = {r["external_ref"]: r["harm"] for r in every["results"]}
    assert harms == {"THEFT": 0.0, "N7": 500.0, "N5": 500.0, "N3": 500.0}


def test_it_pages_the_force_s_records_in_the_same_number_of_queries(client, analyst, sectors,
                                                                    django_assert_num_queries):
    client.force_login(analyst)
    _get(client)  # warms what is read once per process (the throttle's cache connection, content types)
    for params, shown in (({}, 4), ({"limit": 2}, 2), ({"limit": 2, "offset": 3}, 1)):
        # Session, user, permissions (2), the force, the area, measures, edition, count, page, and the
        # audit event (lock, chain head, insert): whatever the page size.
        with django_assert_num_queries(13):
            body = _get(client, **params).json()
        assert body["count"] == 4 and len(body["results"]) == shown
    assert [r["external_ref"] for r in _get(client).json()["results"]] == ["N7", "N5", "SOUTH", "N3"]


def test_it_audits_each_read_as_the_page_does(client, analyst, sectors):
    _, north, _ = sectors
    client.force_login(analyst)
    _get(client, area=north.pk, limit=2)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).latest("id")
    assert (event.object_type, event.object_id, event.user) == ("area_records", str(north.pk), analyst)
    assert event.detail["api"] and event.detail["records"] == 2 and event.detail["count"] == 3
    assert event.detail["filters"] == {"counted_by": "soc"}


def test_it_filters_as_the_page_does(client, analyst, sectors):
    client.force_login(analyst)
    body = _get(client, counted_by="all", offence="49").json()
    assert [r["external_ref"] for r in body["results"]] == ["THEFT"]
    assert _get(client, flag="cannabis_farm").json()["count"] == 0
    refused = _get(client, group=999999)
    assert refused.status_code == 400 and "group" in refused.json()  # an unknown group, as one not allowed
    assert _get(client, months=5).status_code == 400


def test_an_officer_reads_only_the_sectors_granted(client, officer, analyst, sectors):
    force, north, south = sectors
    area_records_grant(user=officer, area=north, granted_by=analyst)
    client.force_login(officer)
    assert _get(client, area=north.pk).json()["count"] == 3
    assert _get(client, area=south.pk).status_code == 404
    assert _get(client).status_code == 404  # the force as a whole is not theirs
    assert "records" in client.get("/api/", HTTP_ACCEPT="application/json").json()


def test_it_throttles_record_searches_and_audits_the_refusal(client, analyst, sectors, monkeypatch):
    # DRF reads the rates into the class when it is imported: set them where it reads them.
    rates = AuditedScopedRateThrottle.THROTTLE_RATES
    monkeypatch.setattr(AuditedScopedRateThrottle, "THROTTLE_RATES", {**rates, "records": "2/minute"})
    client.force_login(analyst)
    assert [_get(client).status_code for _ in range(3)] == [200, 200, 429]
    refusal = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, object_type="api_throttle")
    assert refusal.object_id == "records" and refusal.user == analyst and refusal.detail["status"] == 429
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="area_records").count() == 2
