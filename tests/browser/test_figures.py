"""From a figure to its records in a real browser: click a figure, land on its records, and read that the
list's total (count and harm) is the figure clicked."""
import re

import pytest

from nominals.models import LinkRole, Nominal, RecordNominal
from records.models import RecordKind
from scoring.services import scores_recompute
from tests.browser.conftest import axe_violations, screenshot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(seeded):
    world = build_world()
    crimes = [r for r in world.records if r.sector_id == world.sectors["S2"].pk and r.kind == RecordKind.CRIME
              and r.drug_supply and r.month.year == 2024]
    member = Nominal.objects.get(ref="N0")
    for record in crimes[:3]:
        RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=member, role=LinkRole.OFFENDER)
    scores_recompute()
    return world


def _number(text: str) -> float:
    return float(text.replace(",", "").strip())


def _click_and_check(page, figure) -> dict:
    """Click a figure; on its records, the total shown equals the figure (its data and its words)."""
    count = int(figure.get_attribute("data-figure-count"))
    harm = figure.get_attribute("data-figure-harm")
    shown = figure.inner_text()
    figure.click()
    page.wait_for_url(re.compile(r"/sectors/\d+/\?.*#records$"))
    total = page.locator("#records-total")
    total.wait_for()
    assert int(total.get_attribute("data-count")) == count
    words = total.inner_text()
    if harm is not None:
        assert float(total.get_attribute("data-harm")) == pytest.approx(float(harm), abs=1e-3)
        # The harm in words: the records' and, with nominal-months, both together.
        figures = [_number(n) for n in re.findall(r"harm ([\d,.]+)", words)]
        assert figures[-1] == pytest.approx(_number(shown), abs=1)
    assert str(count) in words
    return {"count": count, "harm": harm}


def test_it_follows_an_overview_figure_to_its_records(world, analyst, login):
    page = login(analyst)
    page.goto("/sectors/")
    harm = page.locator("#ranking-table tbody tr").first.locator("td:nth-child(3) a")
    _click_and_check(page, harm)
    assert page.locator("h1").inner_text().startswith("Sector 2")
    screenshot(page, "figure-records")
    assert axe_violations(page) == []
    page.goto("/sectors/")
    cell = page.locator("#ranking-table tbody tr").first.locator("td:nth-child(n+8) a").first  # a measure cell
    _click_and_check(page, cell)
    assert page.js_errors == []


def test_it_follows_the_sector_page_figures_to_their_records(world, analyst, login):
    page = login(analyst)
    page.goto(f"/sectors/{world.sectors['S2'].pk}/?months=12")
    _click_and_check(page, page.locator(".headline a[data-figure-count]"))
    assert page.locator("#nominal-months tbody tr").count() == 24  # the OCG members' months, in their own table
    page.goto(f"/sectors/{world.sectors['S2'].pk}/?months=12")
    rows = page.locator("table.breakdown tbody a[data-figure-count]")
    assert rows.count() >= 3
    for index in range(rows.count()):
        page.goto(f"/sectors/{world.sectors['S2'].pk}/?months=12")
        _click_and_check(page, page.locator("table.breakdown tbody a[data-figure-count]").nth(index))
    screenshot(page, "figure-measure-records")
    assert axe_violations(page) == []
    assert page.js_errors == []


def test_it_follows_theme_and_demand_cells_to_their_records(world, analyst, login):
    page = login(analyst)
    page.goto("/themes/drug-supply/")
    _click_and_check(page, page.locator("#theme-table tbody a[data-figure-count]").first)
    page.goto("/demand/?months=3")
    _click_and_check(page, page.locator("table.demand tbody td a[data-figure-count]").first)
    assert page.js_errors == []


def test_it_follows_a_group_figure_to_its_records(world, analyst, login):
    page = login(analyst)
    page.goto("/nominals/groups/")
    assert page.locator("#groups-table tbody tr").first.locator("td:nth-child(2)").inner_text() == "G1"
    screenshot(page, "groups")
    assert axe_violations(page) == []
    _click_and_check(page, page.locator("#groups-table tbody a[data-figure-count]").first)
    assert page.locator("#records tbody tr").count() == 3
    page.goto("/nominals/groups/")
    page.click("#groups-table tbody tr:has-text('G1') td:nth-child(3) a")
    page.wait_for_url(re.compile(r"/nominals/groups/\d+/"))
    _click_and_check(page, page.locator("#group-harm"))
    assert page.js_errors == []


def test_it_shows_an_officer_figures_without_links(world, officer, login):
    page = login(officer)
    page.goto(f"/sectors/{world.sectors['S2'].pk}/")
    assert page.locator("a[data-figure-count]").count() == 0
    assert "not links to their records" in page.content()
    page.goto("/sectors/")
    assert page.locator("#ranking-table a[data-figure-count]").count() == 0
