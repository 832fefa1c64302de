import csv
import io
import json
import re

import pytest

from core.models import AuditEvent
from pages.selectors import records as records_selectors
from records.permissions import area_records_grant
from scoring.selectors import ranking
from sectors.models import Level


def _url(world, code="S2", suffix=""):
    return f"/sectors/{world.sectors[code].pk}/{suffix}"


def test_it_shows_an_area_with_its_records(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    # Cold caches. The contributing items and the map layer's cells are the scoring run's (one query
    # each, scoring.models.AreaView); the records list its count and harm by month (one query of the
    # stored totals, pages.selectors.records.listed_months), the page's rows (read from the months
    # holding them) and its nominal-months (four queries, scoring.selectors.items). Each of
    # the two audit events costs three (the audit chain's lock, its head, the insert). The ranking
    # comes with the overview it is cached with, the force's monthly trend included; the ETag's and
    # the caches' stamps (latest upload, scoring run, run in progress) are read once per request.
    # The activities on the area: the area tree and the activities (two). Its open tasking actions (one;
    # a second for their linked activities when there are any).
    with django_assert_max_num_queries(46):
        response = client.get(_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sector 2" in html and "<title>Sector 2" in html
    assert response.context["row"].rank == 1
    # By default the records counted in the SOC harm: the 2024 crimes (its Crimestoppers reports count in no measure).
    assert response.context["records"].paginator.count == 23
    assert re.search(rb"\bR\d{5}\b", response.content)  # what the officer without the grant must not see
    assert response.context["listed"]["count"] == response.context["row"].count
    assert response.context["listed"]["harm"] == pytest.approx(response.context["row"].harm)
    assert len(response.context["layer"]["points"]) == 23  # the counted records, all located
    assert response.context["top"][0].harm > 0
    assert "<svg" in html and "Test OCG" in html and "Nominal 0" in html
    assert AuditEvent.objects.filter(action="view", object_type="area_records", username="analyst").count() == 1
    # Again: contributing items, map layer, series, groups and the records page come from the cache;
    # the audit events are still written (three queries each); the open actions are read again (one).
    with django_assert_max_num_queries(20):
        again = client.get(_url(world))
    assert [i.id for i in again.context["top"]] == [i.id for i in response.context["top"]]
    assert again.context["layer"] == response.context["layer"]
    assert again.context["records"].paginator.count == 23
    assert [r.pk for r in again.context["records"]] == [r.pk for r in response.context["records"]]
    assert AuditEvent.objects.filter(action="view", object_type="area_records", username="analyst").count() == 2
    assert AuditEvent.objects.filter(action="view", object_type="area_contributing_records").count() == 2


def test_it_keeps_records_from_an_officer_without_the_sector(world, officer, login):
    client = login(officer)
    response = client.get(_url(world))
    assert response.status_code == 200
    assert response.context["records"] is None and "layer" not in response.context
    # No record reference (R00001...) as a word: a CSRF token may hold "R0" inside it.
    assert not re.search(rb"\bR\d{5}\b", response.content) and b"Test OCG" not in response.content
    assert client.get(_url(world, suffix="records.csv")).status_code == 404
    assert client.get(_url(world, suffix="records.geojson")).status_code == 404
    assert not AuditEvent.objects.filter(action__in=["view", "export"]).exists()


def test_it_shows_records_to_an_officer_granted_the_sector(world, officer, administrator, login):
    area_records_grant(user=officer, area=world.sectors["S2"], granted_by=administrator)
    client = login(officer)
    response = client.get(_url(world))
    assert response.context["records"].paginator.count == 23
    assert response.context["groups"] is None  # groups and nominals: analysts only
    assert client.get(_url(world, "S1")).context["records"] is None
    assert client.get(_url(world, suffix="records.csv")).status_code == 200


def test_it_answers_404_for_a_missing_area(world, analyst, login):
    assert login(analyst).get("/sectors/999999/").status_code == 404


def test_it_filters_and_pages_records(world, analyst, login):
    client = login(analyst)
    response = client.get(_url(world) + "?counted_by=all&kind=crimestoppers")
    assert response.context["records"].paginator.count == 2
    response = client.get(_url(world) + "?offence=92A&month=2024-03")
    assert {r.month.isoformat() for r in response.context["records"]} == {"2024-03-01"}
    response = client.get(_url(world) + "?page=2")
    assert response.context["records"].number == 1  # 25 records: one page
    response = client.get(_url(world, "S1") + "?months=12")
    assert response.context["records"].paginator.count == 14


def test_the_cached_records_table_follows_the_filters(world, analyst, login):
    client = login(analyst)
    everything = client.get(_url(world) + "?counted_by=all")
    filtered = client.get(_url(world) + "?counted_by=all&kind=crimestoppers")
    shown = [r.external_ref for r in filtered.context["records"]]
    hidden = [r.external_ref for r in everything.context["records"] if r.external_ref not in shown]
    assert len(shown) == 2 and hidden
    body = filtered.content.decode().split('id="records-h"')[1]
    assert all(ref in body for ref in shown) and not any(f">{ref}{end}" in body for ref in hidden for end in "< ")


def test_it_exports_records_as_csv(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(12):  # 3 of them the audit event
        response = client.get(_url(world, suffix="records.csv") + "?kind=crime")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 23
    assert {r["sector"] for r in rows} == {"S2"}
    assert float(rows[0]["css_weight"]) == pytest.approx(512.96)
    assert float(rows[0]["harm"]) == pytest.approx(512.96)
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.object_id, event.detail["format"]) == ("area_records", str(world.sectors["S2"].pk), "csv")


def test_it_exports_records_as_geojson(world, analyst, login, django_assert_max_num_queries):
    client = login(analyst)
    with django_assert_max_num_queries(12):  # 3 of them the audit event
        response = client.get(_url(world, suffix="records.geojson"))
        data = json.loads(b"".join(response.streaming_content))
    assert response["Content-Type"] == "application/geo+json"
    assert len(data["features"]) == 23  # counted in the SOC harm, as the list
    assert data["features"][0]["geometry"]["type"] == "Point"
    assert AuditEvent.objects.filter(action="export", detail__format="geojson").count() == 1


def test_it_shows_the_harm_of_an_area_of_every_level(world, analyst, login):
    client = login(analyst)
    for area in [world.force, world.commands[0], world.sectors["S2"], world.neighbourhoods[0]]:
        response = client.get(f"/sectors/{area.pk}/")
        expected = ranking(user=analyst, level=area.level)
        row = next(r for r in expected.rows if r.area_id == area.pk)
        assert row.harm > 0, area
        assert response.context["row"].harm == row.harm, area
        headline = f'title="The {row.count} items behind this figure">{row.harm:,.0f}</a>'
        assert headline in response.content.decode(), area
        assert "No scores yet" not in response.content.decode(), area
    force = ranking(user=analyst, level=Level.FORCE).rows[0].harm
    commands = ranking(user=analyst, level=Level.COMMAND).rows
    assert force == pytest.approx(sum(r.harm for r in commands))  # every record of the test world is in a command


def test_it_caps_the_record_count(world, analyst, login, monkeypatch):
    monkeypatch.setattr(records_selectors, "COUNT_CAP", 10)
    response = login(analyst).get(_url(world))
    assert response.context["records"].paginator.count == 10 and response.context["records_capped"]
    assert "more than 10 records" in response.content.decode()


def test_an_area_page_reads_its_row_of_the_shared_ranking_not_the_ranking(world, analyst, login):
    """The sector page's headline is the overview's row for the sector, read on its own: the same
    figures whether the overview computed the ranking first, the row was evicted alone, or neither."""
    from django.core.cache import cache

    from pages.selectors.overview import overview_key
    from scoring.selectors.drilldown import scores_version
    from sectors.models import Area, Level

    s1 = Area.objects.get(code="S1")
    client = login(analyst)
    overview_row = next(r for r in client.get("/sectors/").context["ranking"].rows if r.area_code == "S1")
    first = client.get(f"/sectors/{s1.pk}/").context
    assert first["row"] == overview_row and first["of"] == 4 and first["ranking"].rows == []
    ranking_key = overview_key(Level.SECTOR, None, 12, None, scores_version())
    assert cache.get(f"{ranking_key}:row:{s1.pk}") == overview_row
    cache.delete_many([f"{ranking_key}:row:{a}" for a in Area.objects.values_list("pk", flat=True)])  # rows alone
    evicted = client.get(f"/sectors/{s1.pk}/?months=12").context
    assert evicted["row"] == overview_row and evicted["of"] == 4
    cache.clear()
    cold = client.get(f"/sectors/{s1.pk}/?months=12").context
    assert cold["row"] == overview_row and cold["of"] == 4
