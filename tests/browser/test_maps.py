"""Maps that read at a glance, in a real browser with no map tiles: the sector's hexagons add up to
its headline, the overview tells "no harm" from "no data", the context layer is drawn, and a
ranking row and its area highlight each other."""
import re
from datetime import date

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from nominals.models import LinkRole, Membership, Nominal, RecordNominal
from records.models import Record, RecordKind
from scoring.services import scores_recompute
from sectors.models import Area, Level
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import square
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

H3_ID = re.compile(r"\b8[0-9a-f]{14}\b")


@pytest.fixture
def world(seeded):
    world = build_world(scores=False)
    sector = world.sectors["S2"]
    # A counted crime with no location, so the map has something to say about what it cannot show.
    Record.objects.create(force=world.force, kind=RecordKind.CRIME, source="force", external_ref="NOWHERE", occurred_on=date(2024, 5, 3),
                          month=date(2024, 5, 1), sector=sector, command=sector.parent,
                          offence_type=world.offences["92A"], drug_supply=True)
    # A sector with nothing recorded in it: "no data", not "no harm".
    Area.objects.create(level=Level.SECTOR, code="S6", name="Sector 6", parent=world.commands[0],
                        boundary=square(-1.4, 55.0, 0.1, 0.1), label_lat=55.05, label_lon=-1.35)
    # Three of its crimes linked to an OCG member: the group's footprint.
    member = Nominal.objects.get(ref="N0")
    crimes = [r for r in world.records if r.sector_id == sector.pk and r.kind == RecordKind.CRIME][:3]
    RecordNominal.objects.bulk_create([RecordNominal(record=r, force_id=r.force_id, nominal=member, role=LinkRole.OFFENDER) for r in crimes])
    scores_recompute()
    return world


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def _context_drawn(page, selector):
    page.wait_for_function("s => (document.querySelector(s).dataset.context || '').includes('places')", arg=selector)
    assert page.locator(f"{selector} .leaflet-context-pane path").count() >= 6  # the local authorities
    assert page.locator(f"{selector} .leaflet-tile").count() == 0  # no tiles here


