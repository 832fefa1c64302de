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
from pages.selectors.network import (
    SIZE_MAX,
    SIZE_MIN,
    NetworkScope,
    graph_elements,
    network_cap,
    network_edges,
    nominal_network,
)
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
    return {"people": people, "g1": g1, "g2": g2, "assault": assault, **areas}


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


PARAMS = {"months": 12, "end": "2023-12"}


def test_it_shows_the_table_sorted_by_betweenness_in_a_fixed_number_of_queries(
        client, analyst, net, django_assert_max_num_queries):
    for i in range(20):  # more nominals on one record: more rows, not more queries
        record = RecordFactory(place=net["west_n"], occurred_on=date(2023, 8, 1), offence_type=net["assault"])
        for person in (net["people"]["A"], Nominal.objects.create(ref=f"X{i}", name=f"Extra {i}")):
            RecordNominal.objects.create(record=record, force_id=record.force_id, nominal=person, role="offender")
    client.force_login(analyst)
    with django_assert_max_num_queries(18):
        page = client.get("/nominals/network/", PARAMS)
    assert page.status_code == 200
    rows = page.context["network"].rows
    assert [r["betweenness"] for r in rows] == sorted((r["betweenness"] for r in rows), reverse=True)
    assert rows[0]["ref"] == "A" and rows[0]["degree"] == 1 + 20  # B and the twenty extras
    text = page.content.decode()
    assert 'id="network-elements"' in text and "cytoscape.min.js" in text
    assert "Person R" not in text
    assert f'href="/nominals/{net["people"]["C"].pk}/"' in text


def test_it_audits_the_page_and_both_exports(client, analyst, net):
    client.force_login(analyst)
    client.get("/nominals/network/", PARAMS)
    client.get("/nominals/network/edges.csv", PARAMS).getvalue()
    client.get("/nominals/network/graph.graphml", PARAMS)
    events = list(AuditEvent.objects.filter(object_type="nominal_network").order_by("pk")
                  .values_list("action", "username"))
    assert events == [("view", "analyst"), ("export", "analyst"), ("export", "analyst")]
    detail = AuditEvent.objects.filter(object_type="nominal_network").order_by("pk").last().detail
    assert (detail["format"], detail["nominals"], detail["links"], detail["start"]) == ("graphml", 5, 4, "2023-01-01")


def test_it_exports_the_links_as_csv(client, analyst, net):
    client.force_login(analyst)
    response = client.get("/nominals/network/edges.csv", {**PARAMS, "area": net["west"].pk})
    assert response["Content-Disposition"] == 'attachment; filename="network-edges-2023-01-2023-12.csv"'
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["nominal_a_ref", "nominal_a_name", "nominal_b_ref", "nominal_b_name", "shared_records"]
    assert sorted(rows[1:]) == [["A", "Person A", "B", "Person B", "1"], ["B", "Person B", "C", "Person C", "1"]]


def test_it_exports_the_graph_as_graphml_without_a_restricted_nominal(client, analyst, administrator, net):
    client.force_login(analyst)
    graph = nx.read_graphml(io.BytesIO(client.get("/nominals/network/graph.graphml", PARAMS).content))
    refs = {data["ref"] for _, data in graph.nodes(data=True)}
    assert refs == {"A", "B", "C", "D", "E"}
    assert graph.number_of_edges() == 4
    c = next(n for n, data in graph.nodes(data=True) if data["ref"] == "C")
    assert graph.nodes[c]["degree"] == 2 and graph.nodes[c]["betweenness"] == pytest.approx(4 / 6)
    nominal_access_grant(user=analyst, nominal=net["people"]["R"], granted_by=administrator)
    graph = nx.read_graphml(io.BytesIO(client.get("/nominals/network/graph.graphml", PARAMS).content))
    assert "R" in {data["ref"] for _, data in graph.nodes(data=True)}
    assert graph.number_of_edges() == 6


def test_it_falls_back_to_the_whole_force_on_a_bad_filter(client, analyst, net):
    client.force_login(analyst)
    page = client.get("/nominals/network/", {**PARAMS, "area": "nowhere", "group": "999999"})
    assert page.status_code == 200 and page.context["form"].errors
    assert len(page.context["network"].rows) == 5


def test_it_colours_the_graph_by_group_and_sizes_it_by_linked_harm(net, analyst):
    network = nominal_network(user=analyst, scope=NetworkScope(**YEAR))
    elements = graph_elements(network)
    nodes = {n["data"]["label"]: n["data"] for n in elements["nodes"]}
    assert nodes["A"]["colour"] == nodes["B"]["colour"] != nodes["D"]["colour"] == nodes["E"]["colour"]
    assert [item["group"] for item in elements["legend"]] == ["Alpha", "Bravo"]
    top = max(r["harm"] for r in network.rows)
    assert top == SUPPLY + ASSAULT  # B, C and D
    assert nodes["B"]["size"] == SIZE_MAX
    assert nodes["A"]["size"] == round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * (SUPPLY / top) ** 0.5, 1)
    assert {e["data"]["shared"] for e in elements["edges"]} == {1} and len(elements["edges"]) == 4
    assert nodes["C"]["url"] == f"/nominals/{net['people']['C'].pk}/"


TIED = {1: 10.0, 2: 50.0, 3: 50.0, 4: 0.0}  # 2 and 3 tie: the smaller id first


@pytest.mark.parametrize("harms, limit, kept", [
    (TIED, 0, {1, 2, 3, 4}), (TIED, 5, {1, 2, 3, 4}), (TIED, 2, {2, 3}), (TIED, 1, {2}),
    ({**TIED, 3: 60.0}, 1, {3}), ({**TIED, 4: 99.0}, 2, {2, 4}),
])
def test_it_caps_the_network_at_the_nominals_with_most_linked_harm(harms, limit, kept):
    edges = [(1, 2, 4), (2, 3, 1), (3, 4, 2)]
    ids, links = network_cap(edges=edges, harms=harms, limit=limit)
    assert ids == kept and links == [e for e in edges if e[0] in kept and e[1] in kept]
