"""The maps' data: the area map's hexagons add up to the headline, clipped to the outline; the
overview tells "no harm" from "no data"; every map gets the context layer."""
import importlib.util
import json
from datetime import date
from pathlib import Path

import h3
import pytest
import shapely
from django.conf import settings
from django.http import Http404
from shapely.geometry import Point, Polygon, shape

from nominals.models import LinkRole, Membership, Nominal, RecordNominal
from pages.selectors import maps
from pages.selectors.maps import harm_layer
from pages.selectors.shapes import NO_DATA, NO_HARM, _light, areas_with_data
from records.models import Record, RecordKind
from records.permissions import area_records_grant
from scoring.models import CssEdition, Measure
from scoring.selectors import layers, ranking
from scoring.selectors.items import figure_total
from scoring.services import scores_recompute
from sectors.models import Area, Level
from tests.factories import square

START, END = date(2024, 1, 1), date(2024, 12, 1)


def _measures():
    return list(Measure.objects.filter(is_active=True))


def _layer(user, area, *, measures=None, edition=None, version="test"):
    return harm_layer(user=user, area=area, start=START, end=END, measures=measures or _measures(),
                      edition=edition or CssEdition.objects.get(is_active=True), version=version)


def _unlocated(world, *, nominal: bool):
    """A counted drug supply crime with no location in S2 and, if asked, an OCG member with no home."""
    sector = world.sectors["S2"]
    Record.objects.create(force=world.force, kind=RecordKind.CRIME, source="force", external_ref="NOWHERE", occurred_on=date(2024, 5, 3),
                          month=date(2024, 5, 1), sector=sector, command=sector.parent,
                          offence_type=world.offences["92A"], drug_supply=True)
    if nominal:
        homeless = Nominal.objects.create(ref="N-HOMELESS", name="No home", home_sector=sector,
                                          home_command=sector.parent)
        group = Membership.objects.first().group
        Membership.objects.create(nominal=homeless, group=group, started_on=date(2024, 11, 1))
    scores_recompute()


def test_it_adds_up_to_the_figure_of_every_area(world, analyst):
    measures = _measures()
    edition = CssEdition.objects.get(is_active=True)
    areas = [world.force, *world.commands, *world.sectors.values(), *world.neighbourhoods]
    for area in areas:
        layer = _layer(analyst, area)
        count, harm = figure_total(user=analyst, area=area, start=START, end=END, measures=measures, edition=edition)
        assert sum(h["harm"] for h in layer["hexagons"]) + layer["unlocated"]["harm"] == pytest.approx(harm), area.code
        assert sum(h["count"] for h in layer["hexagons"]) + layer["unlocated"]["count"] == count, area.code
        assert layer["total"] == {"count": count, "harm": pytest.approx(harm)}
    # ... and so to the headline of the sectors' ranking (the stored scores).
    rows = {r.area_id: r for r in ranking(user=analyst, level=Level.SECTOR, end_month=END, months=12).rows}
    s2 = _layer(analyst, world.sectors["S2"])
    assert s2["total"]["harm"] == pytest.approx(rows[world.sectors["S2"].pk].harm)
    assert s2["total"]["count"] == rows[world.sectors["S2"].pk].count
    # The OCG members' months are in S2's hexagons: 2 nominals x 12 months, at their homes.
    assert s2["located"]["nominal_months"] == 24 and s2["located"]["records"] == 23


def test_it_follows_the_selection_of_measures(world, analyst):
    supply = list(Measure.objects.filter(code="drug-supply"))
    layer = _layer(analyst, world.sectors["S2"], measures=supply)
    assert layer["located"] == {"count": 20, "harm": pytest.approx(20 * 512.96), "records": 20, "nominal_months": 0}
    assert {h["top_offence"] for h in layer["hexagons"]} == {"92A Trafficking in controlled drugs"}


def test_it_states_the_items_with_no_location(world, analyst, login):
    _unlocated(world, nominal=True)
    layer = _layer(analyst, world.sectors["S2"])
    assert layer["unlocated"] == {"count": 3, "harm": pytest.approx(512.96 + 2 * _ocg_weight()), "records": 1,
                                  "nominal_months": 2}
    html = login(analyst).get(f"/sectors/{world.sectors['S2'].pk}/?end=2024-12&months=12").content.decode()
    assert "3 items with no location are not on the map" in html
    row = next(r for r in ranking(user=analyst, level=Level.SECTOR, end_month=END, months=12).rows
               if r.area_id == world.sectors["S2"].pk)
    page_layer = json.loads(html.split('id="records-layer" type="application/json">')[1].split("</script>")[0])
    assert sum(h["harm"] for h in page_layer["hexagons"]) + page_layer["unlocated"]["harm"] == pytest.approx(row.harm)


def _ocg_weight() -> float:
    return float(Measure.objects.get(code="ocg-priority-nominals").fixed_weight)


