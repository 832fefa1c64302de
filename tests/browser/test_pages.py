"""The analyst's pages in a real browser: maps drawn, table ordered, click-through, export, accessibility."""
import csv
import re

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(seeded):
    return build_world()


def _table_names(page):
    return page.locator("#ranking-table tbody tr td:nth-child(2)").all_inner_texts()


def test_it_walks_the_overview_to_a_sector_and_exports(world, analyst, login):
    page = login(analyst)
    page.goto("/sectors/")
    assert page.title().startswith("Sector overview")
    shapes = page.locator("#overview-map path.leaflet-interactive")
    shapes.first.wait_for()
    assert shapes.count() == len(world.sectors)
    harms = [float(v) for v in page.locator("#ranking-table tbody tr td:nth-child(3)").evaluate_all(
        "cells => cells.map(c => c.dataset.sort)")]
    assert harms[0] == max(harms)
    assert _table_names(page)[0] == "Sector 2"
    screenshot(page, "overview")
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.click("text=Export this table (CSV)")
    with open(download.value.path(), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["area_name"] for r in rows] == _table_names(page)
    # Both tests, side by side, in the table and in the export.
    counts = page.locator("#ranking-table tbody tr td:nth-child(5)").all_inner_texts()
    assert [r["items"] for r in rows] == counts
    count_tests = page.locator("#ranking-table tbody tr td:nth-child(7)").all_inner_texts()
    assert [t.startswith("significant") for t in count_tests] == [r["count_change_significant"] == "yes"
                                                                  for r in rows]

    page.click("#ranking-table th:nth-child(2) button")  # sort by area name
    assert _table_names(page) == sorted(_table_names(page))

    page.click("#ranking-table tbody tr:has-text('Sector 2') a")
    page.wait_for_url(re.compile(r"/sectors/\d+/"))
    assert page.locator("h1").inner_text().startswith("Sector 2")
    page.locator("#area-map path.leaflet-interactive").first.wait_for()
    # The breakdown reconciles with the headline: measures added up, less the overlap, is the harm.
    figures = [float(t.replace(",", "").replace("\u2212", "-")) for t in page.locator(
        "table.breakdown tfoot td:nth-child(3)").all_inner_texts()]
    headline = float(page.locator(".headline li").first.locator(".figure").inner_text().replace(",", ""))
    assert figures[0] + figures[1] == pytest.approx(figures[2]) and round(figures[2]) == headline
    assert "Harm change:" in page.content() and "Count change:" in page.content()
    screenshot(page, "sector")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_it_opens_an_area_from_the_map(world, officer, login):
    page = login(officer)
    page.goto("/sectors/")
    page.locator("#overview-map path.leaflet-interactive").first.click(force=True)
    page.wait_for_url(re.compile(r"/sectors/\d+/"))
    assert "Records are not shown" in page.content()
    screenshot(page, "sector-officer")
    assert axe_violations(page) == []
    assert page.js_errors == []


@pytest.mark.parametrize("path,name", [
    ("/themes/", "themes"), ("/themes/drug-supply/", "theme-drug-supply"), ("/themes/firearms/", "theme-firearms"),
    ("/themes/drug-deaths/", "theme-drug-deaths"), ("/themes/partners/", "theme-partners"), ("/demand/", "demand"),
    ("/sectors/?level=3", "overview-neighbourhoods"),
])
def test_it_draws_the_other_pages_accessibly(world, analyst, login, path, name):
    page = login(analyst)
    page.goto(path)
    assert page.locator("h1").count() == 1 and page.title()
    if page.locator(".map").count():
        page.locator(".map path.leaflet-interactive").first.wait_for()
    screenshot(page, name)
    assert axe_violations(page) == []
    assert page.js_errors == []
