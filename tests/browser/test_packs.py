"""A tasking pack in a real browser: prepared from the ranking, reopened after the data changed, printed."""
import re

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.world import add_late_crimes, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DRUG_SUPPLY_WEIGHT = 512.96


@pytest.fixture
def world(seeded):
    return build_world()


def _figures(page) -> dict[str, tuple[str, float]]:
    """Each sector's rank and harm as the pack's ranking table shows them."""
    out = {}
    for row in page.locator("#pack-ranking tbody tr").all():
        harm = float(row.locator("td[data-harm]").get_attribute("data-harm"))
        out[row.get_attribute("data-area")] = (row.locator("td").first.inner_text(), harm)
    return out


def test_a_prepared_pack_reopens_unchanged_after_new_data_and_prints_without_navigation(world, analyst, login):
    page = login(analyst)
    page.goto("/tasking/new/")
    assert axe_violations(page) == []
    page.fill("#id_title", "Browser tasking")
    page.fill("#id_meeting_on", "2025-01-06")
    page.check("label:has-text('Sector 2')")
    page.check("label:has-text('Sector 3')")
    page.click("button:has-text('Prepare the pack')")
    page.wait_for_url(re.compile(r"/tasking/\d+/$"))
    assert page.locator("#pack-title").inner_text() == "Browser tasking"
    before = _figures(page)
    assert before["S2"][0] == "1" and len(before) == len(world.sectors)
    assert page.locator("section.pack-area").count() == 2
    s3_headline = page.locator("section.pack-area[data-area=S3] [data-figure=harm]").inner_text()
    screenshot(page, "pack")
    assert axe_violations(page) == []

    add_late_crimes(world, "S3", 40)  # S3 overtakes S2 in today's ranking
    page.reload()
    assert _figures(page) == before
    assert page.locator("section.pack-area[data-area=S3] [data-figure=harm]").inner_text() == s3_headline

    page.click("text=Since this pack: then and now")
    page.wait_for_url(re.compile(r"/since/$"))
    now = float(page.locator("#since-table tr[data-area=S3] td[data-harm-now]").get_attribute("data-harm-now"))
    assert now == pytest.approx(before["S3"][1] + 40 * DRUG_SUPPLY_WEIGHT)
    assert axe_violations(page) == []
    page.go_back()

    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("nav[aria-label=Main]").is_visible()
    assert not page.locator("#action-form").is_visible()
    assert page.locator("#pack-ranking").is_visible() and page.locator("#pack-facts").is_visible()
    screenshot(page, "pack-print")
    assert page.js_errors == []
