"""The co-offending network read from hand-built records and links, and its page and exports."""
import csv
import io
from datetime import date

import networkx as nx
import pytest
from django.http import Http404

from core.models import AuditEvent
from nominals.models import Group, Membership, Nominal, RecordNominal
from nominals.services import nominal_access_grant
from pages.selectors.network import NetworkScope, network_edges, nominal_network
from records.models import OffenceType
from scoring.models import CssEdition, OffenceWeight
from tests.factories import RecordFactory, grid

YEAR = dict(start=date(2023, 1, 1), end=date(2023, 12, 1))
SUPPLY, ASSAULT = 500.0, 200.0


@pytest.fixture
def net(db):
    areas = grid()
    edition = CssEdition.objects.create(code="e1", label="Edition one", source="test", is_active=True)
    supply = OffenceType.objects.create(code="92A", description="Trafficking in controlled drugs")
    assault = OffenceType.objects.create(code="8N", description="Assault with injury")
    OffenceWeight.objects.create(edition=edition, offence_type=supply, weight=SUPPLY)
    OffenceWeight.objects.create(edition=edition, offence_type=assault, weight=ASSAULT)
    g1 = Group.objects.create(ref="G1", name="Alpha", group_type="ocg")
    g2 = Group.objects.create(ref="G2", name="Bravo", group_type="ucg")
    people = {ref: Nominal.objects.create(ref=ref, name=f"Person {ref}", is_restricted=ref == "R")
              for ref in ("A", "B", "C", "D", "E", "R")}
    for ref in ("A", "B", "C", "R"):
        Membership.objects.create(nominal=people[ref], group=g1, started_on=date(2020, 1, 1))
    for ref in ("D", "E"):
        Membership.objects.create(nominal=people[ref], group=g2, started_on=date(2020, 1, 1))

    def crime(day, place, offence, *links):
        record = RecordFactory(place=place, occurred_on=day, offence_type=offence)
        for ref, role in links:
            RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=people[ref], role=role)

    west, east = areas["west_n"], areas["east_n"]
    crime(date(2023, 2, 1), west, supply, ("A", "offender"), ("B", "suspect"), ("R", "offender"))
    crime(date(2023, 3, 1), west, assault, ("B", "offender"), ("C", "associate"))
    crime(date(2023, 4, 1), east, supply, ("C", "suspect"), ("D", "offender"))
    crime(date(2023, 5, 1), east, assault, ("D", "offender"), ("E", "offender"))
    crime(date(2023, 6, 1), east, assault, ("A", "victim"), ("E", "offender"))  # a victim links no one
    crime(date(2023, 7, 1), east, assault, ("D", "witness"), ("E", "offender"))  # nor does a witness
    crime(date(2021, 6, 1), west, supply, ("A", "offender"), ("B", "offender"))  # before the year
    return {"people": people, "g1": g1, "g2": g2, **areas}


def _refs(net, edges):
    ref = {n.pk: n.ref for n in net["people"].values()}
    return {(ref[a], ref[b], shared) for a, b, shared in edges}


def _edges(net, user, **scope):
    return _refs(net, network_edges(user=user, scope=NetworkScope(**{**YEAR, **scope})))


def test_it_links_the_nominals_of_a_record_in_the_roles_that_count(net, analyst):
    assert _edges(net, analyst) == {("A", "B", 1), ("B", "C", 1), ("C", "D", 1), ("D", "E", 1)}


def test_it_counts_the_records_two_nominals_share_in_the_period(net, analyst):
    every = _edges(net, analyst, start=date(2021, 1, 1))
    assert ("A", "B", 2) in every
    assert _edges(net, analyst, start=date(2021, 1, 1), end=date(2021, 12, 1)) == {("A", "B", 1)}


def test_it_keeps_the_records_located_in_the_area(net, analyst):
    assert _edges(net, analyst, area=net["west"]) == {("A", "B", 1), ("B", "C", 1)}
    assert _edges(net, analyst, area=net["east_n"]) == {("C", "D", 1), ("D", "E", 1)}


def test_it_keeps_the_links_of_a_groups_members(net, analyst):
    assert _edges(net, analyst, group_id=net["g2"].pk) == {("C", "D", 1), ("D", "E", 1)}
    assert _edges(net, analyst, group_type="ocg") == {("A", "B", 1), ("B", "C", 1), ("C", "D", 1)}


def test_it_drops_a_restricted_nominal_until_granted_counts_included(net, analyst, administrator):
    hidden = nominal_network(user=analyst, scope=NetworkScope(**YEAR))
    assert "R" not in {row["ref"] for row in hidden.rows}
    assert {r["ref"]: r["degree"] for r in hidden.rows}["A"] == 1
    nominal_access_grant(user=analyst, nominal=net["people"]["R"], granted_by=administrator)
    shown = nominal_network(user=analyst, scope=NetworkScope(**YEAR))
    degree = {r["ref"]: r["degree"] for r in shown.rows}
    assert degree["R"] == 2 and degree["A"] == 2  # A now shares record one with B and R
    assert ("A", "R", 1) in _refs(net, shown.edges)


def test_it_gives_every_nominal_its_measures_and_linked_harm(net, analyst):
    network = nominal_network(user=analyst, scope=NetworkScope(**YEAR))
    rows = {r["ref"]: r for r in network.rows}
    # A path A - B - C - D - E, one shortest path per pair: C lies on those of A-D, A-E, B-D and B-E,
    # B on A-C, A-D and A-E; normalised by the (5 - 1)(5 - 2) / 2 = 6 pairs of the other four.
    assert rows["C"]["betweenness"] == pytest.approx(4 / 6)
    assert rows["B"]["betweenness"] == pytest.approx(3 / 6)  # A-C, A-D, A-E
    assert rows["A"]["betweenness"] == 0
    assert [r["ref"] for r in network.rows][0] == "C"  # sorted by betweenness
    # Linked harm in the year, as the profile weighs it; the victim's crime is not A's.
    assert rows["A"]["harm"] == SUPPLY
    assert rows["B"]["harm"] == SUPPLY + ASSAULT
    assert rows["E"]["harm"] == ASSAULT * 3
    assert rows["A"]["group"] == "Alpha" and rows["D"]["groups"] == "Bravo"


def test_it_shows_nothing_to_who_may_not_research_nominals(net, officer):
    with pytest.raises(Http404):
        network_edges(user=officer, scope=NetworkScope(**YEAR))
