"""The impact of an activity in a real browser: from the activity's page to its estimate and caveats."""
import csv

import pytest

from tasking import formulas
from tasking.selectors.impact import activity_impact
from tests.browser.conftest import axe_violations, screenshot
from tests.impact_world import build_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def row(seeded):
    return build_row()


def test_a_governance_lead_opens_an_activity_impact_and_reads_the_estimate_and_caveats(row, governance, login):
    expected = activity_impact(user=governance, activity_ids=[row.activity.pk])
    page = login(governance)
    page.goto(f"/activities/{row.activity.pk}/")
    page.click("#activity-impact-link")
    page.wait_for_url(f"**/activities/{row.activity.pk}/impact/")
    assert page.title().startswith("Impact")
    assert page.locator("#impact-verdict").inner_text().strip() == formulas.VERDICTS[expected.verdict]
    harm_row = page.locator("#impact-wdd tbody tr").first
    assert harm_row.locator("th").inner_text() == "Harm"
    assert float(harm_row.locator("td").first.inner_text().replace(",", "")) == pytest.approx(
        expected.harm.value, abs=0.05)
    targeted = page.locator('#impact-groups tr[data-group="target"] td')
    assert targeted.nth(0).inner_text() == "Sector 0"
    assert [targeted.nth(i).inner_text() for i in (1, 2)] == [str(expected.groups["target"].before.count),
                                                               str(expected.groups["target"].after.count)]
    caveats = page.locator("#impact-caveats li").all_inner_texts()
    assert any(c.startswith("Regression to the mean") for c in caveats) and len(caveats) == len(expected.caveats)
    screenshot(page, "impact-activity")
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.click("#impact-export")
    with open(download.value.path(), newline="") as handle:
        figures = {(r["section"], r["item"]): r["value"] for r in csv.DictReader(handle)}
    assert figures[("conclusion", "verdict")] == formulas.VERDICTS[expected.verdict]
    assert page.js_errors == []
