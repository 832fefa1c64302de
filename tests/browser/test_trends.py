"""Change over time and the method, in a real browser: the chart switch, the bands, the method page and its links."""
import re

import pytest

from scoring.models import CssEdition, Measure
from tests.browser.conftest import axe_violations, screenshot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(seeded):
    return build_world()


def test_it_switches_the_area_chart_between_the_harm_each_measure_and_the_stack(world, analyst, login):
    page = login(analyst)
    page.goto(f"/sectors/{world.sectors['S2'].pk}/?months=6")
    chart = page.locator("figure.chart").first
    assert chart.locator("rect.band").count() == 2
    assert chart.locator("polyline").count() == 1
    assert page.locator(".chart-switch a[aria-current='true']").inner_text() == "SOC harm"

    page.click(".chart-switch a:text-is('Each measure')")
    page.wait_for_url(re.compile(r"chart=measures"))
    assert "months=6" in page.url  # the window is kept
    with_harm = page.locator("figure.chart").first.locator("polyline").count()
    assert with_harm >= 2
    key = page.locator("figure.chart figcaption").first.inner_text()
    assert "Drug supply" in key and "Window (" in key and "Comparison period (" in key
    assert page.locator(".chart-switch a[aria-current='true']").inner_text() == "Each measure"
    assert axe_violations(page) == []

    page.click(".chart-switch a:text-is('Measures stacked')")
    page.wait_for_url(re.compile(r"chart=stacked"))
    assert page.locator("figure.chart").first.locator("polygon.layer").count() == with_harm
    assert "more than the SOC harm" in page.locator("figure.chart figcaption").first.inner_text()
    screenshot(page, "area-chart-stacked")
    # The switch works from the keyboard: links in the tab order.
    page.focus(".chart-switch a:text-is('SOC harm')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"chart=total"))
    assert page.locator("figure.chart").first.locator("polygon.layer").count() == 0
    assert page.js_errors == []


def test_it_explains_the_method_and_every_page_links_to_it(world, analyst, login):
    Measure.objects.filter(code="drug-supply").update(weight_rationale="Supply drives the violence around it.")
    page = login(analyst)
    page.goto("/sectors/")
    page.click("p.lede a:text-is('The method')")
    page.wait_for_url(re.compile(r"/method/$"))
    assert page.locator("h1").inner_text().startswith("The method")
    rows = page.locator("table.method-measures tbody tr")
    assert rows.count() == Measure.objects.count()
    drug = page.locator("#measure-drug-supply")
    assert "Supply drives the violence around it." in drug.inner_text() and "police-generated" in drug.inner_text()
    edition = CssEdition.objects.get(is_active=True)
    assert edition.label in page.locator("#edition + p").inner_text()
    assert page.locator("#harm-z").is_visible() and page.locator("#e-test").is_visible()
    screenshot(page, "method")
    assert axe_violations(page) == []

    # A measure's name on the area page goes to its anchor on the method page.
    page.goto(f"/sectors/{world.sectors['S2'].pk}/")
    page.click("table.breakdown a:text-is('Drug supply offences')")
    page.wait_for_url(re.compile(r"/method/#measure-drug-supply$"))
    assert page.locator("#measure-drug-supply").is_visible()
    for url in ["/demand/", "/themes/drug-supply/"]:
        page.goto(url)
        assert page.locator("a[href^='/method/']").count() >= 1, url
    assert page.js_errors == []


def test_it_shows_the_force_trend_and_the_split_on_the_overview(world, analyst, login):
    page = login(analyst)
    page.goto("/sectors/")
    trend = page.locator("#trend-h + figure.chart")
    assert trend.locator("rect.band").count() == 2 and trend.locator("polyline").count() == 1
    headers = page.locator("#ranking-table thead th").all_inner_texts()
    assert "Victim-based" in headers and "Police-generated" in headers and "One item dominates" in headers
    assert axe_violations(page) == []
    assert page.js_errors == []