def test_it_clips_hexagons_to_the_outline_and_keeps_their_harm(world, analyst, monkeypatch):
    sector = world.sectors["S2"]
    # A record placed in S2 at ingest whose point lies a kilometre outside the drawn outline.
    away = Point(sector.min_lon + 0.05, sector.max_lat + 0.01)
    Record.objects.create(force=world.force, kind=RecordKind.CRIME, source="force", external_ref="EDGE", occurred_on=date(2024, 6, 2),
                          month=date(2024, 6, 1), lat=away.y, lon=away.x, sector=sector, command=sector.parent,
                          offence_type=world.offences["92A"], drug_supply=True)
    scores_recompute()  # as an upload's run would: the layer is stored by the run
    outline = shape(_light(sector.boundary)).buffer(1e-5)
    clipped = _layer(analyst, sector)
    monkeypatch.setattr(maps, "_clipped", lambda cell, outline: Polygon(
        [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]))
    whole = _layer(analyst, sector, version="unclipped")
    assert [h["harm"] for h in clipped["hexagons"]] == [h["harm"] for h in whole["hexagons"]]
    assert clipped["total"] == whole["total"] and clipped["total"]["count"] == 23 + 1 + 24

    def polygon(h):
        return shapely.MultiPolygon([Polygon(rings[0], rings[1:]) for rings in
                                     [[[(lon, lat) for lat, lon in ring] for ring in p] for p in h["rings"]]])

    kept = [h for h in clipped["hexagons"] if polygon(h).contains(away)]
    assert len(kept) == 1 and kept[0]["harm"] == pytest.approx(512.96)  # out of reach: kept whole, with its harm
    assert all(outline.contains(polygon(h)) for h in clipped["hexagons"] if h is not kept[0])
    assert sum(not outline.contains(polygon(h)) for h in whole["hexagons"]) > 1  # there was something to cut


def test_it_describes_hexagons_in_words_never_by_their_h3_id(world, analyst):
    layer = _layer(analyst, world.sectors["S2"])
    texts = [v for h in layer["hexagons"] for v in h.values() if isinstance(v, str)]
    assert texts and not any(h3.is_valid_cell(t) for t in texts)
    assert set(layer["hexagons"][0]) == {"rings", "harm", "count", "records", "nominal_months", "top_offence", "colour"}
    assert [h["harm"] for h in layer["hexagons"]] == sorted((h["harm"] for h in layer["hexagons"]), reverse=True)
    assert {c["colour"] for c in layer["classes"]} >= {h["colour"] for h in layer["hexagons"]}


def test_it_offers_points_only_for_few_records(world, analyst, monkeypatch):
    layer = _layer(analyst, world.sectors["S2"])
    assert len(layer["points"]) == layer["located"]["records"] == 23
    assert {p["ref"] for p in layer["points"]} <= {r.external_ref for r in world.records}
    monkeypatch.setattr(layers, "POINT_LIMIT", 5)
    scores_recompute()  # the run stores the layer
    assert _layer(analyst, world.sectors["S2"], version="few")["points"] is None


def test_it_is_computed_once_then_cached(world, analyst, django_assert_max_num_queries):
    measures, edition = _measures(), CssEdition.objects.get(is_active=True)
    with django_assert_max_num_queries(8):  # permissions 2, grid 1, points 1, nominal_months 4
        first = _layer(analyst, world.sectors["S2"], measures=measures, edition=edition, version="v1")
    with django_assert_max_num_queries(0):
        assert _layer(analyst, world.sectors["S2"], measures=measures, edition=edition, version="v1") == first


def test_it_is_only_for_users_granted_the_records(world, officer):
    with pytest.raises(Http404):
        _layer(officer, world.sectors["S2"])


def test_it_places_nominal_months_only_for_those_who_may_read_nominals(world, analyst, officer, administrator):
    sector = world.sectors["S2"]
    area_records_grant(user=officer, area=sector, granted_by=administrator)
    seen, told = _layer(analyst, sector), _layer(officer, sector, version="officer")
    assert seen["located"]["nominal_months"] == 24 and seen["unplaced"]["count"] == 0
    assert told["located"]["nominal_months"] == 0 and told["unplaced"] == {"count": 24,
                                                                          "harm": pytest.approx(24 * _ocg_weight())}
    assert told["total"] == seen["total"]  # the numbers still add up to the headline
    assert not any(h["nominal_months"] for h in told["hexagons"])


