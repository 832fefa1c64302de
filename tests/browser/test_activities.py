"""Recording an activity in a real browser: the form, the activity's page, and the sector page's timeline and map."""
import pytest

from tasking.models import Activity
from tests.browser.conftest import axe_violations, screenshot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(seeded):
    return build_world()


def test_an_analyst_records_an_activity_and_sees_it_on_the_sector_page(world, analyst, login):
    page = login(analyst)
    page.goto("/activities/")
    page.click("text=Record an activity")
    assert axe_violations(page) == []
    page.fill("#id_ref", "OP-NORTH-1")
    page.select_option("#id_kind", "warrant")
    page.fill("#id_title", "Warrants on the north estate")
    page.fill("#id_started_on", "2024-09-02")
    page.fill("#id_ended_on", "2024-09-04")
    page.select_option("#id_organisation", label="Northumbria Police")
    page.select_option("#id_areas", str(world.sectors["S1"].pk))
    # A point inside Sector 4 (-1.6..-1.4, 54.9..55.0): that sector is added as a target.
    page.fill("#id_lat", "54.95")
    page.fill("#id_lon", "-1.5")
    page.fill("#id_notes", "Three addresses.")
    page.click("button[type=submit]:has-text('Save')")
    page.wait_for_url("**/activities/*/")

    activity = Activity.objects.get(ref="OP-NORTH-1")
    assert page.locator("h1").inner_text().startswith("Warrants on the north estate")
    assert page.locator("#activity-areas li").all_inner_texts() == ["Sector 1 (sector)", "Sector 4 (sector)"]
    assert page.locator("#activity-period").inner_text() == "2 September 2024 to 4 September 2024"
    assert {a.name for a in activity.areas.all()} == {"Sector 1", "Sector 4"}
    screenshot(page, "activity")
    assert axe_violations(page) == []

    page.goto(f"/sectors/{world.sectors['S4'].pk}/")
    listed = page.locator("#area-activities .activity-list li")
    assert listed.count() == 1 and "OP-NORTH-1 Warrants on the north estate" in listed.first.inner_text()
    assert page.locator("#area-activities rect.activity-bar").count() == 1
    page.locator("path.activity-marker").first.wait_for()  # the point, on the sector's map
    assert page.locator("path.activity-marker").count() == 1
    assert page.js_errors == []

