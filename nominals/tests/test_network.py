"""The network's measures on a hand-built graph: two triangles joined through one person.

    A - B        E - F
     \\ /          \\ /
      C --- X --- D
"""
from nominals.network import bridges, communities, network_graph, network_measures

A, B, C, X, D, E, F = 1, 2, 3, 4, 5, 6, 7
EDGES = [(A, B, 1), (A, C, 1), (B, C, 1), (C, X, 1), (X, D, 1), (D, E, 1), (D, F, 1), (E, F, 1)]


def _graph():
    return network_graph(nodes={n: {"ref": f"N{n}"} for n in (A, B, C, X, D, E, F)}, edges=EDGES)


def test_it_counts_each_nominals_co_offenders_as_its_degree():
    measures = network_measures(_graph())
    expected = {n: sum(n in (a, b) for a, b, _ in EDGES) for n in (A, B, C, X, D, E, F)}
    assert {n: m.degree for n, m in measures.items()} == expected
    assert expected[C] == expected[X] + 1 == 3


def test_it_computes_betweenness_from_the_shortest_paths_through_each_nominal():
    # Every shortest path between the left triangle {A, B, C} and the right one {D, E, F} is unique
    # and runs C - X - D. X lies on all 3 x 3 of them; C on those from A or B to X, D, E or F (2 x 4);
    # D on those from E or F to X, C, A or B (2 x 4); A, B, E and F on none. Normalised by the pairs
    # of other nodes, (n - 1)(n - 2) / 2 = 15 for n = 7.
    pairs = (7 - 1) * (7 - 2) / 2
    expected = {A: 0, B: 0, E: 0, F: 0, X: 3 * 3 / pairs, C: 2 * 4 / pairs, D: 2 * 4 / pairs}
    measures = network_measures(_graph())
    assert {n: round(m.betweenness, 12) for n, m in measures.items()} == {n: round(v, 12) for n, v in expected.items()}


def test_it_finds_the_two_triangles_as_communities():
    community = communities(_graph())
    assert community[A] == community[B] == community[C]
    assert community[D] == community[E] == community[F]
    assert community[A] != community[D]
    assert community[X] in (community[A], community[D])
    assert communities(_graph()) == community  # a fixed seed: the same data, the same partition


def test_it_flags_the_nominals_whose_neighbours_fall_in_two_communities():
    graph = _graph()
    community = communities(graph)
    # X's neighbours are C and D, one in each triangle; the triangle member X joined links to X too.
    joined = C if community[X] == community[D] else D
    assert bridges(graph, community) == {X, joined}
    assert {n for n, m in network_measures(graph).items() if m.bridge} == {X, joined}


def test_it_never_brings_back_a_node_left_out_through_an_edge():
    graph = network_graph(nodes={A: {}, B: {}}, edges=[(A, B, 2), (A, C, 5), (A, A, 1)])
    assert sorted(graph.nodes) == [A, B]
    assert list(graph.edges(data="weight")) == [(A, B, 2)]


def test_it_measures_an_empty_network():
    assert network_measures(network_graph(nodes={}, edges=[])) == {}