def test_the_overview_tells_no_harm_from_no_data(world, analyst, login):
    quiet = Area.objects.create(level=Level.SECTOR, code="S5", name="Quiet sector", parent=world.commands[0],
                                boundary=square(-1.4, 55.0, 0.1, 0.1), label_lat=55.05, label_lon=-1.35)
    empty = Area.objects.create(level=Level.SECTOR, code="S6", name="Empty sector", parent=world.commands[0],
                                boundary=square(-1.3, 55.0, 0.1, 0.1), label_lat=55.05, label_lon=-1.25)
    # Recorded there, counted by no measure: an assault with no flag, linked to nobody.
    Record.objects.create(force=world.force, kind=RecordKind.CRIME, source="force", external_ref="QUIET", occurred_on=date(2024, 4, 4),
                          month=date(2024, 4, 1), lat=55.05, lon=-1.35, sector=quiet, command=quiet.parent,
                          offence_type=world.offences["8N"])
    scores_recompute()
    assert areas_with_data(level=Level.SECTOR, start=START, end=END) == {*(s.pk for s in world.sectors.values()),
                                                                        quiet.pk}
    response = login(analyst).get("/sectors/?end=2024-12&months=12")
    features = {f["properties"]["code"]: f["properties"] for f in response.context["features"]["features"]}
    assert (features["S5"]["state"], features["S5"]["colour"]) == ("none", NO_HARM)
    assert (features["S6"]["state"], features["S6"]["colour"]) == ("nodata", NO_DATA)
    assert features["S2"]["state"] == "harm" and features["S2"]["colour"] not in (NO_HARM, NO_DATA)
    assert features["S2"]["label"] == [world.sectors["S2"].label_lat, world.sectors["S2"].label_lon]
    html = response.content.decode()
    assert "no harm</li>" in html and "no data</li>" in html
    assert features["S6"]["id"] == empty.pk


@pytest.mark.parametrize("path", ["/sectors/", "/sectors/{s2}/", "/themes/drug-supply/"])
def test_every_map_gets_the_context_layer(world, analyst, login, path):
    html = login(analyst).get(path.format(s2=world.sectors["S2"].pk)).content.decode()
    options = json.loads(html.split('-options" type="application/json">')[1].split("</script>")[0])
    assert options["context"] == settings.STATIC_URL + "sectors/context.json"


def test_the_context_layer_is_built_from_the_shipped_data():
    spec = importlib.util.spec_from_file_location("build", Path(settings.BASE_DIR) / "data" / "context" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = Path(settings.BASE_DIR) / "static" / "sectors" / "context.json"
    assert shipped.read_text(encoding="utf-8") == build.text()  # rebuilt: python data/context/build.py
    layer = json.loads(shipped.read_text(encoding="utf-8"))
    names = {f["properties"]["name"] for f in layer["outlines"]["features"]}
    assert {"Newcastle upon Tyne", "Gateshead", "North Tyneside", "South Tyneside", "Sunderland",
            "Northumberland"} <= names
    land = shapely.union_all([shape(f["geometry"]).buffer(0.01) for f in layer["outlines"]["features"]])
    assert layer["places"] and all(land.contains(Point(p["lon"], p["lat"])) for p in layer["places"])
    assert layer["places"][0]["name"] == "Newcastle upon Tyne"  # largest first: labelled first


def _link_to_group(world, n: int = 3) -> Nominal:
    """Links the first n S2 crimes of 2024 to nominal N0, a member of the test OCG, as offender."""
    member = Nominal.objects.get(ref="N0")
    crimes = [r for r in world.records if r.sector_id == world.sectors["S2"].pk and r.kind == RecordKind.CRIME
              and r.month.year == 2024][:n]
    RecordNominal.objects.bulk_create([RecordNominal(record=r, force_id=r.force_id, nominal=member, role=LinkRole.OFFENDER)
                                       for r in crimes])
    return member


def test_the_group_page_maps_its_footprint(world, analyst, login):
    _link_to_group(world)
    group = Membership.objects.first().group
    response = login(analyst).get(f"/nominals/groups/{group.pk}/")
    features = response.context["footprint_map"]["features"]["features"]
    assert [f["properties"]["code"] for f in features] == ["S2"]
    assert features[0]["properties"]["harm"] == pytest.approx(3 * 512.96, abs=0.1)
    html = response.content.decode()
    assert 'id="group-map"' in html and 'id="group-features"' in html
    assert json.loads(html.split('id="group-map-options" type="application/json">')[1].split("</script>")[0])[
        "context"] == settings.STATIC_URL + "sectors/context.json"


def test_a_group_without_located_crimes_maps_only_its_members_homes(world, analyst, login):
    group = Membership.objects.first().group
    client = login(analyst)
    drawn = client.get(f"/nominals/groups/{group.pk}/").context["footprint_map"]
    homes = {m.nominal.home_sector_id for m in group.memberships.select_related("nominal")} - {None}
    assert homes and {f["properties"]["id"] for f in drawn["features"]["features"]} == homes
    assert all(f["properties"]["state"] != "harm" and f["properties"]["home"] for f in drawn["features"]["features"])
    assert drawn["points"] == []
    Nominal.objects.filter(memberships__group=group).update(home_sector=None)
    response = client.get(f"/nominals/groups/{group.pk}/")
    assert response.context["footprint_map"] is None and b'id="group-map"' not in response.content