def test_the_hexagons_add_up_to_the_sectors_soc_harm(world, analyst, login):
    page = login(analyst)
    page.goto(f"/sectors/{world.sectors['S2'].pk}/?end=2024-12&months=12")
    hexagons = page.locator("#area-map path.hexagon")
    hexagons.first.wait_for()
    layer = page.evaluate("JSON.parse(document.getElementById('records-layer').textContent)")
    assert hexagons.count() == len(layer["hexagons"])
    headline = _number(page.locator(".headline li").first.locator(".figure").inner_text())
    on_map = sum(h["harm"] for h in layer["hexagons"])
    assert round(on_map + layer["unlocated"]["harm"]) == headline
    assert layer["unlocated"]["count"] == 1 and on_map < headline
    reconcile = page.locator("#map-reconcile").inner_text()
    assert "1 item with no location is not on the map" in reconcile
    assert f"Together: {headline:,.0f}" in reconcile

    # The legend's classes, and a tooltip in words (harm, items, top offence), never an H3 id.
    assert page.locator("#map-h ~ .legend li").count() == len(layer["classes"])
    hexagons.first.hover(force=True)
    tip = page.locator("#area-map .leaflet-tooltip").inner_text()
    assert "SOC harm" in tip and "Top offence: 92A Trafficking in controlled drugs" in tip
    assert not H3_ID.search(tip) and not H3_ID.search(page.content())

    # Few records: they can be shown as points too, off by default.
    assert page.locator("#area-map path.record-point").count() == 0
    page.get_by_label(re.compile(r"Records as points")).check()
    assert page.locator("#area-map path.record-point").count() == len(layer["points"]) == 23

    _context_drawn(page, "#area-map")
    screenshot(page, "sector-hexagons")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_the_overview_map_reads_at_a_glance(world, analyst, login):
    page = login(analyst)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto("/sectors/?end=2024-12&months=12")
    shapes = page.locator("#overview-map path.leaflet-interactive")
    shapes.first.wait_for()
    assert shapes.count() == 5

    # Beside the table, above the fold.
    map_box, table_box = page.locator("#overview-map").bounding_box(), page.locator("#ranking-table").bounding_box()
    assert map_box["y"] + map_box["height"] <= 900 and table_box["y"] < 900
    assert table_box["x"] >= map_box["x"] + map_box["width"] - 1

    # The legend separates "no harm" from "no data", and the empty sector is drawn as no data.
    legend = page.locator("#map-h ~ .legend").inner_text()
    assert "no harm" in legend and "no data" in legend
    empty = page.locator(f"#overview-map path[data-area='{Area.objects.get(code='S6').pk}']")
    assert empty.get_attribute("fill") == "#bdbdbd" and empty.get_attribute("stroke-dasharray")

    _context_drawn(page, "#overview-map")
    assert page.locator("#overview-map .place-label").count() >= 1

    # Area names appear as the map zooms in.
    page.locator("#overview-map .leaflet-control-zoom-in").click()
    page.wait_for_timeout(400)
    page.locator("#overview-map .leaflet-control-zoom-in").click()
    page.wait_for_function("() => document.querySelectorAll('#overview-map .area-label').length > 0")
    labels = set(page.locator("#overview-map .area-label").all_inner_texts())
    assert labels and labels <= {"Sector 1", "Sector 2", "Sector 3", "Sector 4", "Sector 6"}
    page.get_by_role("button", name="Whole force").click()

    # A row highlights its area, and an area its row.
    s2 = world.sectors["S2"].pk
    page.locator(f"#ranking-table tr[data-area='{s2}'] td").first.hover()
    highlighted = page.locator("#overview-map path.is-highlighted")
    assert highlighted.count() == 1 and highlighted.get_attribute("data-area") == str(s2)
    page.locator("h1").hover()
    assert page.locator("#overview-map path.is-highlighted").count() == 0
    page.locator(f"#ranking-table tr[data-area='{s2}'] td:nth-child(2) a").focus()
    assert page.locator("#overview-map path.is-highlighted").get_attribute("data-area") == str(s2)
    page.locator("h1").click()
    s1 = world.sectors["S1"].pk
    page.locator(f"#overview-map path[data-area='{s1}']").hover(force=True)
    assert page.locator("#ranking-table tr.is-highlighted").get_attribute("data-area") == str(s1)
    screenshot(page, "overview-map")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_the_theme_map_has_the_context_layer(world, officer, login):
    page = login(officer)
    page.goto("/themes/drug-supply/?end=2024-12&months=12")
    page.locator("#theme-map path.leaflet-interactive").first.wait_for()
    _context_drawn(page, "#theme-map")
    assert "no events" in page.locator(".legend").inner_text()
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_the_group_map_shows_its_footprint_over_the_context_layer(world, analyst, login):
    page = login(analyst)
    page.goto(f"/nominals/groups/{Membership.objects.first().group_id}/")
    shapes = page.locator("#group-map path.leaflet-interactive:not(.record-point)")
    shapes.first.wait_for()
    assert shapes.count() == 1 and shapes.get_attribute("data-area") == str(world.sectors["S2"].pk)
    # Both members live in Sector 2: it is outlined as their home, and the legend says so.
    assert page.locator("#group-map path.home-sector").count() == 1
    assert "home sector of a member (outlined)" in page.locator(".legend").last.inner_text()

    # The three linked crimes are points, on by default, and the page says how many are drawn.
    points = page.locator("#group-map path.record-point")
    assert points.count() == len(page.evaluate("JSON.parse(document.getElementById('group-points').textContent)")) == 3
    assert page.locator("#group-points-note").inner_text().startswith("3 of the window's linked records on the map")
    tip = page.locator("#group-map .leaflet-tooltip", has_text="force crime R")
    for _ in range(5):  # a hover while the map still settles its first view can miss the moving point
        shapes.first.hover(force=True)  # a highlighted sector comes to the front, but never over the points
        points.first.hover(force=True)
        try:
            tip.wait_for(timeout=2000)
            break
        except PlaywrightTimeout:
            page.mouse.move(0, 0)
    tip = tip.inner_text()
    assert "92A" in tip and "Harm 513" in tip
    page.get_by_label(re.compile(r"Linked records as points \(3\)")).uncheck()
    assert points.count() == 0

    # The footprint table ranks the sector, and its share of the group's harm is all of it.
    row = page.locator("#group-footprint tbody tr")
    assert row.count() == 1 and row.locator("td").all_inner_texts()[:2] == ["1", "Sector 2"]
    assert row.locator("td").last.inner_text() == "100.0%"

    # The harm by measure, month by month: the window's SOC harm is the group's headline harm, and the
    # OCG measure counts all of it; twelve months, each a row.
    table = page.locator("#group-by-measure")
    headings = table.locator("thead th").all_inner_texts()
    assert headings[:2] == ["Month", "SOC harm"] and "Crimes linked to OCG members" in headings
    assert table.locator("tbody tr").count() == 12
    footer = table.locator("tfoot td").all_inner_texts()
    assert footer[0] == page.locator("#group-harm").inner_text() == footer[headings.index("Crimes linked to OCG members") - 1]
    assert page.locator("#group-measures-title").count() == 1  # the chart, a line per measure with harm
    _context_drawn(page, "#group-map")
    screenshot(page, "group-map")
    assert axe_violations(page) == []
    assert page.js_errors == []
