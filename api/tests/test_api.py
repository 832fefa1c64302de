from datetime import date

import pytest

from scoring.models import CssEdition
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
    assert [row["area_code"] for row in body["results"]] == ["S2", "S1"]
    assert body["results"][0]["harm"] == 1500.0
    assert body["results"][0]["contributions"]["drug-supply"] == 1500.0
    assert body["start"] == "2022-12-01" and body["end"] == "2023-02-01"
    # Drug supply is police-generated: all of South's harm is on that side, none victim-based.
    assert body["results"][0]["harm_by_type"] == {"victim": 0.0, "police": 1500.0}
    assert body["force_harm_by_type"] == {"victim": 0.0, "police": 2000.0}


def test_it_explains_a_bad_query(client, analyst, ranked):
    client.force_login(analyst)
    response = client.get("/api/rankings/", {"months": 5, "end": "2023-13"})
    assert response.status_code == 400
    assert set(response.json()) >= {"months"}


def test_it_lists_areas_with_boundaries_on_request(client, analyst, ranked, django_assert_max_num_queries):
    client.force_login(analyst)
    with django_assert_max_num_queries(6):
        plain = client.get("/api/areas/", {"level": 2}).json()
    assert [a["code"] for a in plain["results"]] == ["S1", "S2"] and "boundary" not in plain["results"][0]
    shaped = client.get("/api/areas/", {"level": 2, "boundary": "1"}).json()
    assert shaped["results"][0]["boundary"]["type"] == "Polygon"


