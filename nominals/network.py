"""The co-offending network as a graph: pure functions over edge rows, no database.

A node is a nominal; an edge joins two nominals linked to the same record, weighted by the number
of records they share. The measures, each a standard one so that an analyst can check it:

- degree: the number of other nominals a nominal shares at least one record with;
- betweenness: the share of shortest paths between two other nominals that pass through this one,
  normalised by the number of pairs of other nominals (networkx's ``normalized=True``: 2 / ((n-1)(n-2))
  in an undirected graph); paths are counted in hops, not weighted by shared records;
- community: the Louvain partition maximising modularity, edges weighted by shared records, with a
  fixed seed so the same data always gives the same communities; communities are numbered from 1,
  largest first;
- bridge: a nominal whose neighbours fall in two or more communities. Both ends of a link between two
  communities are bridges; betweenness tells which of them carries more of the paths between them.
"""
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

LOUVAIN_SEED = 14


@dataclass(frozen=True)
class NodeMeasures:
    degree: int
    betweenness: float
    community: int
    bridge: bool


def network_graph(*, nodes: dict[int, dict], edges: Iterable[tuple[int, int, int]]) -> nx.Graph:
    """The graph of ``nodes`` (id -> attributes) and ``edges`` (a, b, shared records).

    An edge naming a node not in ``nodes`` is dropped, so a caller that left someone out (a restricted
    nominal) cannot bring them back through a link.
    """
    graph = nx.Graph()
    for node, attributes in nodes.items():
        graph.add_node(node, **attributes)
    for a, b, shared in edges:
        if a != b and a in nodes and b in nodes:
            graph.add_edge(a, b, weight=int(shared))
    return graph


def communities(graph: nx.Graph) -> dict[int, int]:
    """node -> community number (1 = the largest; ties by the smallest node id)."""
    if graph.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(graph, weight="weight", seed=LOUVAIN_SEED)
    ordered = sorted(found, key=lambda c: (-len(c), min(c)))
    return {node: number for number, members in enumerate(ordered, start=1) for node in members}


def bridges(graph: nx.Graph, community: dict[int, int]) -> set[int]:
    """The nodes whose neighbours fall in two or more communities."""
    return {node for node in graph if len({community[n] for n in graph.neighbors(node)}) >= 2}


def network_measures(graph: nx.Graph) -> dict[int, NodeMeasures]:
    """Every node's degree, normalised betweenness, community and bridge flag."""
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    community = communities(graph)
    bridging = bridges(graph, community)
    return {node: NodeMeasures(degree=graph.degree(node), betweenness=betweenness[node],
                               community=community[node], bridge=node in bridging)
            for node in graph}
