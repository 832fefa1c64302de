"""The co-offending network in a real browser: the graph drawn beside its table, under the strict CSP."""
import pytest

from nominals.models import Group, GroupType, Membership, Nominal, RecordNominal
from tests.browser.conftest import axe_violations, screenshot
from tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world(seeded):
    world = build_world()
    first, second = Nominal.objects.get(ref="N0"), Nominal.objects.get(ref="N1")
    other = Group.objects.create(ref="G2", name="Test PCG", group_type=GroupType.PCG)
    third = Nominal.objects.create(ref="N2", name="Nominal 2")
    Membership.objects.create(nominal=third, group=other, started_on=first.memberships.get().started_on)
    latest = sorted((r for r in world.records if r.offence_type_id), key=lambda r: r.month)[-3:]
    for record, people in zip(latest, [(first, second), (second, third), (first, second)]):
        for person in people:
            RecordNominal.objects.create(record=record, force=world.force, nominal=person, role="offender")
    return world


def test_it_draws_the_network_beside_its_table(world, analyst, login):
    page = login(analyst)
    page.goto("/nominals/network/")
    graph = page.locator("#network-graph")
    graph.locator("canvas").first.wait_for()
    page.wait_for_function("document.getElementById('network-graph').dataset.drawn === '3'")
    rows = page.locator("#network-table tbody tr")
    assert rows.count() == 3
    # N1 lies on the only path between N0 and N2: first by betweenness, with both others as neighbours.
    first = rows.first.locator("td").all_inner_texts()
    assert first[0] == "N1 Nominal 1" and first[2] == "2" and first[3] == "1.000"
    assert "3 nominals, 2 links" in page.locator("#network-summary").inner_text()
    screenshot(page, "network")
    assert axe_violations(page) == []
    assert page.js_errors == []