def test_it_maps_the_areas_as_geojson_with_their_scores_for_the_window(client, officer, governance, ranked,
                                                                        django_assert_num_queries):
    north, south = ranked
    client.force_login(officer)
    window = {"level": 2, "end": "2023-02", "months": 3}
    ranking = client.get("/api/rankings/", window).json()
    with django_assert_num_queries(6):  # as the ranking (shared, warm), and the page's boundaries
        body = client.get("/api/areas/geojson/", window).json()
    assert body["type"] == "FeatureCollection" and body["count"] == 2 and body["start"] == "2022-12-01"
    assert [(f["id"], f["properties"]["code"]) for f in body["features"]] == [(south.pk, "S2"), (north.pk, "S1")]
    first = body["features"][0]
    assert first["type"] == "Feature" and first["geometry"] == south.boundary and first["geometry"]["type"]
    row = ranking["results"][0]
    assert {k: first["properties"][k] for k in ("rank", "harm", "harm_change", "significant", "contributions")} == {
        k: row[k] for k in ("rank", "harm", "harm_change", "significant", "contributions")}
    assert first["properties"]["harm"] == 1500.0
    second = client.get("/api/areas/geojson/", {**window, "limit": 1, "offset": 1}).json()
    assert [f["id"] for f in second["features"]] == [north.pk] and "limit=1" in second["previous"]
    etag = client.get("/api/areas/geojson/", window).headers["ETag"]
    assert client.get("/api/areas/geojson/", window, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/areas/geojson/", {"months": 5}).status_code == 400
    client.force_login(governance)
    assert client.get("/api/areas/geojson/", window).status_code == 404


def test_it_publishes_an_openapi_schema(client, analyst):
    client.force_login(analyst)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/rankings/" in response.content


@pytest.fixture
def many_sectors(ranked):
    command = ranked[0].parent
    f.AreaFactory.create_batch(1200, level=Level.SECTOR, parent=command)
    return ranked


@pytest.mark.parametrize("boundary", ["0", "1"])
def test_it_pages_the_areas(client, analyst, many_sectors, boundary, django_assert_num_queries):
    client.force_login(analyst)
    for params, shown in (({}, 100), ({"limit": 5, "offset": 10}, 5), ({"limit": 5000}, 1000)):
        with django_assert_num_queries(6):  # session, user, permissions (2), count, page: whatever the page size
            body = client.get("/api/areas/", {"level": 2, "boundary": boundary, **params}).json()
        assert body["count"] == 1202 and len(body["results"]) == shown
    first = client.get("/api/areas/", {"level": 2, "limit": 5}).json()
    following = client.get(first["next"]).json()
    assert first["previous"] is None and "offset=5" in first["next"]
    codes = [a["code"] for a in first["results"] + following["results"]]
    assert codes == sorted(codes) and len(set(codes)) == 10


def test_it_pages_the_ranking_rows(client, analyst, ranked, django_assert_num_queries):
    client.force_login(analyst)
    whole = client.get("/api/rankings/", {"level": 2, "end": "2023-02"}).json()
    assert whole["count"] == 2 and whole["next"] is None and [r["rank"] for r in whole["results"]] == [1, 2]
    with django_assert_num_queries(5):  # session, user, permissions (2), the ETag's run: the ranking is shared
        second = client.get("/api/rankings/", {"level": 2, "end": "2023-02", "limit": 1, "offset": 1}).json()
    assert second["count"] == 2 and second["results"] == whole["results"][1:]
    assert second["next"] is None and "limit=1" in second["previous"]
    assert second["force_harm"] == whole["force_harm"]  # the ranking's figures are on every page
    with django_assert_num_queries(5):
        client.get("/api/rankings/", {"level": 2, "end": "2023-02", "limit": 1000})


def test_it_computes_the_ranking_once_per_scoring_run(client, analyst, officer, ranked):
    from django.core.cache import cache
    cache.clear()
    north, _ = ranked
    client.force_login(analyst)
    query = {"level": 2, "end": "2023-02"}
    computed = client.get("/api/rankings/", query).json()
    client.force_login(officer)
    assert client.get("/api/rankings/", query).json() == computed  # shared, and equal to the computation
    cache.clear()
    assert client.get("/api/rankings/", query).json() == computed
    supply = f.OffenceTypeFactory(code="92B")
    f.OffenceWeightFactory(edition=CssEdition.objects.get(is_active=True), offence_type=supply, weight=1000.0)
    f.RecordFactory(place=north, offence_type=supply, drug_supply=True, occurred_on=date(2023, 2, 20))
    scores_recompute()
    after = client.get("/api/rankings/", query).json()  # a new run: a new key, not the cached answer
    assert [r["area_code"] for r in after["results"]] == ["S1", "S2"] != [r["area_code"] for r in computed["results"]]


def test_it_generates_the_schema_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_it_lists_only_what_the_user_may_use_at_the_root(client, analyst, governance, ranked):
    client.force_login(analyst)
    index = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert sorted(index) == ["activities", "area-series", "areas", "areas-geojson", "docs", "editions", "group", "group-footprint",
                             "groups", "measures", "network", "nominal", "nominals", "pack", "packs", "rankings",
                             "records", "schema", "upload", "uploads"]
    assert all(client.get(url).status_code == 200 for url in index.values() if "{id}" not in url)
    assert index["area-series"].endswith("/api/areas/{id}/series/")
    page = client.get("/api/", HTTP_ACCEPT="text/html")
    assert page["Content-Type"].startswith("text/html")
    assert all(f'href="{url}"' in page.content.decode() for url in index.values() if "{id}" not in url)
    client.force_login(governance)  # the register only
    assert sorted(client.get("/api/", HTTP_ACCEPT="application/json").json()) == ["activities", "pack", "packs"]


def test_it_renders_the_schema_as_a_page(client, analyst):
    from drf_spectacular.generators import SchemaGenerator

    client.force_login(analyst)
    html = client.get("/api/docs/", HTTP_ACCEPT="text/html").content.decode()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method in item:
            assert f"<code>{method.upper()} {path}</code>" in html
    for name, component in schema["components"]["schemas"].items():
        assert f'id="schema-{name}"' in html
        assert all(f"<code>{field}</code>" in html for field in component.get("properties", {}))
    assert "<script" not in html.split("</main>")[0].split("<main")[1]  # no script of its own
