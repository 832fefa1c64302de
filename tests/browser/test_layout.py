"""The page sweep: every page of the portal, for the roles that use it, at 1400 and 390 px.

Each page gets a screenshot per width in test-artifacts/ (<page>-1400.png, <page>-390.png), and
must not scroll sideways (the document no wider than the window), must have no serious or critical
axe-core violation and no script or Content-Security-Policy error. One world and one login per role
keep it to one pass of the portal: problems are gathered and reported together.
"""
import io

import pytest
from django.urls import Resolver404, resolve

from core.models import Organisation
from ingestion.services import upload_create, upload_process
from nominals.models import Group, Nominal
from records.permissions import area_records_grant
from tests.browser.conftest import AXE, BLOCKING_IMPACTS, screenshot
from tests.factories import csv_bytes
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1400, 390)
AXE_SOURCE = AXE.read_text()
THEMES = ("drug-supply", "firearms", "drug-deaths", "partners")


def _route(path: str) -> str | None:
    try:
        resolve(path)
    except Resolver404:
        return None  # a page not (yet) in this portal
    return path


def _pages(world, upload) -> dict[str, list[tuple[str, str]]]:
    """role -> [(page name, path)]: the pages each role works from."""
    sector = world.sectors["S2"].pk
    analyst = [
        ("home", "/"), ("overview", "/sectors/"), ("overview-neighbourhoods", "/sectors/?level=3"),
        ("sector", f"/sectors/{sector}/"), ("themes", "/themes/"),
        *[(f"theme-{slug}", f"/themes/{slug}/") for slug in THEMES],
        ("demand", "/demand/"), ("groups", "/nominals/groups/"),
        ("group", f"/nominals/groups/{Group.objects.get(ref='G1').pk}/"),
        ("nominal", f"/nominals/{Nominal.objects.get(ref='N0').pk}/"),
        ("uploads", "/uploads/"), ("upload-new", "/uploads/new/"), ("upload-report", f"/uploads/{upload.pk}/"),
        ("api-root", "/api/"), ("api-schema", "/api/docs/"), ("method", _route("/method/")),
    ]
    return {
        "analyst": [(name, path) for name, path in analyst if path],
        "officer": [("home-officer", "/"), ("sector-officer", f"/sectors/{sector}/")],
        "partner_a": [("home-partner", "/"), ("uploads-partner", "/uploads/"),
                      ("upload-report-partner", f"/uploads/{upload.pk}/")],
        "governance": [(name, path) for name, path in [
            ("home-governance", "/"), ("audit", "/audit/"), ("impact", _route("/impact/")),
            ("impact-referrals", _route("/impact/referrals/"))] if path],
    }


@pytest.fixture
def world(seeded, partner_a, officer):
    world = build_world()
    area_records_grant(user=officer, area=world.sectors["S1"], granted_by=None)
    deaths = csv_bytes([["reference", "date", "latitude", "longitude", "substances"],
                        ["D1", "2024-03-05", "55.05", "-1.55", "heroin"], ["D2", "not a date", "55.05", "-1.55", ""]])
    world.upload = upload_process(upload_id=upload_create(
        organisation=Organisation.objects.get(code="coroner"), kind="drug_deaths", fileobj=io.BytesIO(deaths),
        original_name="deaths-march.csv", user=partner_a, dispatch=False).pk)
    return world


def _axe(page) -> list[dict]:
    """Serious and critical axe-core violations, as axe_violations finds them, with axe-core injected
    once per page load rather than once per width."""
    if page.evaluate("() => typeof axe === 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in violations if v["impact"] in BLOCKING_IMPACTS]


def _ranking_scroll(page, name: str, width: int) -> list[str]:
    """The ranking scrolls in its own focusable region, says so while it does, and keeps the area
    column and the header row in view when scrolled."""
    state = page.evaluate("""() => {
        const box = document.querySelector('.ranking-scroll'), hint = document.getElementById('ranking-hint');
        const overflows = box.scrollWidth > box.clientWidth + 1;
        box.scrollLeft = box.scrollWidth; box.scrollTop = box.scrollHeight;
        const area = box.querySelector('tbody tr:last-child td:nth-child(2)').getBoundingClientRect();
        const head = box.querySelector('thead th:nth-child(2)').getBoundingClientRect();
        const frame = box.getBoundingClientRect();
        const kept = area.left >= frame.left - 1 && head.top >= frame.top - 1 && head.top < frame.top + 5;
        box.scrollLeft = 0; box.scrollTop = 0;
        return {overflows, hint: !hint.hidden, focusable: box.tabIndex === 0, kept};
    }""")
    problems = []
    if width < 1000 and not state["overflows"]:
        problems.append(f"{name} at {width} px: the ranking does not scroll sideways (is every column there?)")
    if state["hint"] != state["overflows"] or not state["focusable"]:
        problems.append(f"{name} at {width} px: scroll hint or focus wrong: {state}")
    if state["overflows"] and not state["kept"]:
        problems.append(f"{name} at {width} px: the area column or the header row scrolled out of view")
    return problems


def _check(page, name: str, path: str) -> list[str]:
    problems = []
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.js_errors.clear()
    response = page.goto(path)
    expected = 404 if name == "not-found" else 200
    if response is None or response.status != expected:
        return [f"{name} {path}: HTTP {response and response.status}, expected {expected}"]
    if page.locator(".map").count():
        page.locator(".map.leaflet-container path").first.wait_for(state="attached")  # drawn (context layer at least)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)  # a layout pass after the resize
        screenshot(page, f"{name}-{width}")
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if overflow[0] > overflow[1]:
            wide = page.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll, .leaflet-container'))
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                 + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''))""",
                                 width)
            problems.append(f"{name} at {width} px scrolls sideways: {overflow[0]} > {overflow[1]} ({wide})")
        if name.startswith("overview"):
            problems += _ranking_scroll(page, name, width)
        violations = _axe(page)
        if violations:
            problems.append(f"{name} at {width} px: axe {violations}")
    if page.js_errors:
        problems.append(f"{name}: script errors {page.js_errors}")
    return problems


def test_it_lays_out_every_page_at_both_widths_accessibly(world, cast, page, login):
    problems = []
    for name, path in [("login", "/accounts/login/"), ("not-found", "/no/such/page/")]:
        problems += _check(page, name, path)
    for role, pages in _pages(world, world.upload).items():
        page.context.clear_cookies()
        login(cast[role])
        for name, path in pages:
            problems += _check(page, name, path)
    assert problems == [], "\n".join(problems)
